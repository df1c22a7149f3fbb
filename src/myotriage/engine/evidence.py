"""Evidence: what the person told us, checked against the knowledge base.

:class:`Evidence` is the input value object (ids and numbers). :func:`close`
validates it and works out everything it implies — derived findings from
numbers, parents of specific findings, children of denied findings — giving a
:class:`ClosedEvidence` that rules and inference share.
"""

from __future__ import annotations

import difflib
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from myotriage.errors import EvidenceError, Problem
from myotriage.knowledge.base import IntArray, KnowledgeBase
from myotriage.knowledge.schema import Comparison, Finding

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


@cache
def _numeric_findings(kb: KnowledgeBase) -> tuple[Finding, ...]:
    """Findings worked out from numbers, and numbers that imply findings."""
    return tuple(f for f in kb.findings.values() if f.from_value is not None or f.type == "number")


def _value_findings(values: Mapping[str, float], kb: KnowledgeBase) -> tuple[set[str], set[str]]:
    """Findings the numbers make present and absent (before closure)."""
    present: set[str] = set()
    absent: set[str] = set()
    for f in _numeric_findings(kb):
        if f.from_value is not None:
            holds = compare(f.from_value, values)
            if holds is True:
                present.add(f.id)
            elif holds is False:
                absent.add(f.id)
        elif f.id in values:
            present.update(f.implies)
    return present, absent


def _most_specific(present: Iterable[str], kb: KnowledgeBase) -> IntArray:
    """Network indices of the present findings that no other present finding implies.

    Inference counts one fact once: "twitching in the leg" already carries
    "twitching", so only the more specific finding enters the network.
    """
    present = set(present)
    implied = set().union(*(kb.ancestors[f] for f in present)) if present else set()
    index = kb.network.finding_index
    return np.array(
        sorted(index[f] for f in present if f in index and f not in implied), dtype=np.intp
    )


def positive_without(ev: ClosedEvidence, taken_back: Iterable[str], kb: KnowledgeBase) -> IntArray:
    """``ev.pos`` as it would be had the person not stated ``taken_back``.

    The numbers stay; a more general finding the taken-back ones implied
    enters only if something still stated implies or states it.
    """
    present, _ = _value_findings(ev.values, kb)
    present.update(ev.stated_present - set(taken_back))
    for fid in list(present):
        present.update(kb.ancestors[fid])
    return _most_specific(present, kb)


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

    present, absent = _value_findings(evidence.values, kb)
    present.update(evidence.present)
    absent.update(evidence.absent)
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
        pos=_most_specific(present, kb),
        neg=np.array(neg, dtype=np.intp),
    )
