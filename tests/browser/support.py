"""What the browser tests share: paths, answering a question as a person would,
screenshots at phone and desktop widths, and axe-core checks."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
SKIP_VARIABLE = "MYOTRIAGE_SKIP_BROWSER"
WIDTHS = (360, 1280)
# Rules of WCAG 2.0-2.2 A and AA plus axe's best practices; only serious and critical
# findings fail a test, the rest are written to test-artifacts/axe/ to read.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}


def path_of(page: Page) -> str:
    """The path of the page's address ("/result")."""
    return urlsplit(page.url).path


def no_horizontal_scroll(page: Page) -> None:
    """Nothing on the page is wider than the viewport."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def shoot(page: Page, name: str) -> list[Path]:
    """Full-page screenshots at phone and desktop widths, checking for sideways scrolling."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size or {"width": 360, "height": 800}
    paths = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        if width == 360:
            no_horizontal_scroll(page)
        path = ARTIFACTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    page.set_viewport_size(before)
    return paths


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def check_axe(page: Page, name: str) -> list[dict[str, Any]]:
    """Run axe-core on the page; fail on serious or critical violations, saying which."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations: list[dict[str, Any]] = results["violations"]
    out = ARTIFACTS.parent / "axe"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(violations, indent=2), encoding="utf-8")
    bad = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
    if bad:
        lines = [f"axe found {len(bad)} serious or critical problem(s) on {name} ({page.url}):"]
        for v in bad:
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
            for node in v["nodes"][:5]:
                lines.append(f"    at {node['target']}: {node.get('failureSummary', '')}")
        raise AssertionError("\n".join(lines))
    return violations


def fill_start(page: Page, age: str, sex: str) -> None:
    """Open the start page and give age and sex."""
    page.goto("/")
    page.get_by_label("Age (years)").fill(age)
    page.get_by_label("Sex (used for the statistics)").select_option(sex)


def question_id(page: Page) -> str:
    """The id of the question on screen."""
    return page.locator("input[name=q]").get_attribute("value") or ""


def question_kind(page: Page) -> str:
    """any_of, one_of, yes_no or number, read from the controls on screen."""
    if page.locator("#value").count():
        return "number"
    if page.locator("input[type=radio][name=o]").count():
        return "one_of"
    if page.locator("#answer-yes").count():
        return "yes_no"
    return "any_of"


@contextmanager
def new_panel(page: Page) -> Iterator[None]:
    """Wait, after what the block does, for a new question panel or the result page.

    The panel on screen is marked first; a new one, whether HTMX swapped it in or
    the browser loaded a whole page (JavaScript off), carries no mark.
    """
    page.evaluate(
        "() => { const p = document.getElementById('panel'); if (p) p.dataset.old = 'yes' }"
    )
    yield
    page.wait_for_function(
        """() => {
            if (location.pathname === '/result') return document.readyState !== 'loading';
            const p = document.getElementById('panel');
            return !!p && !p.dataset.old;
        }"""
    )


@dataclass
class Interview:
    """A person answering: options to tick per question, numbers per question, else "no"."""

    tick: Mapping[str, list[str]] = field(default_factory=dict)
    numbers: Mapping[str, str] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    on_screen: Callable[[Page, str, str], None] | None = None

    def answer(self, page: Page) -> None:
        """Answer the question on screen and wait for what comes next."""
        qid, kind = question_id(page), question_kind(page)
        self.asked.append(qid)
        if self.on_screen is not None:
            self.on_screen(page, qid, kind)
        with new_panel(page):
            self._act(page, qid, kind)

    def _act(self, page: Page, qid: str, kind: str) -> None:
        if kind == "any_of":
            chosen = self.tick.get(qid, [])
            for fid in chosen:
                page.locator(f"label[for='option-{fid}']").click()
            if not chosen:
                page.get_by_label("None of these").check()
            page.get_by_role("button", name="Continue").click()
        elif kind == "one_of":
            fid = self.tick.get(qid) or [page.locator("input[name=o]").first.get_attribute("value")]
            page.locator(f"label[for='option-{fid[0]}']").click()
            page.get_by_role("button", name="Continue").click()
        elif kind == "number":
            page.get_by_label("Your answer").fill(self.numbers.get(qid, "1"))
            page.get_by_role("button", name="Continue").click()
        else:
            page.get_by_role("button", name="No", exact=True).click()

    def run(self, page: Page, limit: int = 30) -> None:
        """Answer until the result page opens."""
        for _ in range(limit):
            if path_of(page) == "/result":
                return
            self.answer(page)
        raise AssertionError(f"no result after {limit} questions: {self.asked}")
