"""The versioned wire format (v1), kept apart from engine types; conversion lives here."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from myotriage.engine.evidence import Evidence, Sex
from myotriage.errors import EvidenceError, Problem
from myotriage.nlp.parse import MAX_CHARS


class Wire(BaseModel):
    """Request bodies reject unknown fields."""

    model_config = ConfigDict(extra="forbid")


class EvidenceItem(Wire):
    """One fact: a yes/no finding with a state, or a number finding with a value."""

    id: Annotated[str, Field(min_length=1, max_length=64, examples=["twitch_present"])]
    state: Literal["present", "absent", "unknown"] | None = None
    value: Annotated[float, Field(strict=True)] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> EvidenceItem:
        if (self.state is None) == (self.value is None):
            raise ValueError("give exactly one of 'state' (present/absent/unknown) or 'value'")
        return self


class AssessRequest(Wire):
    """Age, sex and all evidence so far (the API keeps no state between calls)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "age": 34,
                    "sex": "female",
                    "evidence": [
                        {"id": "twitch_site_leg", "state": "present"},
                        {"id": "weakness", "state": "absent"},
                        {"id": "caffeine_mg_per_day", "value": 500},
                    ],
                }
            ]
        },
    )

    # strict: "false" or "34" is not an age (lax mode would read them as 0 and 34).
    age: Annotated[float, Field(ge=0, le=120, strict=True, description="Years")]
    sex: Sex
    evidence: list[EvidenceItem] = Field(default_factory=list, max_length=1000)

    def to_evidence(self) -> Evidence:
        """Convert to the engine's Evidence; duplicate ids are refused with their index."""
        present: set[str] = set()
        absent: set[str] = set()
        unknown: set[str] = set()
        values: dict[str, float] = {}
        seen: dict[str, int] = {}
        problems: list[Problem] = []
        for n, item in enumerate(self.evidence):
            if item.id in seen:
                problems.append(
                    Problem(f"evidence[{n}].id", f"'{item.id}' repeats evidence[{seen[item.id]}]")
                )
                continue
            seen[item.id] = n
            if item.value is not None:
                values[item.id] = item.value
            elif item.state == "present":
                present.add(item.id)
            elif item.state == "absent":
                absent.add(item.id)
            else:
                unknown.add(item.id)
        if problems:
            raise EvidenceError("The evidence cannot be assessed.", problems)
        return Evidence(
            age=self.age,
            sex=self.sex,
            present=frozenset(present),
            absent=frozenset(absent),
            unknown=frozenset(unknown),
            values=values,
        )

    def field_of(self, finding: str) -> str:
        """The request field naming a finding, for error messages."""
        for n, item in enumerate(self.evidence):
            if item.id == finding:
                return f"evidence[{n}]"
        return "evidence"


class InterviewRequest(AssessRequest):
    """Evidence so far plus the ids of questions already asked."""

    asked: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=200
    )


class ParseRequest(Wire):
    """Free text; age and sex optional (used only when the text does not say them)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": "my left calf has been jumping for 3 weeks, no weakness, 5 coffees a day"}
            ]
        },
    )

    text: Annotated[
        str, Field(max_length=MAX_CHARS, strict=True, description=f"At most {MAX_CHARS} characters")
    ]
    age: Annotated[float, Field(ge=0, le=120, strict=True)] | None = None
    sex: Sex | None = None
    today: date | None = Field(
        default=None,
        description="The date the text was written (YYYY-MM-DD), for durations such as "
        "'since March'; the server's date when left out",
    )

    @field_validator("today", mode="before")
    @classmethod
    def _iso_text_only(cls, value: object) -> object:
        # Lax parsing would read a number as seconds since 1970: only a date string counts.
        if value is not None and not isinstance(value, str | date):
            raise ValueError("give the date as text, YYYY-MM-DD")
        return value


class ErrorDetail(BaseModel):
    """One problem: the field (a path such as ``evidence[2].id``) and what to fix."""

    field: str
    message: str


class ErrorBody(BaseModel):
    """The error itself."""

    code: str
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorEnvelope(BaseModel):
    """Every error response has this shape."""

    error: ErrorBody


class Health(BaseModel):
    """Liveness / readiness answer."""

    status: Literal["ok"]
    knowledge: str | None = None
