"""The ``myotriage`` command line (Typer + Rich). Thin: parse, call, present."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from myotriage.engine.assess import assess
from myotriage.engine.evidence import Evidence, Sex
from myotriage.errors import MyotriageError, Problem, ProblemsError
from myotriage.eval.run import Mode, evaluate
from myotriage.eval.vignettes import load_cases
from myotriage.knowledge.base import KnowledgeBase
from myotriage.knowledge.load import load_knowledge

app = typer.Typer(
    name="myotriage",
    help="Triage, likely causes and evidence-graded self-care for muscle twitching and cramps.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
kb_app = typer.Typer(help="Inspect and check the knowledge base.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")

KbOption = Annotated[
    Path | None,
    typer.Option("--kb", help="Folder with knowledge YAML files replacing the packaged ones."),
]


def fail(message: str, problems: list[Problem] | None = None) -> NoReturn:
    """Print a clear error (no traceback) and exit with status 2."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    err.print(f"[bold red]error:[/] {message}")
    for p in problems or []:
        err.print(f"  {p}")
    raise typer.Exit(code=2)


def _kb(folder: Path | None) -> KnowledgeBase:
    try:
        return load_knowledge(folder)
    except ProblemsError as exc:
        fail(exc.summary, exc.problems)


def _ids(raw: list[str]) -> frozenset[str]:
    return frozenset(x.strip() for item in raw for x in item.split(",") if x.strip())


