"""The adaptive interview: which question next, or stop (pure, no I/O).

Two phases. **Screening**: the knowledge base's forced questions, in file
order, each as soon as its ``ask_when`` holds — warning signs first, then the
context that decides red flags. **Information**: the pending question with the
largest expected information gain about the leading causes and the triage.

Expected gain is an exact one-step lookahead: for each candidate finding, the
chance of "yes" and "no" given everything said so far and every condition's
posterior after each answer come from one batched forward-backward pass
(:func:`myotriage.engine.infer.answer_lookahead`), not from an independence
shortcut. "Don't know" changes nothing, so it only scales the gain. Entropy is weighted
by urgency, so uncertainty about a cause that would change the triage counts
more than uncertainty about a harmless one.

Stopping rule (thresholds in ``policy.yaml``): stop when no pending question
could change the triage level or the top causes with at least
``min_change_probability``, or at ``max_questions``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from myotriage.engine.evidence import ClosedEvidence, Evidence, close
from myotriage.engine.infer import answer_lookahead, posterior
from myotriage.engine.triage import fired_rules, holds
from myotriage.errors import EvidenceError, Problem
from myotriage.knowledge.base import FloatArray, KnowledgeBase
from myotriage.knowledge.schema import Question, QuestionKind, RedFlagRule, TriageLevel

AnswerState = Literal["yes", "no", "unknown"]


class Frozen(BaseModel):
    """Immutable wire-friendly value."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class QuestionOption(Frozen):
    """One answer option: a finding the person may have."""

    finding: str
    label: str
    text: str


class NumberRange(Frozen):
    """Accepted range for a number answer, in ``unit``."""

    min: float
    max: float


class InterviewQuestion(Frozen):
    """A question ready to show: only options still unknown are listed."""

    id: str
    kind: QuestionKind
    text: str
    options: list[QuestionOption]
    unit: str | None = None
    range: NumberRange | None = None
    rationale: str
    phase: Literal["screening", "information"]
    expected_gain: float = Field(ge=0.0, description="Weighted bits, 'don't know' included")
    change_probability: float = Field(
        ge=0.0, le=1.0, description="Chance the answer changes the triage or the top causes"
    )


class InterviewStep(Frozen):
    """The next question, or a stop with its reason."""

    should_stop: bool
    question: InterviewQuestion | None
    reason: str
    asked: int
    max_questions: int
    screening_left: int = Field(
        default=0,
        ge=0,
        description="Warning-sign questions still due after this one, as the answers stand "
        "(a yes can open follow-ups)",
    )


class Answer(Frozen):
    """An answer: yes/no/unknown per finding, or numbers (None = don't know)."""

    states: Mapping[str, AnswerState] = Field(default_factory=dict)
    values: Mapping[str, float | None] = Field(default_factory=dict)


def question_by_id(kb: KnowledgeBase, qid: str) -> Question:
    """The knowledge base's question with this id (EvidenceError if none)."""
    for q in kb.questions:
        if q.id == qid:
            return q
    raise EvidenceError("Unknown question.", [Problem(qid, "no such question id")])


def _unknown(q: Question, ev: ClosedEvidence) -> list[str]:
    if q.kind == QuestionKind.number:
        return [f for f in q.findings if f not in ev.values]
    return [f for f in q.findings if f not in ev.present and f not in ev.absent]


def pending_questions(
    ev: ClosedEvidence, kb: KnowledgeBase, asked: Collection[str]
) -> list[Question]:
    """Questions not yet asked, still open, and relevant to what was said."""
    return [
        q
        for q in kb.questions
        if q.id not in asked and _unknown(q, ev) and (q.ask_when is None or holds(q.ask_when, ev))
    ]


def _present(
    q: Question, ev: ClosedEvidence, kb: KnowledgeBase, phase: str, gain: float, change: float
) -> InterviewQuestion:
    unknown = _unknown(q, ev)
    options = [
        QuestionOption(finding=f, label=kb.findings[f].label, text=kb.findings[f].question)
        for f in unknown
    ]
    f0 = kb.findings[q.findings[0]]
    rng = None
    if q.kind == QuestionKind.number and f0.range is not None:
        rng = NumberRange(min=f0.range.min, max=f0.range.max)
    return InterviewQuestion(
        id=q.id,
        kind=q.kind,
        text=q.text,
        options=options,
        unit=f0.unit.value if q.kind == QuestionKind.number and f0.unit else None,
        range=rng,
        rationale=q.rationale,
        phase=phase,
        expected_gain=round(max(gain, 0.0), 6),
        change_probability=round(min(max(change, 0.0), 1.0), 6),
    )


def _entropy(p: FloatArray) -> FloatArray:
    q = np.clip(p, 1e-15, 1 - 1e-15)
    out: FloatArray = -(q * np.log2(q) + (1 - q) * np.log2(1 - q))
    return out


@dataclass(frozen=True)
class _Model:
    """Per-knowledge-base arrays the lookahead needs."""

    urgency: FloatArray
    threshold: FloatArray
    weight: FloatArray


