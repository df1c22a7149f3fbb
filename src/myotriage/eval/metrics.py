"""Score assessments against vignettes (``shared/vignettes/FORMAT.md``, "How cases are scored")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from myotriage.engine.assessment import Assessment
from myotriage.eval.vignettes import Case
from myotriage.knowledge.schema import TriageLevel

# Expected levels at or above this are safety failures when under-triaged.
SAFETY_LEVEL = TriageLevel.consultation_24


@dataclass(frozen=True)
class CaseResult:
    """How one case came out."""

    case: Case
    level: TriageLevel
    ranked: list[str]
    error: str | None = None
    questions: int | None = None
    full_level: TriageLevel | None = None
    extracted: int | None = None
    extracted_agreeing: int | None = None
    truth_size: int | None = None

    @property
    def expected(self) -> TriageLevel:
        """The expected triage level."""
        return self.case.expected.triage

    @property
    def under(self) -> bool:
        """Less urgent than expected."""
        return self.level < self.expected

    @property
    def unsafe(self) -> bool:
        """Under-triage of a case that needed consultation_24 or more urgent."""
        return self.under and self.expected >= SAFETY_LEVEL

    @property
    def top1(self) -> bool | None:
        """First expected condition ranked first (None when the case has none)."""
        exp = self.case.expected.conditions
        return None if not exp else bool(self.ranked) and self.ranked[0] == exp[0]

    @property
    def top3(self) -> bool | None:
        """Any expected condition in the top three (None when the case has none)."""
        exp = self.case.expected.conditions
        return None if not exp else any(c in self.ranked[:3] for c in exp)

    @property
    def forbidden_first(self) -> bool:
        """A ``not_conditions`` id was ranked first."""
        return bool(self.ranked) and self.ranked[0] in self.case.expected.not_conditions


def result_for(case: Case, assessment: Assessment, questions: int | None = None) -> CaseResult:
    """Summarise an assessment of a case for scoring."""
    return CaseResult(
        case=case,
        level=assessment.triage.level,
        ranked=[c.id for c in assessment.causes],
        questions=questions,
    )


@dataclass
class Summary:
    """Aggregate figures over a set of case results."""

    results: list[CaseResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON object ``myotriage eval --json`` prints."""
        scored = [r for r in self.results if r.error is None]
        n = len(scored)
        with_conditions = [r for r in scored if r.case.expected.conditions]
        m = len(with_conditions)

        def frac(k: int, d: int) -> float:
            return round(k / d, 4) if d else 0.0

        failures = []
        for r in self.results:
            problems = []
            if r.error is not None:
                problems.append(f"error: {r.error}")
            else:
                if r.level != r.expected:
                    problems.append("unsafe" if r.unsafe else ("under" if r.under else "over"))
                if r.top3 is False:
                    problems.append("top3")
                elif r.top1 is False:
                    problems.append("top1")
                if r.forbidden_first:
                    problems.append("not_condition_first")
                if r.full_level is not None and r.level != r.full_level:
                    problems.append("disagrees_with_full")
            if problems:
                failures.append(
                    {
                        "id": r.case.id,
                        "expected": {
                            "triage": r.expected.value,
                            "conditions": r.case.expected.conditions,
                        },
                        "got": {"triage": r.level.value, "top3": r.ranked[:3]}
                        | ({"questions": r.questions} if r.questions is not None else {}),
                        "problems": problems,
                    }
                )
        extra: dict[str, Any] = {}
        asked = [r.questions for r in scored if r.questions is not None]
        if asked:
            extra["questions_median"] = float(np.median(asked))
            extra["questions_p90"] = float(np.percentile(asked, 90))
            extra["questions_max"] = max(asked)
        texts = [r for r in scored if r.extracted is not None]
        if texts:
            agree = sum(r.extracted_agreeing or 0 for r in texts)
            extra["finding_precision"] = frac(agree, sum(r.extracted or 0 for r in texts))
            extra["finding_recall"] = frac(agree, sum(r.truth_size or 0 for r in texts))
        compared = [r for r in scored if r.full_level is not None]
        if compared:
            extra["agreement"] = frac(sum(r.level == r.full_level for r in compared), len(compared))
        return {
            "cases": len(self.results),
            "errors": sum(r.error is not None for r in self.results),
            "triage_exact": frac(sum(r.level == r.expected for r in scored), n),
            "under_triage": frac(sum(r.under for r in scored), n),
            "unsafe": sum(r.unsafe for r in scored),
            "over_triage": frac(sum(r.level > r.expected for r in scored), n),
            "top1": frac(sum(bool(r.top1) for r in with_conditions), m),
            "top3": frac(sum(bool(r.top3) for r in with_conditions), m),
            "not_condition_first": sum(r.forbidden_first for r in scored),
            **extra,
            "failures": failures,
        }
