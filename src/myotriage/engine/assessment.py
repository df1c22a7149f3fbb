"""The Assessment: the one product every presenter (CLI, web, API, FHIR, PDF) shows.

Presenters never re-decide anything in here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from myotriage.knowledge.schema import Grade, TriageLevel


class Frozen(BaseModel):
    """Base for result objects: immutable, no unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class TriageReason(Frozen):
    """One reason the triage reached at least ``level``."""

    kind: Literal["red_flag", "condition", "group", "age", "unexplained", "uncertain", "default"]
    id: str
    name: str
    level: TriageLevel
    text: str


class Triage(Frozen):
    """What to do and by when."""

    level: TriageLevel
    title: str
    action: str
    timeframe: str
    reasons: list[TriageReason]
    worsening_advice: list[str]


class Factor(Frozen):
    """A finding that moved a cause's probability, with its likelihood ratio."""

    finding: str
    label: str
    state: Literal["present", "absent"]
    likelihood_ratio: float = Field(description="P(finding state | cause) / P(... | no cause)")
    direction: Literal["toward", "away"]


class Cause(Frozen):
    """A ranked likely cause."""

    id: str
    name: str
    probability: float = Field(ge=0.0, le=1.0)
    prior: float = Field(ge=0.0, le=1.0, description="Probability before any answers (age, sex)")
    urgency: TriageLevel
    description: str
    base_rate: str
    icd10cm: str
    why: list[Factor]


class SourceRef(Frozen):
    """A source cited by a recommendation."""

    id: str
    title: str
    url: str | None
    estimate: bool


class CautionNote(Frozen):
    """A caution that applies to this person."""

    severity: Literal["avoid", "caution"]
    text: str


class PlanItem(Frozen):
    """One recommendation with its evidence."""

    id: str
    name: str
    how: str
    grade: Grade
    grade_note: str
    clinician_only: bool
    for_causes: list[str]
    relevance: float = Field(ge=0.0)
    cautions: list[CautionNote]
    sources: list[SourceRef]
    article_says: str | None
    verdict_vs_article: str | None
    being_tried: bool


class Plan(Frozen):
    """The self-care plan, split by how to use each item."""

    self_care: list[PlanItem]
    ask_doctor: list[PlanItem]
    not_recommended: list[PlanItem]
    safety_net: list[str]


class EvidenceSummary(Frozen):
    """What the assessment was based on, after working out implications."""

    age: float
    sex: str
    present: list[str]
    absent: list[str]
    unknown: list[str]
    values: dict[str, float]


class Assessment(Frozen):
    """Triage, ranked causes with explanations, and the self-care plan."""

    disclaimer: str
    notices: list[str]
    triage: Triage
    causes: list[Cause]
    unexplained_probability: float = Field(
        ge=0.0, le=1.0, description="P(no condition the knowledge base models is active)"
    )
    unexplained_findings: list[str] = Field(
        description="Present symptoms that no modelled condition probably explains"
    )
    plan: Plan
    evidence: EvidenceSummary
