"""The interactive terminal interview: one question at a time.

Thin: the engine chooses every question and decides when to stop; this module
only reads answers, keeps a history for "back", and shows the result.
Plain line input (no full-screen UI), so it works in any terminal and when a
program drives it through a pseudo-terminal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.text import Text

from myotriage.engine.assess import assess
from myotriage.engine.evidence import Evidence, Sex
from myotriage.engine.interview import (
    Answer,
    AnswerState,
    InterviewQuestion,
    apply_answer,
    next_question,
    question_by_id,
)
from myotriage.errors import ProblemsError
from myotriage.knowledge.base import KnowledgeBase
from myotriage.knowledge.schema import QuestionKind

BAR = 20
HELP = "y = yes, n = no, ? = don't know, b = back to the previous question, q = quit"


class Back(Exception):
    """The person asked to go back one question."""


class Quit(Exception):
    """The person asked to stop."""


@dataclass
class Session:
    """Evidence so far, questions asked, and the history that 'back' rewinds."""

    evidence: Evidence
    asked: list[str] = field(default_factory=list)
    history: list[tuple[Evidence, list[str]]] = field(default_factory=list)


def _read(console: Console, prompt: str) -> str:
    raw = console.input(prompt).strip()
    low = raw.lower()
    if low in {"b", "back"}:
        raise Back
    if low in {"q", "quit", "exit"}:
        raise Quit
    return raw


def ask_age(console: Console) -> float:
    """Ask for age until it is a number in 0-120."""
    while True:
        raw = console.input("How old are you (years)? ").strip()
        try:
            age = float(raw)
        except ValueError:
            console.print(f"[red]'{raw}' is not a number: type your age in years, e.g. 34.[/]")
            continue
        if 0 <= age <= 120:
            return age
        console.print("[red]Age must be between 0 and 120 years.[/]")


def ask_sex(console: Console) -> Sex:
    """Ask for sex (used for the priors) until it is female or male."""
    while True:
        raw = console.input("Sex, for the statistics (f = female, m = male)? ").strip().lower()
        if raw in {"f", "female"}:
            return Sex.female
        if raw in {"m", "male"}:
            return Sex.male
        console.print("[red]Please type f or m.[/]")


def _show(console: Console, q: InterviewQuestion, n: int, cap: int) -> None:
    filled = min(BAR, round(BAR * n / cap))
    bar = "█" * filled + "░" * (BAR - filled)
    stage = "warning signs" if q.phase == "screening" else "narrowing down"
    console.print()
    console.print(Text(f"Question {n}  {bar}  ({stage}; at most {cap})", style="cyan"))
    console.print(Text(q.text, style="bold"))
    console.print(Text(f"Why we ask: {q.rationale}", style="dim"))
    if q.kind in (QuestionKind.any_of, QuestionKind.one_of):
        for i, opt in enumerate(q.options, start=1):
            console.print(f"  {i:>2}. {opt.label}")


def _parse_numbers(raw: str, n: int) -> list[int] | None:
    parts = [p for p in raw.replace(" ", ",").split(",") if p]
    try:
        picks = [int(p) for p in parts]
    except ValueError:
        return None
    if any(not 0 <= p <= n for p in picks):
        return None
    return sorted(set(picks) - {0})


def read_answer(console: Console, q: InterviewQuestion) -> Answer:
    """Read one answer; re-ask on bad input without losing anything."""
    ids = [o.finding for o in q.options]
    while True:
        if q.kind == QuestionKind.yes_no:
            raw = _read(console, "Answer (y / n / ? / b / q): ").lower()
            states: dict[str, AnswerState] = {}
            if raw in {"y", "yes"}:
                states = {ids[0]: "yes"}
            elif raw in {"n", "no"}:
                states = {ids[0]: "no"}
            elif raw in {"?", "dk", "don't know", "dont know"}:
                states = {ids[0]: "unknown"}
            else:
                console.print(f"[red]Please answer with one of: {HELP}.[/]")
                continue
            return Answer(states=states)
        if q.kind == QuestionKind.number:
            rng = f" ({q.range.min:g}-{q.range.max:g})" if q.range else ""
            raw = _read(console, f"Number in {q.unit}{rng}, ? = don't know, b = back: ")
            if raw in {"?", ""}:
                return Answer(values={ids[0]: None})
            try:
                value = float(raw)
            except ValueError:
                console.print(f"[red]'{raw}' is not a number.[/]")
                continue
            if q.range and not q.range.min <= value <= q.range.max:
                console.print(
                    f"[red]Please give a number between {q.range.min:g} and "
                    f"{q.range.max:g} {q.unit}.[/]"
                )
                continue
            return Answer(values={ids[0]: value})
        single = q.kind == QuestionKind.one_of
        hint = "one number" if single else "numbers that apply, e.g. 1,3 (0 = none)"
        raw = _read(console, f"Type {hint}, ? = don't know, b = back: ")
        if raw == "?":
            return Answer(states=dict.fromkeys(ids, "unknown"))
        picks = _parse_numbers(raw, len(ids))
        if picks is None or (single and len(picks) != 1):
            console.print(f"[red]Please type {hint}, using the numbers listed.[/]")
            continue
        chosen = {ids[p - 1] for p in picks}
        return Answer(states={f: ("yes" if f in chosen else "no") for f in ids})


def run_interview(
    kb: KnowledgeBase, console: Console, age: float | None, sex: Sex | None
) -> Session:
    """Ask questions until the engine stops; returns the finished session."""
    console.print(
        Text("myotriage interview. " + HELP + ". Ctrl-C leaves at any time.", style="dim")
    )
    session = Session(
        Evidence(
            age=age if age is not None else ask_age(console),
            sex=sex if sex is not None else ask_sex(console),
        )
    )
    while True:
        step = next_question(session.evidence, kb, session.asked)
        if step.should_stop or step.question is None:
            console.print(Text(f"\n{step.reason}", style="italic"))
            return session
        q = step.question
        _show(console, q, len(session.asked) + 1, step.max_questions)
        try:
            answer = read_answer(console, q)
        except Back:
            if session.history:
                session.evidence, session.asked = session.history.pop()
                console.print(Text("Going back one question.", style="yellow"))
            else:
                console.print(Text("This is the first question.", style="yellow"))
            continue
        try:
            new = apply_answer(session.evidence, question_by_id(kb, q.id), answer, kb)
        except ProblemsError as exc:
            console.print(f"[red]{exc.describe()}[/]")
            continue
        session.history.append((session.evidence, list(session.asked)))
        session.evidence = new
        session.asked.append(q.id)


def finish(kb: KnowledgeBase, session: Session, console: Console, json_out: Path | None) -> None:
    """Show the result screen (the same as ``assess``) and optionally save it."""
    from myotriage.cli.render import render_assessment

    result = assess(session.evidence, kb)
    console.print()
    render_assessment(result, console)
    if json_out is not None:
        payload = {
            "asked": session.asked,
            "evidence": json.loads(session.evidence.model_dump_json()),
            "assessment": json.loads(result.model_dump_json()),
        }
        json_out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        console.print(Text(f"Saved to {json_out}", style="dim"))
