"""The guided interview in the browser, apart from HTTP: replaying the answers a
token holds, reading one submitted answer, and the words a question screen needs.

The engine chooses every question and decides when to stop
(:func:`myotriage.engine.interview.next_question`); this module only turns
form fields into an engine :class:`Answer` and says plainly what to fix when
they do not make one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from myotriage.engine.evidence import Evidence
from myotriage.engine.interview import (
    Answer,
    AnswerState,
    InterviewQuestion,
    apply_answer,
    question_by_id,
)
from myotriage.knowledge.base import KnowledgeBase
from myotriage.knowledge.schema import QuestionKind
from myotriage.phrasing import in_sentence
from myotriage.web.tokens import AnsweredQuestion, InterviewState

# How each unit of a number question reads after a number ("3 weeks").
UNIT_WORDS: dict[str, str] = {
    "mg_per_day": "mg a day",
    "hours": "hours",
    "weeks": "weeks",
    "minutes": "minutes",
    "per_week": "times a week",
    "units_per_week": "units a week",
    "celsius": "°C",
}

PHASE_WORDS = {
    "screening": "Checking for warning signs first",
    "information": "Narrowing down the likely cause",
}


@dataclass(frozen=True)
class Submitted:
    """What the person sent for one question, kept to show it again if it needs fixing."""

    action: str = "answer"
    chosen: tuple[str, ...] = ()
    none: bool = False
    value: str = ""


@dataclass(frozen=True)
class FormProblem:
    """Why a submitted answer cannot be used: the control to fix and what to do."""

    field: str
    message: str


def replay(state: InterviewState, kb: KnowledgeBase) -> Evidence:
    """The evidence after every answer in ``state``, applied in order.

    Raises :class:`myotriage.errors.EvidenceError` when an answer does not fit
    the knowledge base (a tampered or outdated link).
    """
    ev = state.start
    for step in state.answers:
        ev = apply_answer(ev, question_by_id(kb, step.question), step.answer, kb)
    return ev


def unit_words(q: InterviewQuestion) -> str:
    """The unit of a number question as it reads after a number ("weeks", "°C")."""
    return UNIT_WORDS.get(q.unit or "", q.unit or "")


def number_text(value: float) -> str:
    """A number as a person would type it: 2.5, 100, not 100.0."""
    return f"{value:g}"


def _parse_number(raw: str) -> float | None:
    text = raw.strip().replace(" ", "")
    # A lone comma is a decimal comma ("2,5"); commas with a dot are thousands ("1,200.5").
    text = text.replace(",", "") if "." in text else text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def first_control(q: InterviewQuestion) -> str:
    """The id of the first answer control of a question (where an error message points)."""
    if q.kind == QuestionKind.number:
        return "value"
    if q.kind == QuestionKind.yes_no:
        return "answer-yes"
    return f"option-{q.options[0].finding}"


def read_answer(q: InterviewQuestion, sub: Submitted) -> Answer | FormProblem:
    """Turn the submitted form into an engine answer, or say what to fix.

    Only options shown on the screen can be answered; an option ticked on a
    "check all that apply" question means yes and every other shown option no.
    """
    ids = [o.finding for o in q.options]
    if sub.action == "dont_know":
        if q.kind == QuestionKind.number:
            return Answer(values={ids[0]: None})
        return Answer(states=dict.fromkeys(ids, "unknown"))
    if q.kind == QuestionKind.yes_no:
        if sub.action in ("yes", "no"):
            state: AnswerState = "yes" if sub.action == "yes" else "no"
            return Answer(states={ids[0]: state})
        return FormProblem(first_control(q), "Choose Yes or No, or press Don't know.")
    if q.kind == QuestionKind.number:
        if not sub.value.strip():
            return FormProblem("value", "Type a number, or press Don't know.")
        value = _parse_number(sub.value)
        if value is None:
            return FormProblem(
                "value",
                f"'{sub.value.strip()}' is not a number: type digits, such as 3 or 2.5.",
            )
        if q.range is not None and not q.range.min <= value <= q.range.max:
            return FormProblem(
                "value",
                f"Give a number between {number_text(q.range.min)} and "
                f"{number_text(q.range.max)} {unit_words(q)}.",
            )
        return Answer(values={ids[0]: value})
    first = first_control(q)
    if any(c not in ids for c in sub.chosen):
        return FormProblem(first, "That answer is not one of the choices shown: choose again.")
    chosen = set(sub.chosen)
    if q.kind == QuestionKind.one_of:
        if len(chosen) != 1:
            message = "Choose one answer" if not chosen else "Choose only one answer"
            return FormProblem(first, f"{message}, or press Don't know.")
    else:
        if sub.none and chosen:
            return FormProblem(
                "option-none",
                "You ticked 'None of these' and other answers: untick one or the other.",
            )
        if not sub.none and not chosen:
            message = "Tick every answer that applies, or 'None of these', or press Don't know."
            return FormProblem(first, message)
    return Answer(states={f: ("yes" if f in chosen else "no") for f in ids})


def prefill(q: InterviewQuestion, undone: AnsweredQuestion | None) -> Submitted:
    """The answer to show pre-filled: the one just undone by "Back", if it was for ``q``."""
    if undone is None or undone.question != q.id:
        return Submitted()
    states = undone.answer.states
    values = [v for v in undone.answer.values.values() if v is not None]
    chosen = tuple(f for f, s in states.items() if s == "yes")
    none = bool(states) and all(s == "no" for s in states.values())
    return Submitted(chosen=chosen, none=none, value=number_text(values[0]) if values else "")


def noted(ev: Evidence, kb: KnowledgeBase) -> list[str]:
    """What the starting evidence says, in words ("No weakness", "Caffeine: 500 mg a day")."""
    lines = [kb.findings[f].label for f in sorted(ev.present) if f in kb.findings]
    lines += [
        f"No {in_sentence(kb.findings[f].label)}" for f in sorted(ev.absent) if f in kb.findings
    ]
    for fid, value in sorted(ev.values.items()):
        f = kb.findings.get(fid)
        if f is not None:
            unit = UNIT_WORDS.get(f.unit.value, f.unit.value) if f.unit else ""
            lines.append(f"{f.label}: {number_text(value)} {unit}".rstrip())
    return lines
