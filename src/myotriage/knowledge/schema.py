"""The one strict schema for myotriage's knowledge base.

Every YAML file under ``knowledge/data`` is validated against these models:
unknown keys are rejected, every number is ranged and every closed set is an
enum. Cross-references (a link naming a finding, a rule naming a source) are
checked later by :mod:`myotriage.knowledge.load`, which sees all files at once.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", min_length=2, max_length=64)]
SourceId = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]*$", min_length=2, max_length=32)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class StrictModel(BaseModel):
    """Base for knowledge entries: frozen, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class TriageLevel(StrEnum):
    """Triage levels, ordered so that the more urgent level compares greater.

    "Most urgent wins" is therefore ``max(levels)``.
    """

    self_care = "self_care"
    consultation = "consultation"
    consultation_24 = "consultation_24"
    emergency = "emergency"
    emergency_ambulance = "emergency_ambulance"

    @property
    def rank(self) -> int:
        """0 for self_care up to 4 for emergency_ambulance."""
        return _LEVEL_RANK[self]

    # str's own comparisons would order levels alphabetically: override all four.
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, TriageLevel):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, TriageLevel):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, TriageLevel):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, TriageLevel):
            return NotImplemented
        return self.rank >= other.rank


# Keyed by member (a str hash), not by .value: the enum descriptor is slow on hot paths.
_LEVEL_RANK: dict[TriageLevel, int] = {level: n for n, level in enumerate(TriageLevel)}


class Grade(StrEnum):
    """Evidence grade of an intervention (definitions in ``clinical/brief.md``)."""

    strong = "strong"
    moderate = "moderate"
    weak = "weak"
    insufficient = "insufficient"
    evidence_against = "evidence_against"


class ConditionGroup(StrEnum):
    """Clinical family a condition belongs to."""

    benign_lifestyle = "benign_lifestyle"
    electrolyte_metabolic_drug = "electrolyte_metabolic_drug"
    neuromuscular = "neuromuscular"
    face_eyelid = "face_eyelid"
    mimic_emergency = "mimic_emergency"


class FindingKind(StrEnum):
    """What sort of fact a finding is."""

    symptom = "symptom"
    sign = "sign"
    exposure = "exposure"
    medication = "medication"
    condition_history = "condition_history"
    risk_factor = "risk_factor"
    demographic = "demographic"
    derived = "derived"


class Unit(StrEnum):
    """Units of numeric findings."""

    mg_per_day = "mg_per_day"
    hours = "hours"
    weeks = "weeks"
    minutes = "minutes"
    per_week = "per_week"
    units_per_week = "units_per_week"
    celsius = "celsius"


class Topic(StrEnum):
    """Complaint areas, used to pick relevant safety-net lines and remedies."""

    twitch = "twitch"
    cramp = "cramp"
    leg = "leg"
    eye_face = "eye_face"
    weakness = "weakness"
    general = "general"


class Source(StrictModel):
    """A cited source; ``estimate`` marks expert background knowledge (BK-verify)."""

    id: SourceId
    title: Text
    url: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2030)
    estimate: bool = False
    note: str | None = None


class AgePrior(StrictModel):
    """Prior probability that the condition is active, for an age band, by sex."""

    ages: tuple[Annotated[int, Field(ge=0, le=120)], Annotated[int, Field(ge=0, le=120)]]
    female: Annotated[float, Field(ge=0.0, le=0.9)]
    male: Annotated[float, Field(ge=0.0, le=0.9)]

    @model_validator(mode="after")
    def _ordered(self) -> AgePrior:
        if self.ages[0] > self.ages[1]:
            raise ValueError(f"age band {self.ages} runs backwards")
        return self


class Link(StrictModel):
    """Noisy-OR link: probability the condition alone produces the finding."""

    finding: Identifier
    p: Annotated[float, Field(gt=0.0, le=0.999)]
    estimate: bool = True
    sources: list[SourceId] = Field(min_length=1)
    note: str | None = None