def _values(raw: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in raw:
        for pair in (x.strip() for x in item.split(",") if x.strip()):
            key, sep, value = pair.partition("=")
            if not sep:
                fail(f"--value {pair!r}: write it as id=number, e.g. caffeine_mg_per_day=400")
            try:
                out[key.strip()] = float(value)
            except ValueError:
                fail(f"--value {pair!r}: {value!r} is not a number")
    return out


@app.command("assess")
def assess_cmd(
    age: Annotated[float | None, typer.Option(help="Age in years (0-120).")] = None,
    sex: Annotated[Sex | None, typer.Option(help="female or male.")] = None,
    yes: Annotated[
        list[str], typer.Option("--yes", help="Findings present (ids, comma-separated).")
    ] = [],  # noqa: B006 - Typer reads the default, never mutates it
    no: Annotated[
        list[str], typer.Option("--no", help="Findings absent (ids, comma-separated).")
    ] = [],  # noqa: B006
    value: Annotated[
        list[str],
        typer.Option("--value", help="Numbers as id=value, e.g. caffeine_mg_per_day=500."),
    ] = [],  # noqa: B006
    case: Annotated[
        Path | None, typer.Option("--case", help="Assess a vignette file instead of options.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Assessment as JSON.")] = False,
    kb_path: KbOption = None,
) -> None:
    """Assess one person and show triage, likely causes and a self-care plan."""
    kb = _kb(kb_path)
    if case is not None:
        try:
            cases = load_cases(case)
        except ProblemsError as exc:
            fail(exc.summary, exc.problems)
        if len(cases) != 1:
            fail(f"{case} holds {len(cases)} cases: give a file with exactly one")
        evidence = cases[0].evidence()
    else:
        if age is None or sex is None:
            fail("give --age and --sex (or --case FILE)")
        if not 0 <= age <= 120:
            fail(f"--age {age:g} is outside 0-120 years")
        try:
            evidence = Evidence(
                age=age, sex=sex, present=_ids(yes), absent=_ids(no), values=_values(value)
            )
        except ValidationError as exc:
            fail(
                "invalid input",
                [Problem(".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors()],
            )
    try:
        result = assess(evidence, kb)
    except ProblemsError as exc:
        fail(exc.summary, exc.problems)
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        from myotriage.cli.render import render_assessment

        render_assessment(result, Console())


@app.command("parse")
def parse_cmd(
    text: Annotated[str, typer.Argument(help="What the person says, in their own words.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the ParseResult as JSON.")] = False,
    kb_path: KbOption = None,
) -> None:
    """Turn free text into findings, values, age and sex, with what was not understood."""
    from myotriage.nlp.parse import parse

    kb = _kb(kb_path)
    try:
        result = parse(text, kb, date.today())
    except ProblemsError as exc:
        fail(exc.summary, exc.problems)
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    console = Console(highlight=False)
    table = Table(title="What we understood")
    for col in ("finding", "state", "said as"):
        table.add_column(col)
    for f in result.findings:
        style = {"present": "green", "absent": "red"}.get(f.state, "yellow")
        table.add_row(f.label, f"[{style}]{f.state}[/]", repr(f.text))
    for v in result.values:
        table.add_row(kb.findings[v.id].label, f"{v.value:g} {v.unit}", repr(v.text))
    console.print(table)
    if result.age is not None or result.sex is not None:
        console.print(
            f"Age: {result.age if result.age is not None else '?'}  "
            f"Sex: {result.sex.value if result.sex else '?'}"
        )
    for s in result.not_understood:
        console.print(f"[dim]Not understood: {s}[/]")
    for w in result.warnings:
        console.print(f"[yellow]{w}[/]")


@app.command("interview")
def interview_cmd(
    age: Annotated[
        float | None, typer.Option(help="Age in years (0-120); asked if omitted.")
    ] = None,
    sex: Annotated[Sex | None, typer.Option(help="female or male; asked if omitted.")] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json-out", help="Also save answers and result as JSON.")
    ] = None,
    kb_path: KbOption = None,
) -> None:
    """Answer questions one at a time and get the same result screen as ``assess``."""
    from myotriage.cli.interview import finish, run_interview

    if age is not None and not 0 <= age <= 120:
        fail(f"--age {age:g} is outside 0-120 years")
    if json_out is not None and not json_out.parent.is_dir():
        fail(f"--json-out {json_out}: folder {json_out.parent} does not exist")
    kb = _kb(kb_path)
    console = Console(highlight=False)
    try:
        session = run_interview(kb, console, age, sex)
    except (KeyboardInterrupt, EOFError):
        console.print("\nInterview stopped. Nothing was saved.")
        raise typer.Exit(code=130) from None
    except Exception as exc:  # Quit from the prompt
        from myotriage.cli.interview import Quit

        if isinstance(exc, Quit):
            console.print("Interview stopped. Nothing was saved.")
            raise typer.Exit(code=0) from None
        raise
    finish(kb, session, console, json_out)


@app.command("serve")
def serve_cmd(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
) -> None:
    """Run the web app and JSON API (uvicorn); settings also come from MYOTRIAGE_* variables."""
    import uvicorn
    from pydantic import ValidationError as SettingsError

    from myotriage.settings import Settings

    try:
        base = Settings()
        settings = base.model_copy(
            update={
                k: v
                for k, v in {"host": host, "port": port, "workers": workers}.items()
                if v is not None
            }
        )
        Settings.model_validate(settings.model_dump())
    except SettingsError as exc:
        fail(
            "invalid settings",
            [Problem(".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors()],
        )
    uvicorn.run(
        "myotriage.api.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
    )


@kb_app.command("check")
def kb_check(
    kb_path: KbOption = None,
    codes: Annotated[
        bool, typer.Option("--codes/--no-codes", help="Check ICD-10-CM and HPO codes (slow).")
    ] = True,
    vocabulary: Annotated[
        Path | None,
        typer.Option(help="vocabulary.yaml whose ids must all be defined (default: ../shared)."),
    ] = None,
) -> None:
    """Validate the knowledge base: schema, references, sources, codes, vocabulary."""
    from myotriage.knowledge.audit import DEFAULT_VOCABULARY, audit

    console = Console()
    kb = _kb(kb_path)
    if vocabulary is not None and not vocabulary.is_file():
        fail(f"--vocabulary {vocabulary}: no such file")
    voc = vocabulary or DEFAULT_VOCABULARY
    problems = audit(kb, vocabulary=voc if voc.is_file() else None, codes=codes)
    if problems:
        fail(f"knowledge base check failed with {len(problems)} problem(s)", problems)
    n_links = sum(len(c.links) for c in kb.conditions.values())
    console.print(
        f"[green]ok[/] {len(kb.conditions)} conditions, {len(kb.findings)} findings, "
        f"{n_links} links, {len(kb.rules)} red-flag rules, {len(kb.interventions)} "
        f"interventions, {len(kb.sources)} sources"
        + (" — codes checked" if codes else " — codes not checked")
        + (f" — vocabulary {voc} checked" if voc.is_file() else " — no vocabulary file found")
    )


@kb_app.command("show")
def kb_show(
    item_id: Annotated[
        str,
        typer.Argument(metavar="ID", help="A condition, finding, rule, intervention or source id."),
    ],
    kb_path: KbOption = None,
) -> None:
    """Show one knowledge-base entry as YAML-like JSON."""
    kb = _kb(kb_path)
    for table in (kb.conditions, kb.findings, kb.interventions, kb.sources):
        if item_id in table:
            sys.stdout.write(json.dumps(table[item_id].model_dump(mode="json"), indent=2) + "\n")
            return
    for rule in kb.rules:
        if rule.id == item_id:
            sys.stdout.write(
                json.dumps(rule.model_dump(mode="json", exclude_none=True), indent=2) + "\n"
            )
            return
    import difflib

    known = [
        *kb.conditions,
        *kb.findings,
        *kb.interventions,
        *kb.sources,
        *(r.id for r in kb.rules),
    ]
    close = difflib.get_close_matches(item_id, known, n=3, cutoff=0.5)
    hint = f" (did you mean: {', '.join(close)}?)" if close else ""
    fail(f"no knowledge-base entry {item_id!r}{hint}")


@app.command("eval")
def eval_cmd(
    path: Annotated[Path, typer.Argument(help="A vignette file or a folder of them.")],
    mode: Annotated[Mode, typer.Option(help="How cases are given to the product.")] = Mode.full,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    kb_path: KbOption = None,
) -> None:
    """Score the product on vignettes (FORMAT.md): triage, safety, top-1/top-3."""
    kb = _kb(kb_path)
    try:
        cases = load_cases(path)
    except ProblemsError as exc:
        fail(exc.summary, exc.problems)
    err_console = Console(stderr=True)
    with Progress(console=err_console, transient=True, disable=as_json) as progress:
        task = progress.add_task(f"{mode.value}: {len(cases)} cases", total=len(cases))
        summary = evaluate(cases, kb, mode, lambda n: progress.update(task, completed=n))
    out = summary.as_dict()
    if as_json:
        sys.stdout.write(json.dumps(out) + "\n")
        return
    console = Console()
    table = Table(title=f"myotriage eval — {path} — mode {mode.value}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, val in out.items():
        if key != "failures":
            table.add_row(key, f"{val:.1%}" if isinstance(val, float) else str(val))
    console.print(table)
    if out["failures"]:
        ft = Table(title="Failures")
        for col in ("case", "expected", "got", "problems"):
            ft.add_column(col)
        for f in out["failures"]:
            ft.add_row(
                f["id"],
                f"{f['expected']['triage']} {f['expected']['conditions'][:2]}",
                f"{f['got']['triage']} {f['got']['top3']}",
                ", ".join(f["problems"]),
            )
        console.print(ft)


def main() -> None:
    """Console-script entry point: errors become one clear message and exit 2."""
    try:
        app()
    except MyotriageError as exc:  # anything an interface forgot to map
        Console(stderr=True).print(f"[bold red]error:[/] {exc}")
        raise SystemExit(2) from None
