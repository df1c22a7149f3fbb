"""Two-layer triage: red-flag rules first, then per-condition action thresholds.

Layer 1: every red-flag rule whose expression holds forces its level,
whatever the probabilities say. Layer 2: a condition whose posterior reaches
its action threshold raises the level to its urgency. Age and "nothing we
know explains this" add floors. The most urgent level reached wins, and
every reason that reached it is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from myotriage.engine.evidence import ClosedEvidence, compare
from myotriage.engine.infer import Posterior
from myotriage.knowledge.base import KnowledgeBase
from myotriage.knowledge.schema import Expr, FindingKind, RedFlagRule, TriageLevel


class ReasonKind(StrEnum):
    """What produced a triage reason."""

    red_flag = "red_flag"
    condition = "condition"
    age = "age"
    unexplained = "unexplained"
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


def holds(expr: Expr, ev: ClosedEvidence) -> bool:
    """Evaluate a knowledge-base expression against closed evidence."""
    if expr.present is not None:
        return expr.present in ev.present
    if expr.absent is not None:
        return expr.absent in ev.absent
    if expr.not_present is not None:
        return expr.not_present not in ev.present
    if expr.all is not None:
        return all(holds(e, ev) for e in expr.all)
    if expr.any is not None:
        return any(holds(e, ev) for e in expr.any)
    if expr.compare is not None:
        return compare(expr.compare, ev.values) is True
    if expr.age_below is not None:
        return ev.age < expr.age_below
    if expr.age_at_least is not None:
        return ev.age >= expr.age_at_least
    raise ValueError("empty expression")  # the schema makes this unreachable


def fired_rules(ev: ClosedEvidence, kb: KnowledgeBase) -> list[RedFlagRule]:
    """Red-flag rules whose expression holds, in knowledge-base order."""
    return [r for r in kb.rules if holds(r.when, ev)]


def _has_complaint(ev: ClosedEvidence, kb: KnowledgeBase) -> bool:
    # "Unexplained" only matters for something the person suffers from, not
    # for a risk factor or a medicine they mention.
    kinds = {FindingKind.symptom, FindingKind.sign}
    return any(kb.findings[f].kind in kinds for f in ev.present if f in kb.findings)


def triage_reasons(ev: ClosedEvidence, post: Posterior, kb: KnowledgeBase) -> list[Reason]:
    """Every reason for a minimum level, most urgent first."""
    reasons: list[Reason] = [
        Reason(ReasonKind.red_flag, r.id, r.name, r.level, r.reason, r.advice)
        for r in fired_rules(ev, kb)
    ]
    net = kb.network
    for i, cid in enumerate(net.condition_ids):
        c = kb.conditions[cid]
        p = float(post.probability[i])
        if c.urgency > TriageLevel.self_care and p >= c.action_threshold:
            reasons.append(
                Reason(
                    ReasonKind.condition,
                    cid,
                    c.short_name,
                    c.urgency,
                    f"{c.short_name} is possible ({p:.0%}), and it needs "
                    f"{kb.level_text(c.urgency)[0].lower()}.",
                )
            )
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
    if post.none_active >= pol.unexplained_threshold and _has_complaint(ev, kb):
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
