"""axe-core on every kind of page, at phone width, with screenshots to look at."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from myotriage import Evidence, KnowledgeBase, assess
from myotriage.web.tokens import encode_evidence
from tests.browser.support import (
    Interview,
    check_axe,
    fill_start,
    new_panel,
    question_kind,
    shoot,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/learn", "learn-index"),
        ("/learn/conditions/benign_fasciculation_syndrome", "learn-condition"),
        ("/learn/remedies/magnesium_idiopathic", "learn-remedy"),
        ("/learn/remedies/no_such_remedy", "not-found"),
    ],
)
def test_knowledge_pages(page: Page, path: str, name: str) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == (404 if name == "not-found" else 200)
    shoot(page, name)
    check_axe(page, name)


# Evidence reaching the levels the interview tests do not (they reach self-care and
# ambulance); the engine decides each level, the test only checks it is the one shown.
LEVEL_CASES = {
    "emergency": Evidence(age=40, sex="female", present=frozenset({"chest_pain"})),
    "consultation_24": Evidence(
        age=40,
        sex="female",
        present=frozenset({"cramp_present"}),
        values={"cramp_duration_minutes": 20},
    ),
    "consultation": Evidence(
        age=40,
        sex="female",
        present=frozenset({"twitch_present"}),
        values={"twitch_duration_weeks": 20},
    ),
}


def test_results_at_other_levels(page: Page, kb: KnowledgeBase) -> None:
    for level, ev in LEVEL_CASES.items():
        assert assess(ev, kb).triage.level.value == level
        page.goto(f"/result?e={encode_evidence(ev)}")
        assert page.locator(f"section.care.lvl-{level}").count() == 1
        check_axe(page, f"result-{level}")
    shoot(page, "result-consultation")


def test_yes_no_question_and_an_answer_to_fix(page: Page) -> None:
    fill_start(page, "60", "male")
    page.get_by_role("button", name="Start the guided interview").click()
    page.wait_for_url("**/interview?t=*")
    # Nothing ticked on the first question: the error summary takes the focus.
    with new_panel(page):
        page.get_by_role("button", name="Continue").click()
    assert page.evaluate("() => document.activeElement.classList.contains('error')")
    shoot(page, "question-error")
    check_axe(page, "question-error")
    person = Interview(tick={"q_complaint": ["pins_needles_hands_feet"]})
    for _ in range(25):
        if question_kind(page) == "yes_no":
            break
        person.answer(page)
    assert question_kind(page) == "yes_no", person.asked
    shoot(page, "question-yes-no")
    check_axe(page, "question-yes-no")