class Condition(StrictModel):
    """A cause the engine ranks."""

    id: Identifier
    name: Text
    short_name: Annotated[str, Field(min_length=1, max_length=60)]
    icd10cm: Annotated[str, Field(pattern=r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")]
    group: ConditionGroup
    urgency: TriageLevel
    action_threshold: Annotated[float, Field(gt=0.0, le=1.0)]
    description: Text
    base_rate: Text
    priors: list[AgePrior] = Field(min_length=1)
    prior_estimate: bool = True
    prior_sources: list[SourceId] = Field(min_length=1)
    sources: list[SourceId] = Field(min_length=1)
    topics: list[Topic] = Field(min_length=1)
    links: list[Link] = Field(min_length=1)

    @model_validator(mode="after")
    def _priors_cover_all_ages(self) -> Condition:
        bands = sorted(self.priors, key=lambda b: b.ages[0])
        expected = 0
        for band in bands:
            if band.ages[0] != expected:
                raise ValueError(
                    f"priors must cover ages 0-120 without gaps or overlaps; "
                    f"band {band.ages} should start at {expected}"
                )
            expected = band.ages[1] + 1
        if expected != 121:
            raise ValueError("priors must cover ages 0-120; the last band must end at 120")
        seen: set[str] = set()
        for link in self.links:
            if link.finding in seen:
                raise ValueError(f"finding {link.finding!r} is linked twice")
            seen.add(link.finding)
        return self


class Comparison(StrictModel):
    """A numeric test on a finding's value."""

    finding: Identifier
    op: Literal[">", ">=", "<", "<="]
    value: float


class NumberRange(StrictModel):
    """Accepted range of a numeric finding, in its unit."""

    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> NumberRange:
        if self.min >= self.max:
            raise ValueError("min must be below max")
        return self


class Finding(StrictModel):
    """Something the person can tell us: a yes/no finding or a number.

    A ``derived`` finding is never asked: it is present when ``from_value``
    holds for the numeric finding it names and absent when it does not.
    ``leak`` is the chance the finding is present with none of the modelled
    conditions active (boolean and derived findings only).
    """

    id: Identifier
    label: Annotated[str, Field(min_length=1, max_length=80)]
    kind: FindingKind
    type: Literal["boolean", "number"]
    question: Text
    unit: Unit | None = None
    range: NumberRange | None = None
    hpo: Annotated[str, Field(pattern=r"^HP:[0-9]{7}$")] | None = None
    synonyms: list[str] = Field(default_factory=list)
    red_flag: bool = False
    implies: list[Identifier] = Field(default_factory=list)
    leak: Annotated[float, Field(ge=0.0, lt=1.0)] | None = None
    leak_sources: list[SourceId] = Field(default_factory=list)
    from_value: Comparison | None = None

    @model_validator(mode="after")
    def _type_fields(self) -> Finding:
        if self.type == "number":
            if self.unit is None or self.range is None:
                raise ValueError("a number finding needs a unit and a range")
            if self.leak is not None:
                raise ValueError("a number finding has no leak: link its derived findings")
        else:
            if self.unit is not None or self.range is not None:
                raise ValueError("a boolean finding has no unit or range")
            if self.leak is None:
                raise ValueError("a boolean finding needs a leak (chance with no modelled cause)")
        if (self.kind == FindingKind.derived) != (self.from_value is not None):
            raise ValueError("from_value is required for kind 'derived' and only for it")
        return self


class Expr(StrictModel):
    """A condition on the evidence, used by red-flag rules and cautions.

    Exactly one key is set:
    ``present`` (finding known present), ``absent`` (finding known absent),
    ``not_present`` (absent or unknown), ``all``/``any`` (lists of
    expressions), ``compare`` (numeric value test; false when unknown),
    ``age_below``/``age_at_least`` (years), ``sex``.
    """

    present: Identifier | None = None
    absent: Identifier | None = None
    not_present: Identifier | None = None
    all: list[Expr] | None = None
    any: list[Expr] | None = None
    compare: Comparison | None = None
    age_below: Annotated[float, Field(ge=0, le=121)] | None = None
    age_at_least: Annotated[float, Field(ge=0, le=121)] | None = None
    sex: Literal["female", "male"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: object) -> object:
        # A bare string means "this finding is present": keeps rule files short.
        if isinstance(data, str):
            return {"present": data}
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> Expr:
        keys = [k for k, v in self.__dict__.items() if v is not None]
        if len(keys) != 1:
            raise ValueError(f"an expression has exactly one key; got {keys or 'none'}")
        for key in ("all", "any"):
            items = getattr(self, key)
            if items is not None and not items:
                raise ValueError(f"'{key}' needs at least one expression")
        return self


class RedFlagRule(StrictModel):
    """A rule that forces a minimum triage level whatever the probabilities say."""

    id: Annotated[str, Field(pattern=r"^R[0-9]+[a-z]?$")]
    name: Text
    level: TriageLevel
    when: Expr
    reason: Text
    advice: Text
    safety_net: Text
    topics: list[Topic] = Field(min_length=1)
    sources: list[SourceId] = Field(min_length=1)
    estimate: bool = False


class Caution(StrictModel):
    """A warning that applies to this person when ``when`` holds."""

    when: Expr
    severity: Literal["avoid", "caution"]
    text: Text


class Intervention(StrictModel):
    """A remedy or treatment, graded, with the conditions it is relevant to."""

    id: Identifier
    name: Text
    how: Text
    for_conditions: list[Identifier] = Field(min_length=1)
    grade: Grade
    grade_note: Text
    clinician_only: bool
    in_seed_article: bool = False
    article_says: str | None = None
    verdict_vs_article: str | None = None
    trying_when: list[Identifier] = Field(default_factory=list)
    cautions: list[Caution] = Field(default_factory=list)
    sources: list[SourceId] = Field(min_length=1)
    estimate: bool = False

    @model_validator(mode="after")
    def _article(self) -> Intervention:
        if self.in_seed_article and not self.article_says:
            raise ValueError("an intervention from the seed article needs 'article_says'")
        return self


class QuestionKind(StrEnum):
    """How a question is answered."""

    yes_no = "yes_no"
    one_of = "one_of"  # exactly one option applies
    any_of = "any_of"  # check all that apply
    number = "number"


class Question(StrictModel):
    """A question of the adaptive interview, over one or more findings.

    ``forced`` questions form the screening phase: each is asked, in file
    order, as soon as ``ask_when`` holds, before any question chosen by
    information gain. Findings not covered by any question here get a yes/no
    (or number) question of their own, built from the finding's text.
    """

    id: Identifier
    kind: QuestionKind
    text: Text
    findings: list[Identifier] = Field(min_length=1)
    forced: bool = False
    ask_when: Expr | None = None
    rationale: Text

    @model_validator(mode="after")
    def _arity(self) -> Question:
        single = self.kind in (QuestionKind.yes_no, QuestionKind.number)
        if single and len(self.findings) != 1:
            raise ValueError(f"a {self.kind.value} question has exactly one finding")
        if not single and len(self.findings) < 2:
            raise ValueError(f"a {self.kind.value} question needs at least two options")
        return self


class InterviewPolicy(StrictModel):
    """The interview's stopping rule and costs, as data."""

    max_questions: Annotated[int, Field(ge=1, le=200)]
    min_change_probability: Annotated[float, Field(gt=0.0, lt=1.0)] = Field(
        description="Stop when no question can change the triage or top three causes "
        "with at least this probability"
    )
    dont_know_probability: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        description="Chance a person answers 'don't know' (scales every expected gain)"
    )
    top_causes: Annotated[int, Field(ge=1, le=10)]
    stop_at_level: TriageLevel = Field(
        description="After screening, stop as soon as red flags alone reach this level: "
        "the person should act now, not answer more questions"
    )
    top_causes_margin: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        description="An outside cause must beat a top cause by this much to count as a change"
    )


