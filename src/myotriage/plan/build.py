"""The self-care plan: graded remedies for the likely causes, fitted to the person.

Relevance of an intervention is the summed posterior of the causes it is for.
Items are ranked by relevance weighted by evidence grade; clinician-only items
go to "ask your doctor about"; items graded insufficient or evidence-against
are shown as such when relevant or when the person is already trying them,
never silently dropped. Cautions are evaluated against what the person said.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from myotriage.engine.assessment import CautionNote, Plan, PlanItem, SourceRef
from myotriage.engine.evidence import ClosedEvidence
from myotriage.engine.triage import Predicate, predicate
from myotriage.knowledge.base import FloatArray, KnowledgeBase
from myotriage.knowledge.schema import Grade, Intervention, RedFlagRule, Topic

GRADE_WEIGHT = {
    Grade.strong: 1.0,
    Grade.moderate: 0.8,
    Grade.weak: 0.6,
    Grade.insufficient: 0.3,
    Grade.evidence_against: 0.0,
}
# Below this summed probability of its causes an intervention is not worth
# showing: a leg-cramp stretch has no place in the plan for an eyelid twitch.
MIN_RELEVANCE = 0.2
MAX_ITEMS = 6
MAX_SAFETY_NET = 6


@dataclass(frozen=True)
class _Tables:
    """What the plan needs from the knowledge base, worked out once per knowledge base."""

    interventions: tuple[Intervention, ...]
    relevance: FloatArray  # interventions x conditions: 1 where the remedy is for the cause
    sources: Mapping[str, tuple[SourceRef, ...]]
    for_causes: Mapping[str, tuple[str, ...]]
    rules: tuple[tuple[RedFlagRule, frozenset[Topic]], ...]
    # Per intervention: its cautions ("avoid" first) as (test, note ready to show).
    cautions: Mapping[str, tuple[tuple[Predicate, CautionNote], ...]]
    trying_any: frozenset[str]  # findings saying the person already tries some remedy


@lru_cache(maxsize=8)
def _tables(kb: KnowledgeBase) -> _Tables:
    ivs = tuple(kb.interventions.values())
    index = kb.network.condition_index
    relevance = np.zeros((len(ivs), len(index)))
    for n, iv in enumerate(ivs):
        relevance[n, [index[c] for c in iv.for_conditions]] = 1.0
    sources = {
        iv.id: tuple(
            SourceRef(
                id=s,
                title=kb.sources[s].title,
                url=kb.sources[s].url,
                estimate=kb.sources[s].estimate,
            )
            for s in iv.sources
        )
        for iv in ivs
    }
    causes = {iv.id: tuple(kb.conditions[c].short_name for c in iv.for_conditions) for iv in ivs}
    # Rules about a specific complaint before general ones, the most dangerous first.
    rules = sorted(kb.rules, key=lambda r: (Topic.general in r.topics, -r.level.rank))
    cautions = {
        iv.id: tuple(
            (predicate(c.when), CautionNote(severity=c.severity, text=c.text))
            for c in sorted(iv.cautions, key=lambda c: c.severity != "avoid")
        )
        for iv in ivs
    }
    return _Tables(
        ivs,
        relevance,
        sources,
        causes,
        tuple((r, frozenset(r.topics)) for r in rules),
        cautions,
        frozenset().union(*(iv.trying_when for iv in ivs)),
    )


def _item(iv: Intervention, relevance: float, ev: ClosedEvidence, tables: _Tables) -> PlanItem:
    cautions = [note for test, note in tables.cautions[iv.id] if test(ev)]
    return PlanItem(
        id=iv.id,
        name=iv.name,
        how=iv.how,
        grade=iv.grade,
        grade_note=iv.grade_note,
        clinician_only=iv.clinician_only,
        for_causes=list(tables.for_causes[iv.id]),
        relevance=round(relevance, 6),
        cautions=cautions,
        sources=list(tables.sources[iv.id]),
        article_says=iv.article_says,
        verdict_vs_article=iv.verdict_vs_article,
        being_tried=not ev.present.isdisjoint(iv.trying_when),
    )


def _topics(ev: ClosedEvidence, probability: FloatArray, kb: KnowledgeBase) -> set[Topic]:
    topics = {Topic.general}
    for cid, p in zip(kb.network.condition_ids, probability.tolist(), strict=True):
        if p >= 0.1:
            topics.update(kb.conditions[cid].topics)
    if "twitch_present" in ev.present:
        topics.add(Topic.twitch)
    if "cramp_present" in ev.present:
        topics.update({Topic.cramp, Topic.leg} if "cramp_site_leg" in ev.present else {Topic.cramp})
    return topics


def safety_net(
    ev: ClosedEvidence, probability: FloatArray, fired: set[str], kb: KnowledgeBase
) -> list[str]:
    """Warning signs to watch for: relevant red flags that have not fired, then general lines."""
    topics = _topics(ev, probability, kb)
    candidates = [
        r for r, on in _tables(kb).rules if r.id not in fired and not on.isdisjoint(topics)
    ]
    lines: list[str] = []
    for r in candidates:
        if r.safety_net not in lines:
            lines.append(r.safety_net)
        if len(lines) >= MAX_SAFETY_NET:
            break
    return lines + [line for line in kb.policy.general_safety_net if line not in lines]


def build_plan(
    ev: ClosedEvidence, probability: FloatArray, fired: set[str], kb: KnowledgeBase
) -> Plan:
    """Rank and split the interventions for this person."""
    tables = _tables(kb)
    self_care: list[tuple[float, Intervention, float]] = []
    doctor: list[tuple[float, Intervention, float]] = []
    against: list[tuple[float, Intervention, float]] = []
    trying_any = not ev.present.isdisjoint(tables.trying_any)
    for iv, relevance in zip(
        tables.interventions, (tables.relevance @ probability).tolist(), strict=True
    ):
        tried = trying_any and not ev.present.isdisjoint(iv.trying_when)
        if relevance < MIN_RELEVANCE and not tried:
            continue
        if iv.grade in (Grade.evidence_against, Grade.insufficient):
            # Something the person already tries comes first: they need to hear it.
            against.append((relevance + (1.0 if tried else 0.0), iv, relevance))
        elif iv.clinician_only:
            doctor.append((relevance * GRADE_WEIGHT[iv.grade], iv, relevance))
        else:
            self_care.append((relevance * GRADE_WEIGHT[iv.grade], iv, relevance))

    def top(items: list[tuple[float, Intervention, float]]) -> list[PlanItem]:
        # Rank first, then build only what is shown.
        items.sort(key=lambda t: (-t[0], t[1].id))
        return [_item(iv, rel, ev, tables) for _, iv, rel in items[:MAX_ITEMS]]

    return Plan(
        self_care=top(self_care),
        ask_doctor=top(doctor),
        not_recommended=top(against),
        safety_net=safety_net(ev, probability, fired, kb),
    )
