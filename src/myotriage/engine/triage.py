"""Two-layer triage: red-flag rules first, then per-condition action thresholds.

Layer 1: every red-flag rule whose expression holds forces its level,
whatever the probabilities say. Layer 2: a condition whose posterior reaches
its action threshold raises the level to its urgency. Age and "nothing we
know explains this" add floors. The most urgent level reached wins, and
every reason that reached it is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import numpy as np

from myotriage.engine.evidence import ClosedEvidence, compare
from myotriage.engine.infer import Posterior
from myotriage.knowledge.base import IntArray, KnowledgeBase
from myotriage.knowledge.schema import Expr, FindingKind, RedFlagRule, TriageLevel


class ReasonKind(StrEnum):
    """What produced a triage reason."""

    red_flag = "red_flag"
    condition = "condition"
    group = "group"
    age = "age"
    unexplained = "unexplained"
    uncertain = "uncertain"
    default = "default"


@dataclass(frozen=True)
class Reason:
    """One reason for a minimum triage level."""

    kind: ReasonKind
    id: str
    name: str
    level: TriageLevel
    text: str
    advice: str | None = None


Predicate = Callable[[ClosedEvidence], bool]
# Compiled predicates by expression identity; the expression is kept alongside so
# its id cannot be reused while the entry lives (knowledge bases are long-lived).
_COMPILED: dict[int, tuple[Expr, Predicate]] = {}


def _compile(expr: Expr) -> Predicate:
    """Turn an expression into a closure once: rules are evaluated on every request."""
    if expr.present is not None:
        fid = expr.present
        return lambda ev: fid in ev.present
    if expr.absent is not None:
        gone = expr.absent
        return lambda ev: gone in ev.absent
    if expr.not_present is not None:
        other = expr.not_present
        return lambda ev: other not in ev.present
    if expr.all is not None or expr.any is not None:
        parts = tuple(_compile(e) for e in (expr.all or expr.any or ()))
        want_all = expr.all is not None

        def combined(ev: ClosedEvidence) -> bool:
            for part in parts:
                if part(ev) is not want_all:
                    return not want_all
            return want_all

        return combined
    if expr.compare is not None:
        test = expr.compare
        return lambda ev: compare(test, ev.values) is True
    if expr.age_below is not None:
        below = expr.age_below
        return lambda ev: ev.age < below
    if expr.age_at_least is not None:
        least = expr.age_at_least
        return lambda ev: ev.age >= least
    if expr.sex is not None:
        sex = expr.sex
        return lambda ev: ev.sex.value == sex
    raise ValueError("empty expression")  # the schema makes this unreachable


def predicate(expr: Expr) -> Predicate:
    """A knowledge-base expression as a function of closed evidence, compiled once."""
    entry = _COMPILED.get(id(expr))
    if entry is None or entry[0] is not expr:
        entry = (expr, _compile(expr))
        _COMPILED[id(expr)] = entry
    return entry[1]


def holds(expr: Expr, ev: ClosedEvidence) -> bool:
    """Evaluate a knowledge-base expression against closed evidence."""
    return predicate(expr)(ev)


def _trigger(expr: Expr) -> frozenset[str] | None:
    """Findings one of which must be present for ``expr`` to hold (None: no such set)."""
    if expr.present is not None:
        return frozenset({expr.present})
    if expr.all is not None:
        sets = [t for t in map(_trigger, expr.all) if t is not None]
        return min(sets, key=len) if sets else None
    if expr.any is not None:
        parts = [_trigger(e) for e in expr.any]
        if any(t is None for t in parts):
            return None
        return frozenset().union(*(t for t in parts if t is not None))
    return None  # absent, not_present, compare, age and sex hold without a present finding


@lru_cache(maxsize=8)
def _rule_triggers(kb: KnowledgeBase) -> tuple[tuple[RedFlagRule, frozenset[str] | None], ...]:
    return tuple((r, _trigger(r.when)) for r in kb.rules)


def fired_rules(ev: ClosedEvidence, kb: KnowledgeBase) -> list[RedFlagRule]:
    """Red-flag rules whose expression holds, in knowledge-base order.

    Most rules need some finding present; a rule none of whose trigger findings
    is present is skipped without evaluating it (same result, less work).
    """
    return [
        r
        for r, trigger in _rule_triggers(kb)
        if (trigger is None or not trigger.isdisjoint(ev.present)) and holds(r.when, ev)
    ]


COMPLAINT_KINDS = frozenset({FindingKind.symptom, FindingKind.sign})


@dataclass(frozen=True)
class WhatIf:
    """Condition subsets whose joint absence triage needs, asked in one inference."""

    levels: tuple[TriageLevel, ...]
    complaints: tuple[str, ...]
    subsets: tuple[IntArray, ...]


def what_if_subsets(ev: ClosedEvidence, kb: KnowledgeBase) -> WhatIf:
    """Subsets for :func:`group_probabilities` and :func:`unexplained_findings`.

    For each level above self-care, every condition needing at least that
    level; for each present symptom or sign, the conditions that can cause it.
    """
    levels, by_level, complaint_ids = _what_if_tables(kb)
    net = kb.network
    subsets = list(by_level)
    complaints = []
    for f in ev.pos.tolist():
        if f in complaint_ids:
            complaints.append(net.finding_ids[f])
            subsets.append(net.parents[f])
    return WhatIf(levels, tuple(complaints), tuple(subsets))


@lru_cache(maxsize=8)
def _what_if_tables(
    kb: KnowledgeBase,
) -> tuple[tuple[TriageLevel, ...], tuple[IntArray, ...], frozenset[int]]:
    """Per knowledge base: the levels above self-care, the conditions needing at least
    each, and the findings that count as complaints for "unexplained"."""
    net = kb.network
    levels = tuple(lv for lv in TriageLevel if lv != TriageLevel.self_care)
    by_level = tuple(np.flatnonzero(net.urgency >= lv.rank) for lv in levels)
    complaints = frozenset(
        f
        for f, fid in enumerate(net.finding_ids)
        if kb.findings[fid].kind in COMPLAINT_KINDS
        and (kb.findings[fid].leak or 0.0) <= kb.policy.unexplained_max_leak
    )
    return levels, by_level, complaints


def group_probabilities(wi: WhatIf, post: Posterior) -> dict[TriageLevel, float]:
    """For each level above self-care: P(any condition needing at least that level)."""
    return {lv: 1.0 - post.all_off[j] for j, lv in enumerate(wi.levels)}


def unexplained_findings(wi: WhatIf, post: Posterior, kb: KnowledgeBase) -> list[str]:
    """Present symptoms and signs that no modelled condition probably explains.

    A finding is unexplained when P(every condition linked to it is inactive |
    evidence) reaches the policy threshold: then the leak (something the
    knowledge base does not model) is the likeliest cause. Risk factors and
    medicines are context, not complaints, and are never reported.
    """
    offset = len(wi.levels)
    threshold = kb.policy.unexplained_finding_threshold
    return [fid for j, fid in enumerate(wi.complaints) if post.all_off[offset + j] >= threshold]


def probability_reasons(
    post: Posterior, groups: dict[TriageLevel, float], kb: KnowledgeBase, note: str = ""
) -> list[Reason]:
    """Layer 2: conditions at or over their action threshold, and group thresholds."""
    reasons: list[Reason] = []
    net = kb.network
    hits = (net.urgency > TriageLevel.self_care.rank) & (post.probability >= net.action_threshold)
    for i in np.flatnonzero(hits):
        c = kb.conditions[net.condition_ids[i]]
        p = float(post.probability[i])
        reasons.append(
            Reason(
                ReasonKind.condition,
                c.id,
                c.short_name,
                c.urgency,
                f"{c.short_name} is possible ({p:.0%}{note}), and it needs "
                f"{kb.level_text(c.urgency)[0].lower()}.",
            )
        )
    for level, p in groups.items():
        threshold = kb.policy.group_thresholds.get(level)
        if threshold is not None and p >= threshold:
            title = kb.level_text(level)[0].lower()
            reasons.append(
                Reason(
                    ReasonKind.group,
                    f"any_{level.value}",
                    "Combined chance",
                    level,
                    f"Taken together, the causes that need {title} have a {p:.0%} chance{note}.",
                )
            )
    return reasons


def triage_reasons(
    ev: ClosedEvidence,
    post: Posterior,
    groups: dict[TriageLevel, float],
    unexplained: list[str],
    kb: KnowledgeBase,
) -> list[Reason]:
    """Every reason for a minimum level, most urgent first."""
    reasons: list[Reason] = [
        Reason(ReasonKind.red_flag, r.id, r.name, r.level, r.reason, r.advice)
        for r in fired_rules(ev, kb)
    ]
    reasons += probability_reasons(post, groups, kb)
    pol = kb.policy
    if ev.age < pol.young_child_below_age:
        reasons.append(
            Reason(
                ReasonKind.age,
                "young_child",
                "Young child",
                pol.young_child_min_level,
                pol.young_child_reason,
            )
        )
    if not ev.present and ev.unknown:
        reasons.append(
            Reason(
                ReasonKind.uncertain,
                "no_information",
                "Not enough information",
                pol.no_information_min_level,
                pol.no_information_notice,
            )
        )
    if unexplained:
        reasons.append(
            Reason(
                ReasonKind.unexplained,
                "unexplained",
                "Not well explained",
                pol.unexplained_min_level,
                pol.unexplained_notice,
            )
        )
    reasons.sort(key=lambda r: r.level, reverse=True)
    return reasons


def decide(reasons: list[Reason]) -> TriageLevel:
    """The most urgent level any reason reached (self-care if none)."""
    return max((r.level for r in reasons), default=TriageLevel.self_care)
