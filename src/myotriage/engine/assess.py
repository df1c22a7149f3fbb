"""``assess(evidence, kb) -> Assessment``: the whole pure pipeline in one call."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from myotriage.engine.assessment import (
    Assessment,
    Cause,
    EvidenceSummary,
    Factor,
    Triage,
    TriageReason,
)
from myotriage.engine.evidence import ClosedEvidence, Evidence, close, positive_without
from myotriage.engine.explain import explanations
from myotriage.engine.infer import posterior, posterior_variants
from myotriage.engine.triage import (
    Reason,
    ReasonKind,
    decide,
    group_probabilities,
    probability_reasons,
    triage_reasons,
    unexplained_findings,
    what_if_subsets,
)
from myotriage.knowledge.base import KnowledgeBase
from myotriage.knowledge.schema import TriageLevel
from myotriage.phrasing import in_sentence
from myotriage.plan.build import build_plan

# Beyond this many stated warning signs the rules already decide; the subset search
# below stays bounded (2^6 variants at most, all read from one inference).
MAX_MONOTONE_FLAGS = 6


def _with_warning_signs_removed(
    evidence: Evidence, ev: ClosedEvidence, kb: KnowledgeBase, reasons: list[Reason]
) -> list[Reason]:
    """A warning sign must never make the triage less urgent.

    In a noisy-OR network a new finding can lower a condition's probability by
    explaining the picture another way, so the probability layers are also
    evaluated with every subset of the stated warning signs taken away, and the
    most urgent result counts. Then adding a warning sign can only keep or raise
    the level (the rules themselves only ever add).

    Every variant is read from one inference over the union of the variants'
    positive findings (taking a sign away can uncover a more general one), by
    summing out the axes of the findings that variant lacks.
    """
    flags = sorted(f for f in evidence.present if kb.findings[f].red_flag)[:MAX_MONOTONE_FLAGS]
    if not flags or decide(reasons) == max(TriageLevel):
        return reasons  # nothing to protect, or already the most urgent level
    net = kb.network
    wi = what_if_subsets(ev, kb)
    drops = [drop for size in range(1, len(flags) + 1) for drop in combinations(flags, size)]
    # A handful of small index sets: Python sets beat numpy's set routines here.
    variants = [set(positive_without(ev, drop, kb).tolist()) for drop in drops]
    union = set(ev.pos.tolist()).union(*variants)
    posts = posterior_variants(
        net.prior(ev.age, ev.sex.value),
        np.array(sorted(union), dtype=np.intp),
        ev.neg,
        net.links,
        net.leak,
        wi.subsets[: len(wi.levels)],
        [np.array(sorted(union - pos), dtype=np.intp) for pos in variants],
    )
    results = zip(drops, posts[1:], strict=True)
    best = {(r.kind, r.id): r for r in reasons}
    for drop, post in results:
        note = f" even leaving out {', '.join(in_sentence(kb.findings[f].label) for f in drop)}"
        for r in probability_reasons(post, group_probabilities(wi, post), kb, note):
            key = (r.kind, r.id)
            if key not in best or r.level > best[key].level:
                best[key] = r
    return sorted(best.values(), key=lambda r: r.level, reverse=True)


def assess(evidence: Evidence, kb: KnowledgeBase) -> Assessment:
    """Assess one person: triage, ranked causes with explanations, and a plan.

    Pure and deterministic: the same evidence and knowledge give the same
    Assessment. Raises :class:`myotriage.errors.EvidenceError` for unusable
    evidence.
    """
    ev = close(evidence, kb)
    net = kb.network
    prior = net.prior(ev.age, ev.sex.value)
    wi = what_if_subsets(ev, kb)
    post = posterior(prior, ev.pos, ev.neg, net.links, net.leak, what_if=wi.subsets)
    unexplained = unexplained_findings(wi, post, kb)
    reasons = triage_reasons(ev, post, group_probabilities(wi, post), unexplained, kb)
    reasons = _with_warning_signs_removed(evidence, ev, kb, reasons)
    level = decide(reasons)
    title, action, timeframe = kb.level_text(level)
    worsening = [r.advice for r in reasons if r.advice and r.level == level]
    if not worsening:
        worsening = [r.advice for r in reasons if r.advice][:1]
    fired = {r.id for r in reasons if r.kind == ReasonKind.red_flag}
    plan = build_plan(ev, post.probability, fired, kb)
    if not worsening:
        # No rule spoke: the plan's safety net says what would make it more urgent.
        worsening = plan.safety_net[:2]

    pol = kb.policy
    probability = post.probability.tolist()
    order = np.argsort(-post.probability, kind="stable").tolist()
    shown = order[: pol.max_causes_shown]
    while len(shown) > 1 and probability[shown[-1]] < pol.min_probability_shown:
        shown.pop()
    causes: list[Cause] = []
    for i, why in zip(shown, explanations(shown, net, prior, ev.pos, ev.neg), strict=True):
        c = kb.conditions[net.condition_ids[i]]
        causes.append(
            Cause(
                id=c.id,
                name=c.name,
                probability=round(probability[i], 6),
                prior=round(float(prior[i]), 8),
                urgency=c.urgency,
                description=c.description,
                base_rate=c.base_rate,
                icd10cm=c.icd10cm,
                why=[
                    Factor(
                        finding=k.finding,
                        label=kb.findings[k.finding].label,
                        state="present" if k.present else "absent",
                        likelihood_ratio=round(k.likelihood_ratio, 4),
                        direction="toward" if k.likelihood_ratio > 1 else "away",
                    )
                    for k in why
                ],
            )
        )
    notices: list[str] = []
    if ev.age < pol.child_notice_below_age:
        notices.append(pol.child_notice)
    if any(r.kind == ReasonKind.unexplained for r in reasons):
        notices.append(pol.unexplained_notice)
    if any(r.kind == ReasonKind.uncertain for r in reasons):
        notices.append(pol.no_information_notice)
    unsure = sorted(f for f in ev.unknown if kb.findings[f].red_flag)
    if unsure:
        labels = ", ".join(in_sentence(kb.findings[f].label) for f in unsure)
        notices.append(f"{pol.unknown_red_flags_notice} {labels}.")
    return Assessment(
        disclaimer=pol.disclaimer,
        notices=notices,
        triage=Triage(
            level=level,
            title=title,
            action=action,
            timeframe=timeframe,
            reasons=[
                TriageReason(kind=r.kind.value, id=r.id, name=r.name, level=r.level, text=r.text)
                for r in reasons
            ],
            worsening_advice=worsening,
        ),
        causes=causes,
        unexplained_probability=round(post.none_active, 6),
        unexplained_findings=unexplained,
        plan=plan,
        evidence=EvidenceSummary(
            age=ev.age,
            sex=ev.sex.value,
            present=sorted(ev.present),
            absent=sorted(ev.absent),
            unknown=sorted(ev.unknown),
            values=dict(sorted(ev.values.items())),
        ),
    )
