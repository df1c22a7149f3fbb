"""Evidence: what the person told us, checked against the knowledge base.

:class:`Evidence` is the input value object (ids and numbers). :func:`close`
validates it and works out everything it implies — derived findings from
numbers, parents of specific findings, children of denied findings — giving a
:class:`ClosedEvidence` that rules and inference share.
"""

from __future__ import annotations

import difflib
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from myotriage.errors import EvidenceError, Problem
from myotriage.knowledge.base import IntArray, KnowledgeBase
from myotriage.knowledge.schema import Comparison

OPS: Mapping[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


class Sex(StrEnum):
    """Sex used for priors."""

    female = "female"
    male = "male"


class Evidence(BaseModel):
    """What a person reported: age, sex, yes/no findings and numbers.

    Findings in neither ``present`` nor ``absent`` are unknown.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    age: Annotated[float, Field(ge=0, le=120, description="Age in years, 0-120")]
    sex: Sex
    present: frozenset[str] = frozenset()
    absent: frozenset[str] = frozenset()
    unknown: frozenset[str] = Field(
        default=frozenset(), description="Findings the person was asked about and did not know"
    )
    values: Mapping[str, float] = Field(default_factory=dict)


def compare(c: Comparison, values: Mapping[str, float]) -> bool | None:
    """Evaluate a numeric comparison; ``None`` when the value is unknown."""
    if c.finding not in values:
        return None
    return OPS[c.op](values[c.finding], c.value)


@dataclass(frozen=True)
class ClosedEvidence:
    """Evidence after validation and closure over ``implies`` and derived findings.

    ``present``/``absent`` hold every finding known either way (rules read
    these). ``pos``/``neg`` index the network's findings that inference uses:
    only the most specific present findings and the most general absent ones,
    so one fact is never counted twice.
    """

    age: float
    sex: Sex
    present: frozenset[str]
    absent: frozenset[str]
    values: Mapping[str, float]
    stated_present: frozenset[str]
    stated_absent: frozenset[str]
    unknown: frozenset[str]
    pos: IntArray
    neg: IntArray


def _suggest(fid: str, kb: KnowledgeBase) -> str:
    close_ids = difflib.get_close_matches(fid, list(kb.findings), n=3, cutoff=0.5)
    return f" (did you mean: {', '.join(close_ids)}?)" if close_ids else ""


def close(evidence: Evidence, kb: KnowledgeBase) -> ClosedEvidence:
    """Validate evidence against the knowledge base and close it.

    Raises :class:`EvidenceError` listing every problem: unknown ids (with the
    closest known ids), numbers given as yes/no or the reverse, values out of
    range, derived findings given directly, and contradictions.
    """
    problems: list[Problem] = []
    states = (
        ("present", evidence.present),
        ("absent", evidence.absent),
        ("unknown", evidence.unknown),
    )
    for state, ids in states:
        for fid in sorted(ids):
            f = kb.findings.get(fid)
            if f is None:
                problems.append(Problem(fid, f"unknown finding{_suggest(fid, kb)}"))
            elif f.type == "number" and state != "unknown":
                problems.append(Problem(fid, f"is a number ({f.unit}): give a value, not {state}"))
            elif f.from_value is not None:
                src = f.from_value.finding
                problems.append(Problem(fid, f"is worked out from {src}: give {src}=<number>"))
    for fid in sorted(evidence.present & evidence.absent):
        problems.append(Problem(fid, "given as both present and absent: choose one"))
    for fid in sorted((evidence.present | evidence.absent) & evidence.unknown):
        problems.append(Problem(fid, "given as both known and unknown: choose one"))
    for fid, value in sorted(evidence.values.items()):
        f = kb.findings.get(fid)
        if f is None:
            problems.append(Problem(fid, f"unknown finding{_suggest(fid, kb)}"))
        elif f.type != "number" or f.range is None:
            problems.append(Problem(fid, "is a yes/no finding: give it as present or absent"))
        elif not f.range.min <= value <= f.range.max or value != value:
            problems.append(
                Problem(fid, f"{value:g} is out of range {f.range.min:g}-{f.range.max:g} {f.unit}")
            )
    if problems:
        raise EvidenceError("The evidence cannot be assessed.", problems)

    present = set(evidence.present)
    absent = set(evidence.absent)
    for f in kb.findings.values():
        if f.from_value is not None:
            holds = compare(f.from_value, evidence.values)
            if holds is True:
                present.add(f.id)
            elif holds is False:
                absent.add(f.id)
        elif f.type == "number" and f.id in evidence.values:
            present.update(f.implies)
    for fid in list(present):
        present.update(kb.ancestors[fid])
    for fid in list(absent):
        absent.update(kb.descendants[fid])
    clash = present & absent
    if clash:
        for fid in sorted(clash):
            why = sorted(
                g for g in present | set(evidence.values) if fid in kb.ancestors.get(g, ())
            )
            denied = sorted(g for g in evidence.absent if fid in kb.descendants[g] | {g})
            problems.append(
                Problem(
                    fid,
                    f"is implied present by {', '.join(why) or fid} but denied by "
                    f"{', '.join(denied) or fid}: correct one of them",
                )
            )
        raise EvidenceError("The evidence contradicts itself.", problems)

    net = kb.network
    implied_by_present = set().union(*(kb.ancestors[f] for f in present)) if present else set()
    pos = sorted(
        net.finding_index[f]
        for f in present
        if f in net.finding_index and f not in implied_by_present
    )
    neg = sorted(
        net.finding_index[f]
        for f in absent
        if f in net.finding_index and not (kb.ancestors[f] & absent)
    )
    return ClosedEvidence(
        age=evidence.age,
        sex=evidence.sex,
        present=frozenset(present),
        absent=frozenset(absent),
        values=dict(evidence.values),
        stated_present=frozenset(evidence.present),
        stated_absent=frozenset(evidence.absent),
        unknown=frozenset(evidence.unknown) - present - absent,
        pos=np.array(pos, dtype=np.intp),
        neg=np.array(neg, dtype=np.intp),
    )
