"""Hypothesis properties of the engine on the real knowledge base."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from myotriage import Evidence, EvidenceError, assess, load_knowledge
from myotriage.engine.evidence import close
from myotriage.engine.infer import posterior
from myotriage.knowledge.base import compile_network

KB = load_knowledge()
NET = KB.network
ASKABLE = sorted(f.id for f in KB.findings.values() if f.type == "boolean" and not f.from_value)
RED_FLAGS = sorted(f.id for f in KB.findings.values() if f.red_flag and f.type == "boolean")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def evidence(draw: st.DrawFn, max_size: int = 8) -> Evidence:
    chosen = draw(st.lists(st.sampled_from(ASKABLE), max_size=max_size, unique=True))
    states = draw(st.lists(st.booleans(), min_size=len(chosen), max_size=len(chosen)))
    present = {f for f, s in zip(chosen, states, strict=True) if s}
    absent = {f for f, s in zip(chosen, states, strict=True) if not s}
    # Drop denials that contradict a present finding's implications.
    absent = {f for f in absent if not any(f in KB.ancestors[p] or f == p for p in present)}
    return Evidence(
        age=draw(st.integers(0, 120)),
        sex=draw(st.sampled_from(["female", "male"])),
        present=frozenset(present),
        absent=frozenset(absent),
    )


def closed_or_none(ev: Evidence):  # type: ignore[no-untyped-def]
    try:
        return close(ev, KB)
    except EvidenceError:
        return None


@given(evidence())
@SETTINGS
def test_posteriors_are_probabilities(ev: Evidence) -> None:
    c = closed_or_none(ev)
    assume(c is not None)
    post = posterior(NET.prior(c.age, c.sex.value), c.pos, c.neg, NET.links, NET.leak)
    assert np.all((post.probability >= 0) & (post.probability <= 1))
    assert 0 <= post.none_active <= 1


@given(evidence(), st.randoms())
@SETTINGS
def test_evidence_order_does_not_matter(ev: Evidence, rnd) -> None:  # type: ignore[no-untyped-def]
    assume(closed_or_none(ev) is not None)
    a = assess(ev, KB)
    present = list(ev.present)
    rnd.shuffle(present)
    again = Evidence(age=ev.age, sex=ev.sex, present=frozenset(present), absent=ev.absent)
    assert assess(again, KB) == a


@given(evidence(), st.randoms())
@SETTINGS
def test_condition_order_in_the_network_does_not_matter(ev: Evidence, rnd) -> None:  # type: ignore[no-untyped-def]
    c = closed_or_none(ev)
    assume(c is not None)
    conds = list(KB.conditions.values())
    rnd.shuffle(conds)
    shuffled = compile_network(tuple(conds), tuple(KB.findings.values()))
    a = posterior(NET.prior(c.age, c.sex.value), c.pos, c.neg, NET.links, NET.leak).probability
    b = posterior(
        shuffled.prior(c.age, c.sex.value), c.pos, c.neg, shuffled.links, shuffled.leak
    ).probability
    for i, cid in enumerate(NET.condition_ids):
        assert abs(a[i] - b[shuffled.condition_index[cid]]) < 1e-12


@given(evidence(), st.sampled_from(RED_FLAGS))
@SETTINGS
def test_adding_a_red_flag_finding_never_lowers_the_triage(ev: Evidence, flag: str) -> None:
    assume(closed_or_none(ev) is not None)
    more = Evidence(age=ev.age, sex=ev.sex, present=ev.present | {flag}, absent=ev.absent - {flag})
    assume(closed_or_none(more) is not None)
    assert assess(more, KB).triage.level >= assess(ev, KB).triage.level


@given(evidence(), st.sampled_from(ASKABLE))
@SETTINGS
def test_an_absent_finding_never_raises_a_condition_it_supports(ev: Evidence, f: str) -> None:
    # Exactly true when the other evidence is negative (negative findings
    # factorise). With present findings a denial can raise a weak supporter by
    # explaining away its stronger rival, so there we check the direct effect:
    # the denial's likelihood ratio is at most 1 for every supporting condition.
    c = closed_or_none(ev)
    assume(c is not None and f not in c.present and f not in c.absent)
    more = Evidence(age=ev.age, sex=ev.sex, present=frozenset(), absent=ev.absent | {f})
    c2 = closed_or_none(more)
    c0 = closed_or_none(Evidence(age=ev.age, sex=ev.sex, absent=ev.absent))
    assume(c2 is not None and c0 is not None)
    prior = NET.prior(c.age, c.sex.value)
    before = posterior(prior, c0.pos, c0.neg, NET.links, NET.leak).probability
    after = posterior(prior, c2.pos, c2.neg, NET.links, NET.leak).probability
    supports = NET.links[:, NET.finding_index[f]] > 0
    assert np.all(after[supports] <= before[supports] + 1e-12)
    full = assess(Evidence(age=ev.age, sex=ev.sex, present=ev.present, absent=ev.absent | {f}), KB)
    for cause in full.causes:
        for factor in cause.why:
            if factor.finding == f:
                assert factor.state == "absent" and factor.likelihood_ratio <= 1.0
