"""Run vignettes through the product in a given mode and score them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum

from myotriage.engine.assess import assess
from myotriage.errors import MyotriageError
from myotriage.eval.metrics import CaseResult, Summary, result_for
from myotriage.eval.vignettes import Case
from myotriage.knowledge.base import KnowledgeBase
from myotriage.knowledge.schema import TriageLevel


class Mode(StrEnum):
    """How a case is given to the product (FORMAT.md "How cases are scored")."""

    full = "full"


def run_full(case: Case, kb: KnowledgeBase) -> CaseResult:
    """All of present, absent and values given at once."""
    try:
        return result_for(case, assess(case.evidence(), kb))
    except MyotriageError as exc:
        # A case the product cannot read is scored as a failure, never skipped.
        return CaseResult(case=case, level=TriageLevel.self_care, ranked=[], error=str(exc))


RUNNERS: dict[Mode, Callable[[Case, KnowledgeBase], CaseResult]] = {Mode.full: run_full}


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
