"""The knowledge pages (``/learn``), written from the knowledge base itself.

Everything shown comes from the data files: a condition's description, base
rate and urgency, the signs linked to it with the network's own
probabilities put into plain words, its remedies with their evidence grades,
and the sources behind each. Nothing here decides triage.
"""

from __future__ import annotations

from dataclasses import dataclass

from myotriage.knowledge.base import KnowledgeBase
from myotriage.knowledge.schema import (
    Condition,
    ConditionGroup,
    FindingKind,
    Grade,
    Intervention,
    Source,
)

GROUP_WORDS: dict[ConditionGroup, str] = {
    ConditionGroup.benign_lifestyle: "Everyday and lifestyle causes",
    ConditionGroup.electrolyte_metabolic_drug: "Body salts, hormones, organs and medicines",
    ConditionGroup.neuromuscular: "Nerve and muscle conditions",
    ConditionGroup.face_eyelid: "Eyelid and face",
    ConditionGroup.mimic_emergency: "Look-alikes that need urgent care",
}

# Badge text and meaning of each grade (definitions of the clinical brief, in plain words).
GRADE_WORDS: dict[Grade, tuple[str, str]] = {
    Grade.strong: (
        "strong evidence",
        "Good trials or reviews agree that it works, or it is established standard care.",
    ),
    Grade.moderate: (
        "moderate evidence",
        "At least one good trial or review found it helps, though the effect is modest "
        "or the studies do not all agree.",
    ),
    Grade.weak: (
        "weak evidence",
        "Only small or low-certainty studies, or the agreement of guidelines and experts, "
        "support it.",
    ),
    Grade.insufficient: (
        "unproven",
        "There are no adequate trials of it for this use, so nobody knows whether it helps.",
    ),
    Grade.evidence_against: (
        "evidence against",
        "Good studies found that it does not help, or that its harms outweigh any benefit.",
    ),
}
GRADE_ORDER = list(Grade)

# Finding kinds a person notices in their body; the rest are circumstances.
SIGN_KINDS = {FindingKind.symptom, FindingKind.sign}


def how_often(p: float) -> str:
    """A link probability in plain words ("usually", "sometimes") for the knowledge pages."""
    if p >= 0.9:
        return "almost always"
    if p >= 0.6:
        return "usually"
    if p >= 0.3:
        return "often"
    if p >= 0.1:
        return "sometimes"
    if p >= 0.03:
        return "occasionally"
    return "rarely"


def in_hundred(p: float) -> str:
    """A probability as a natural frequency ("about 35 in 100")."""
    n = round(p * 100)
    return "fewer than 1 in 100" if n < 1 else f"about {n} in 100"


@dataclass(frozen=True)
class Sign:
    """A finding linked to a condition, with how often the condition alone produces it."""

    id: str
    label: str
    p: float
    words: str
    frequency: str
    estimate: bool
    warning: bool


@dataclass(frozen=True)
class ConditionPage:
    """What the page for one condition shows."""

    condition: Condition
    urgency_title: str
    signs: list[Sign]
    circumstances: list[Sign]
    self_care: list[Intervention]
    ask_doctor: list[Intervention]
    not_recommended: list[Intervention]
    sources: list[Source]


@dataclass(frozen=True)
class RemedyPage:
    """What the page for one remedy or treatment shows."""

    intervention: Intervention
    grade_label: str
    grade_meaning: str
    conditions: list[Condition]
    sources: list[Source]


def _by_grade(items: list[Intervention]) -> list[Intervention]:
    return sorted(items, key=lambda iv: (GRADE_ORDER.index(iv.grade), iv.name))


def _sources(kb: KnowledgeBase, ids: list[str]) -> list[Source]:
    seen: dict[str, Source] = {}
    for sid in ids:
        if sid in kb.sources and sid not in seen:
            seen[sid] = kb.sources[sid]
    return list(seen.values())


def split_remedies(
    items: list[Intervention],
) -> tuple[list[Intervention], list[Intervention], list[Intervention]]:
    """Self-care, ask-your-doctor, and not-recommended-or-unproven, as the plan splits them."""
    unproven = {Grade.insufficient, Grade.evidence_against}
    return (
        _by_grade([iv for iv in items if iv.grade not in unproven and not iv.clinician_only]),
        _by_grade([iv for iv in items if iv.grade not in unproven and iv.clinician_only]),
        _by_grade([iv for iv in items if iv.grade in unproven]),
    )


def condition_page(kb: KnowledgeBase, cid: str) -> ConditionPage | None:
    """The page for a condition, or None if the id is unknown."""
    c = kb.conditions.get(cid)
    if c is None:
        return None
    signs: list[Sign] = []
    circumstances: list[Sign] = []
    for link in sorted(c.links, key=lambda lk: (-lk.p, lk.finding)):
        f = kb.findings[link.finding]
        sign = Sign(
            id=f.id,
            label=f.label,
            p=link.p,
            words=how_often(link.p),
            frequency=in_hundred(link.p),
            estimate=link.estimate,
            warning=f.red_flag,
        )
        (signs if f.kind in SIGN_KINDS else circumstances).append(sign)
    self_care, ask_doctor, against = split_remedies(
        [iv for iv in kb.interventions.values() if cid in iv.for_conditions]
    )
    link_sources = [s for link in c.links for s in link.sources]
    return ConditionPage(
        condition=c,
        urgency_title=kb.level_text(c.urgency)[0],
        signs=signs,
        circumstances=circumstances,
        self_care=self_care,
        ask_doctor=ask_doctor,
        not_recommended=against,
        sources=_sources(kb, [*c.sources, *c.prior_sources, *link_sources]),
    )


def remedy_page(kb: KnowledgeBase, iid: str) -> RemedyPage | None:
    """The page for a remedy or treatment, or None if the id is unknown."""
    iv = kb.interventions.get(iid)
    if iv is None:
        return None
    label, meaning = GRADE_WORDS[iv.grade]
    return RemedyPage(
        intervention=iv,
        grade_label=label,
        grade_meaning=meaning,
        conditions=[kb.conditions[c] for c in iv.for_conditions if c in kb.conditions],
        sources=_sources(kb, list(iv.sources)),
    )


def conditions_by_group(kb: KnowledgeBase) -> list[tuple[str, list[Condition]]]:
    """Every condition under its group's plain name, groups in a fixed order."""
    out = []
    for group in ConditionGroup:
        members = sorted(
            (c for c in kb.conditions.values() if c.group == group), key=lambda c: c.name
        )
        if members:
            out.append((GROUP_WORDS.get(group, group.value), members))
    return out


def remedies_by_grade(kb: KnowledgeBase) -> list[tuple[Grade, str, list[Intervention]]]:
    """Every remedy and treatment under its evidence grade, strongest first."""
    out = []
    for grade in GRADE_ORDER:
        members = sorted(
            (iv for iv in kb.interventions.values() if iv.grade == grade), key=lambda iv: iv.name
        )
        if members:
            out.append((grade, GRADE_WORDS[grade][1], members))
    return out


def seed_article_remedies(kb: KnowledgeBase) -> list[Intervention]:
    """Remedies a popular article recommends, for the "the article, checked" section."""
    return _by_grade([iv for iv in kb.interventions.values() if iv.in_seed_article])