def _model(kb: KnowledgeBase) -> _Model:
    net = kb.network
    urgency = np.array([kb.conditions[c].urgency.rank for c in net.condition_ids], dtype=float)
    threshold = np.array([kb.conditions[c].action_threshold for c in net.condition_ids])
    threshold = np.where(urgency > 0, threshold, 2.0)  # self-care causes never act
    return _Model(urgency=urgency, threshold=threshold, weight=1.0 + urgency)


def _probability_levels(pi: FloatArray, m: _Model, kb: KnowledgeBase) -> FloatArray:
    """Approximate probability-layer level (rank) for each column of marginals."""
    acting = pi >= m.threshold[:, None]
    level: FloatArray = np.where(acting, m.urgency[:, None], 0.0).max(axis=0)
    log_off = np.log1p(-np.clip(pi, 0.0, 1 - 1e-15))
    for lv, thr in kb.policy.group_thresholds.items():
        members = m.urgency >= lv.rank
        p_any = 1.0 - np.exp(log_off[members].sum(axis=0))
        level = np.where(p_any >= thr, np.maximum(level, lv.rank), level)
    return level


def _rule_level(ev: ClosedEvidence, rules: Collection[RedFlagRule]) -> int:
    return max((r.level.rank for r in rules if holds(r.when, ev)), default=0)


@dataclass(frozen=True)
class _Lookahead:
    gain: FloatArray
    change: FloatArray


def _lookahead(
    ev: ClosedEvidence, pi: FloatArray, fids: list[str], floor: int, kb: KnowledgeBase
) -> _Lookahead:
    """Expected weighted information gain and change probability per finding."""
    net = kb.network
    m = _model(kb)
    idx = np.array([net.finding_index[f] for f in fids], dtype=np.intp)
    prior = net.prior(ev.age, ev.sex.value)
    exact = answer_lookahead(prior, ev.pos, ev.neg, net.links, net.leak, idx)
    p_yes, pi_yes, pi_no = exact.p_yes, exact.if_yes, exact.if_no
    p_no = 1.0 - p_yes
    h_now = float(m.weight @ _entropy(pi))
    h_yes = m.weight @ _entropy(pi_yes)
    h_no = m.weight @ _entropy(pi_no)
    gain = h_now - (p_yes * h_yes + p_no * h_no)

    top_k = kb.policy.interview.top_causes
    margin = kb.policy.interview.top_causes_margin
    order = np.argsort(-pi, kind="stable")
    now_top, rest = order[:top_k], order[top_k:]
    level_now = max(floor, int(_probability_levels(pi[:, None], m, kb)[0]))
    lv_yes = _probability_levels(pi_yes, m, kb)
    lv_no = _probability_levels(pi_no, m, kb)
    change = np.zeros(len(fids))
    by_id = {r.id: r for r in kb.rules}
    for j, f in enumerate(fids):
        # Only rules that mention the finding (or a parent it implies) can change.
        ids = set(kb.rules_by_finding.get(f, ()))
        for anc in kb.ancestors.get(f, ()):
            ids.update(kb.rules_by_finding.get(anc, ()))
        rules = [by_id[i] for i in ids]
        yes_ev = replace(ev, present=ev.present | {f} | kb.ancestors.get(f, frozenset()))
        no_ev = replace(ev, absent=ev.absent | {f} | kb.descendants.get(f, frozenset()))
        y = max(floor, int(lv_yes[j]), _rule_level(yes_ev, rules))
        n = max(floor, int(lv_no[j]), _rule_level(no_ev, rules))
        # The top causes "change" when an outsider would overtake one of them by
        # a clear margin; reshuffles between near-equal causes do not count.
        moved_yes = pi_yes[rest, j].max(initial=0.0) > pi_yes[now_top, j].min() + margin
        moved_no = pi_no[rest, j].max(initial=0.0) > pi_no[now_top, j].min() + margin
        change[j] = p_yes[j] * float(y != level_now or moved_yes) + p_no[j] * float(
            n != level_now or moved_no
        )
    return _Lookahead(gain=gain, change=change)


def _proxies(q: Question, ev: ClosedEvidence, kb: KnowledgeBase) -> list[str]:
    """Network findings whose answers the question reveals (derived ones for numbers)."""
    if q.kind == QuestionKind.number:
        return [
            f.id
            for f in kb.findings.values()
            if f.from_value is not None and f.from_value.finding == q.findings[0]
        ]
    return [f for f in _unknown(q, ev) if f in kb.network.finding_index]


def _could_raise(q: Question, ev: ClosedEvidence, level: TriageLevel, kb: KnowledgeBase) -> bool:
    """Whether a "yes" to one of the question's open findings could fire a rule above ``level``."""
    by_id = {r.id: r for r in kb.rules}
    for f in _unknown(q, ev):
        for g in {f} | kb.ancestors.get(f, frozenset()):
            if any(by_id[r].level > level for r in kb.rules_by_finding.get(g, ())):
                return True
    return False