class LevelText(StrictModel):
    """How a triage level is explained to the person."""

    level: TriageLevel
    title: Text
    action: Text
    timeframe: Text


class Policy(StrictModel):
    """Engine-wide settings kept as data (thresholds, age rules, wording)."""

    levels: list[LevelText] = Field(min_length=5, max_length=5)
    disclaimer: Text
    child_notice_below_age: Annotated[int, Field(ge=1, le=18)]
    child_notice: Text
    young_child_below_age: Annotated[int, Field(ge=1, le=18)]
    young_child_min_level: TriageLevel
    young_child_reason: Text
    group_thresholds: dict[TriageLevel, Annotated[float, Field(gt=0.0, le=1.0)]] = Field(
        description="For a level L: act at L when P(any condition with urgency >= L) reaches this"
    )
    unexplained_finding_threshold: Probability
    unexplained_max_leak: Probability = Field(
        description="Only findings at least this rare without a modelled cause can count "
        "as unexplained (common ones such as thirst or tiredness have many ordinary causes)"
    )
    unexplained_min_level: TriageLevel
    unexplained_notice: Text
    no_information_min_level: TriageLevel
    no_information_notice: Text
    unknown_red_flags_notice: Text
    general_safety_net: list[Text] = Field(min_length=1)
    max_causes_shown: Annotated[int, Field(ge=1, le=20)]
    interview: InterviewPolicy
    min_probability_shown: Probability


Expr.model_rebuild()
