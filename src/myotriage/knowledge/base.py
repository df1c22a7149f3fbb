"""The validated knowledge base and its compiled, read-only arrays."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from myotriage.knowledge.schema import (
    Condition,
    Finding,
    Intervention,
    Policy,
    Question,
    RedFlagRule,
    Source,
    TriageLevel,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
SEXES = ("female", "male")
MAX_AGE = 120


def _frozen(a: npt.NDArray[np.generic]) -> npt.NDArray[np.generic]:
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class Network:
    """The noisy-OR network compiled into immutable numpy arrays.

    ``links[i, f]`` is the probability that condition ``i`` alone produces
    finding ``f`` (0 where there is no link); ``leak[f]`` the chance ``f`` is
    present with no modelled condition; ``priors[age, sex, i]`` the prior of
    condition ``i`` for an integer age 0-120 and sex index (0 female, 1 male).
    """

    condition_ids: tuple[str, ...]
    finding_ids: tuple[str, ...]
    links: FloatArray
    leak: FloatArray
    priors: FloatArray
    children: tuple[IntArray, ...]  # per condition: finding indices it links to
    parents: tuple[IntArray, ...]  # per finding: condition indices linking to it
    condition_index: Mapping[str, int]
    finding_index: Mapping[str, int]
    urgency: IntArray  # per condition: rank of the level it needs (0 = self-care)
    action_threshold: FloatArray  # per condition: posterior at which that level applies

    def prior(self, age: float, sex: str) -> FloatArray:
        """Prior vector over conditions for this age (years, clipped to 0-120) and sex."""
        a = min(max(round(age), 0), MAX_AGE)
        s = SEXES.index(sex)
        out: FloatArray = self.priors[a, s]
        return out


def compile_network(conditions: tuple[Condition, ...], findings: tuple[Finding, ...]) -> Network:
    """Turn validated conditions and findings into the engine's arrays."""
    cids = tuple(c.id for c in conditions)
    # Number findings never enter the network: their derived findings do.
    fids = tuple(f.id for f in findings if f.type == "boolean")
    cidx = {c: i for i, c in enumerate(cids)}
    fidx = {f: i for i, f in enumerate(fids)}
    links = np.zeros((len(cids), len(fids)))
    for i, c in enumerate(conditions):
        for link in c.links:
            links[i, fidx[link.finding]] = link.p
    leak = np.array([f.leak or 0.0 for f in findings if f.type == "boolean"])
    priors = np.zeros((MAX_AGE + 1, len(SEXES), len(cids)))
    for i, c in enumerate(conditions):
        for band in c.priors:
            lo, hi = band.ages
            priors[lo : hi + 1, 0, i] = band.female
            priors[lo : hi + 1, 1, i] = band.male
    children = tuple(_frozen(np.flatnonzero(links[i] > 0)) for i in range(len(cids)))
    parents = tuple(_frozen(np.flatnonzero(links[:, f] > 0)) for f in range(len(fids)))
    return Network(
        condition_ids=cids,
        finding_ids=fids,
        links=_frozen(links),  # type: ignore[arg-type]
        leak=_frozen(leak),  # type: ignore[arg-type]
        priors=_frozen(priors),  # type: ignore[arg-type]
        children=children,  # type: ignore[arg-type]
        parents=parents,  # type: ignore[arg-type]
        condition_index=MappingProxyType(cidx),
        finding_index=MappingProxyType(fidx),
        urgency=_frozen(np.array([c.urgency.rank for c in conditions], dtype=np.intp)),  # type: ignore[arg-type]
        action_threshold=_frozen(np.array([c.action_threshold for c in conditions])),  # type: ignore[arg-type]
    )


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """Everything the engine knows, validated once and then trusted.

    Build it with :func:`myotriage.knowledge.load.load_knowledge`. Equality and
    hashing are by identity, so derived objects (a text parser) can be cached per
    knowledge base.
    """

    sources: Mapping[str, Source]
    conditions: Mapping[str, Condition]
    findings: Mapping[str, Finding]
    rules: tuple[RedFlagRule, ...]
    interventions: Mapping[str, Intervention]
    policy: Policy
    network: Network
    origin: str
    ancestors: Mapping[str, frozenset[str]] = field(default_factory=dict)
    descendants: Mapping[str, frozenset[str]] = field(default_factory=dict)
    questions: tuple[Question, ...] = ()
    rules_by_finding: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def level_text(self, level: TriageLevel) -> tuple[str, str, str]:
        """Title, action and timeframe shown for a triage level."""
        for lt in self.policy.levels:
            if lt.level == level:
                return lt.title, lt.action, lt.timeframe
        raise KeyError(level)  # unreachable: the loader checks all five exist