def next_question(
    evidence: Evidence, kb: KnowledgeBase, asked: Collection[str] = ()
) -> InterviewStep:
    """The next question to ask, or a stop with its reason.

    ``asked`` holds the ids of questions already put to the person (answered
    or "don't know"); the evidence holds what they said. Stateless: the same
    inputs always give the same step.
    """
    ev = close(evidence, kb)
    pol = kb.policy.interview
    n_asked = len(asked)
    pending = pending_questions(ev, kb, asked)

    def stop(reason: str) -> InterviewStep:
        return InterviewStep(
            should_stop=True,
            question=None,
            asked=n_asked,
            max_questions=pol.max_questions,
            reason=reason,
        )

    if n_asked >= pol.max_questions:
        return stop(f"Reached the limit of {pol.max_questions} questions.")
    # Levels no answer can undo: red flags and age. (Probability-based levels are
    # what the lookahead predicts, so they are not part of the floor.)
    red_flags = max((r.level for r in fired_rules(ev, kb)), default=TriageLevel.self_care)
    urgent = red_flags >= pol.stop_at_level
    # Once the person needs urgent care, only a question that could make it more
    # urgent still is worth their time.
    screening = [
        q for q in pending if q.forced and (not urgent or _could_raise(q, ev, red_flags, kb))
    ]
    if screening:
        q = screening[0]
        return InterviewStep(
            should_stop=False,
            question=_present(q, ev, kb, "screening", 0.0, 1.0),
            asked=n_asked,
            max_questions=pol.max_questions,
            reason=q.rationale,
            screening_left=len(screening) - 1,
        )
    if not pending:
        return stop("Every relevant question has been asked.")
    if urgent:
        return stop("Your answers already show you need urgent care: no more questions.")
    floor = red_flags.rank
    if ev.age < kb.policy.young_child_below_age:
        floor = max(floor, kb.policy.young_child_min_level.rank)
    net = kb.network
    prior = net.prior(ev.age, ev.sex.value)
    post = posterior(prior, ev.pos, ev.neg, net.links, net.leak)
    candidates = [(q, _proxies(q, ev, kb)) for q in pending]
    fids = sorted({f for _, fs in candidates for f in fs})
    look = _lookahead(ev, post.probability, fids, floor, kb) if fids else None
    where = {f: j for j, f in enumerate(fids)}
    # Only questions whose answer could change the triage or the top causes are
    # worth the person's time; among those, the most informative goes first.
    best: tuple[float, float, Question] | None = None
    for q, fs in candidates:
        if look is None or not fs:
            continue
        keep = 1.0 - pol.dont_know_probability
        change = (1.0 - float(np.prod([1.0 - look.change[where[f]] for f in fs]))) * keep
        if change < pol.min_change_probability:
            continue
        gain = float(sum(look.gain[where[f]] for f in fs)) * keep
        if best is None or gain > best[0]:
            best = (gain, change, q)
    if best is None:
        return stop("No remaining question is likely to change the advice or the likely causes.")
    gain, change, q = best
    return InterviewStep(
        should_stop=False,
        question=_present(q, ev, kb, "information", gain, change),
        asked=n_asked,
        max_questions=pol.max_questions,
        reason=q.rationale,
    )


def apply_answer(
    evidence: Evidence, question: Question, answer: Answer, kb: KnowledgeBase
) -> Evidence:
    """Add an answer to the evidence. Nothing already entered is lost.

    Raises :class:`EvidenceError` naming the option when the answer mentions a
    finding the question does not ask about, or a number out of range.
    """
    problems: list[Problem] = []
    allowed = set(question.findings)
    for fid in [*answer.states, *answer.values]:
        if fid not in allowed:
            problems.append(Problem(fid, f"is not an option of question {question.id}"))
    for fid, value in answer.values.items():
        f = kb.findings.get(fid)
        if (
            value is not None
            and f is not None
            and f.range is not None
            and not (f.range.min <= value <= f.range.max)
        ):
            problems.append(
                Problem(fid, f"{value:g} is out of range {f.range.min:g}-{f.range.max:g} {f.unit}")
            )
    if problems:
        raise EvidenceError("The answer cannot be used.", problems)
    yes = {f for f, s in answer.states.items() if s == "yes"}
    no = {f for f, s in answer.states.items() if s == "no"}
    unsure = {f for f, s in answer.states.items() if s == "unknown"}
    unsure |= {f for f, v in answer.values.items() if v is None}
    # "No" to a finding implied by a "yes" in the same answer is dropped, not a clash.
    implied = set().union(*(kb.ancestors.get(f, frozenset()) for f in yes)) if yes else set()
    no -= implied
    values = dict(evidence.values)
    values.update({f: v for f, v in answer.values.items() if v is not None})
    return Evidence(
        age=evidence.age,
        sex=evidence.sex,
        present=(evidence.present - no) | yes,
        absent=(evidence.absent - yes) | no,
        unknown=(evidence.unknown - yes - no - set(values))
        | (unsure - evidence.present - evidence.absent),
        values=values,
    )
