"""Run vignettes through the product in a given mode and score them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from enum import StrEnum

from myotriage.engine.assess import assess
from myotriage.errors import CaseFileError, MyotriageError, Problem
from myotriage.eval.metrics import CaseResult, Summary, result_for
from myotriage.eval.simulate import interview_case
from myotriage.eval.vignettes import Case
from myotriage.knowledge.base import KnowledgeBase
from myotriage.knowledge.schema import TriageLevel


class Mode(StrEnum):
    """How a case is given to the product (FORMAT.md "How cases are scored")."""

    full = "full"
    interview = "interview"
    text = "text"


def run_full(case: Case, kb: KnowledgeBase) -> CaseResult:
    """All of present, absent and values given at once."""
    try:
        return result_for(case, assess(case.evidence(), kb))
    except MyotriageError as exc:
        # A case the product cannot read is scored as a failure, never skipped.
        return CaseResult(case=case, level=TriageLevel.self_care, ranked=[], error=str(exc))


def run_interview(case: Case, kb: KnowledgeBase) -> CaseResult:
    """A simulated person answers the interview from the vignette; count the questions.

    The full-evidence triage is kept alongside for the agreement measure.
    """
    try:
        transcript = interview_case(case, kb)
        result = result_for(case, assess(transcript.evidence, kb), len(transcript.asked))
        full = assess(case.evidence(), kb).triage.level
        return replace(result, full_level=full)
    except MyotriageError as exc:
        return CaseResult(case=case, level=TriageLevel.self_care, ranked=[], error=str(exc))


def run_text(case: Case, kb: KnowledgeBase) -> CaseResult:
    """Only age, sex and the case's text, through the free-text parser; no questions.

    Extracted findings are scored against the case's present/absent lists: a
    present finding also counts its implied parents (cases list those too).
    """
    from myotriage.nlp.parse import parse

    try:
        if not case.text:
            raise CaseFileError("No text.", [Problem(case.id, "the case has no text")])
        parsed = parse(case.text, kb)
        ev = parsed.evidence(kb, age=case.age, sex=case.sex)
        present = set(parsed.present())
        for f in list(present):
            present |= kb.ancestors.get(f, frozenset())
        extracted = {f: True for f in present} | {f: False for f in parsed.absent()}
        truth = {f: True for f in case.present} | {f: False for f in case.absent}
        result = result_for(case, assess(ev, kb))
        return replace(
            result,
            extracted=len(extracted),
            extracted_agreeing=sum(truth.get(f) is v for f, v in extracted.items()),
            truth_size=len(truth),
        )
    except MyotriageError as exc:
        return CaseResult(case=case, level=TriageLevel.self_care, ranked=[], error=str(exc))


RUNNERS: dict[Mode, Callable[[Case, KnowledgeBase], CaseResult]] = {
    Mode.full: run_full,
    Mode.interview: run_interview,
    Mode.text: run_text,
}


def evaluate(
    cases: Iterable[Case],
    kb: KnowledgeBase,
    mode: Mode = Mode.full,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Run every case in ``mode`` and collect the results."""
    summary = Summary()
    runner = RUNNERS[mode]
    for n, case in enumerate(cases, start=1):
        summary.results.append(runner(case, kb))
        if progress is not None:
            progress(n)
    return summary
