"""The simulated patient of FORMAT.md's interview mode: it knows only its vignette."""

from __future__ import annotations

from dataclasses import dataclass

from myotriage.engine.evidence import Evidence
from myotriage.engine.interview import Answer, AnswerState, next_question, question_by_id
from myotriage.engine.interview import apply_answer as add_answer
from myotriage.eval.vignettes import Case
from myotriage.knowledge.base import KnowledgeBase
from myotriage.knowledge.schema import QuestionKind


@dataclass(frozen=True)
class Transcript:
    """What was asked and what the interview ended with."""

    evidence: Evidence
    asked: tuple[str, ...]
    stop_reason: str


def answer_for(case: Case, qid: str, kb: KnowledgeBase) -> Answer:
    """Yes for a listed present finding (or a parent of one), no for a listed absent
    finding (or a child of one), the number for a listed value, else don't know."""
    q = question_by_id(kb, qid)
    if q.kind == QuestionKind.number:
        return Answer(values={f: case.values.get(f) for f in q.findings})
    present = set(case.present)
    for f in case.present:
        present |= kb.ancestors.get(f, frozenset())
    absent = set(case.absent)
    for f in case.absent:
        absent |= kb.descendants.get(f, frozenset())
    states: dict[str, AnswerState] = {}
    for f in q.findings:
        states[f] = "yes" if f in present else "no" if f in absent else "unknown"
    return Answer(states=states)


def interview_case(case: Case, kb: KnowledgeBase) -> Transcript:
    """Play the interview to its stop with the case's person answering."""
    ev = Evidence(age=case.age, sex=case.sex)
    asked: list[str] = []
    while True:
        step = next_question(ev, kb, asked)
        if step.should_stop or step.question is None:
            return Transcript(evidence=ev, asked=tuple(asked), stop_reason=step.reason)
        qid = step.question.id
        ev = add_answer(ev, question_by_id(kb, qid), answer_for(case, qid, kb), kb)
        asked.append(qid)
