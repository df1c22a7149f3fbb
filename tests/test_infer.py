"""Oracle tests: production inference against brute-force enumeration and pgmpy."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from myotriage import KnowledgeBase
from myotriage.engine import infer
from myotriage.engine.infer import (
    answer_lookahead,
    brute_force_posterior,
    posterior,
    posterior_variants,
)


def random_network(seed: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    links = rng.uniform(0.01, 0.95, (n, m)) * (rng.uniform(size=(n, m)) < 0.45)
    leak = rng.uniform(0.0, 0.05, m)
    prior = rng.uniform(0.0, 0.4, n)
    return prior, links, leak


@contextmanager
def marginals_by(way: str) -> Iterator[None]:
    """Force one of the ways a component's marginals are computed: forced-on rows
    with each step as one matrix or as per-axis updates, or a backward pass."""
    saved = infer.FORCED_ROWS_LIMIT, infer.MATRIX_MAX_K
    infer.FORCED_ROWS_LIMIT = 0 if way == "backward" else 10**12
    infer.MATRIX_MAX_K = 8 if way == "forced_rows_matrix" else 0
    try:
        yield
    finally:
        infer.FORCED_ROWS_LIMIT, infer.MATRIX_MAX_K = saved


WAYS = pytest.mark.parametrize("way", ["forced_rows_matrix", "forced_rows", "backward"])


@WAYS
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 10),
    m=st.integers(1, 12),
    split=st.data(),
)
@settings(max_examples=150, deadline=None)
def test_matches_brute_force_on_small_random_networks(
    way: str, seed: int, n: int, m: int, split: st.DataObject
) -> None:
    with marginals_by(way):
        check_against_brute_force(seed, n, m, split)


def check_against_brute_force(seed: int, n: int, m: int, split: st.DataObject) -> None:
    prior, links, leak = random_network(seed, n, m)
    states = split.draw(st.lists(st.sampled_from([0, 1, 2]), min_size=m, max_size=m))
    pos = np.array([f for f, s in enumerate(states) if s == 1], dtype=np.intp)
    neg = np.array([f for f, s in enumerate(states) if s == 2], dtype=np.intp)
    got = posterior(prior, pos, neg, links, leak)
    want = brute_force_posterior(prior, pos, neg, links, leak)
    np.testing.assert_allclose(got.probability, want, rtol=0, atol=1e-12)
    assert np.all((got.probability >= 0) & (got.probability <= 1))


@WAYS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 9), m=st.integers(2, 9), data=st.data())
@settings(max_examples=120, deadline=None)
def test_variants_read_from_one_sweep_equal_their_own_inference(
    way: str, seed: int, n: int, m: int, data: st.DataObject
) -> None:
    with marginals_by(way):
        check_variants(seed, n, m, data)


def check_variants(seed: int, n: int, m: int, data: st.DataObject) -> None:
    # Leaving positive findings unobserved is read off the shared sweep by
    # summing their axes out: it must equal inferring without them, what-ifs too.
    prior, links, leak = random_network(seed, n, m)
    states = data.draw(st.lists(st.sampled_from([0, 1, 1, 2]), min_size=m, max_size=m))
    pos = np.array([f for f, s in enumerate(states) if s == 1], dtype=np.intp)
    neg = np.array([f for f, s in enumerate(states) if s == 2], dtype=np.intp)
    subsets = [np.arange(n // 2 + 1), np.array([n - 1])]
    drops = [
        np.array(
            sorted(
                data.draw(st.sets(st.sampled_from(pos.tolist())) if len(pos) else st.just(set()))
            ),
            dtype=np.intp,
        )
        for _ in range(3)
    ]
    got = posterior_variants(prior, pos, neg, links, leak, subsets, drops)
    assert len(got) == 1 + len(drops)
    for drop, variant in zip([np.array([], dtype=np.intp), *drops], got, strict=True):
        kept = np.setdiff1d(pos, drop)
        want = posterior(prior, kept, neg, links, leak, subsets)
        np.testing.assert_allclose(variant.probability, want.probability, rtol=0, atol=1e-12)
        np.testing.assert_allclose(variant.all_off, want.all_off, rtol=0, atol=1e-12)
        assert variant.none_active == pytest.approx(want.none_active, abs=1e-12)
        assert variant.log_evidence == pytest.approx(want.log_evidence, abs=1e-9)
        np.testing.assert_allclose(
            variant.probability, brute_force_posterior(prior, kept, neg, links, leak), atol=1e-12
        )


def _evidence_probability(
    prior: np.ndarray, pos: np.ndarray, neg: np.ndarray, links: np.ndarray, leak: np.ndarray
) -> float:
    n = len(prior)
    states = ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(float)
    w = np.prod(np.where(states == 1, prior, 1 - prior), axis=1)
    for f in pos:
        w *= 1 - (1 - leak[f]) * np.prod(np.where(states == 1, 1 - links[:, f], 1), 1)
    for f in neg:
        w *= (1 - leak[f]) * np.prod(np.where(states == 1, 1 - links[:, f], 1), 1)
    return float(w.sum())


@given(seed=st.integers(0, 10_000), n=st.integers(1, 8), m=st.integers(2, 9), data=st.data())
@settings(max_examples=120, deadline=None)
def test_answer_lookahead_matches_enumeration(
    seed: int, n: int, m: int, data: st.DataObject
) -> None:
    # For every unanswered finding: P(yes | e) and the posteriors after "yes"
    # and after "no" must equal brute force with that answer added.
    prior, links, leak = random_network(seed, n, m)
    states = data.draw(st.lists(st.sampled_from([0, 0, 1, 1, 2]), min_size=m, max_size=m))
    pos = np.array([f for f, s in enumerate(states) if s == 1], dtype=np.intp)
    neg = np.array([f for f, s in enumerate(states) if s == 2], dtype=np.intp)
    cand = np.array([f for f, s in enumerate(states) if s == 0], dtype=np.intp)
    look = answer_lookahead(prior, pos, neg, links, leak, cand)
    z = _evidence_probability(prior, pos, neg, links, leak)
    for c, f in enumerate(cand):
        with_yes = np.sort(np.append(pos, f))
        with_no = np.sort(np.append(neg, f))
        p_yes = _evidence_probability(prior, with_yes, neg, links, leak) / z
        assert look.p_yes[c] == pytest.approx(p_yes, abs=1e-12)
        want_no = brute_force_posterior(prior, pos, with_no, links, leak)
        np.testing.assert_allclose(look.if_no[:, c], want_no, rtol=0, atol=1e-12)
        if p_yes > 1e-6:
            want_yes = brute_force_posterior(prior, with_yes, neg, links, leak)
            np.testing.assert_allclose(look.if_yes[:, c], want_yes, rtol=0, atol=1e-9)


def test_none_active_matches_enumeration() -> None:
    prior, links, leak = random_network(7, 6, 5)
    pos = np.array([0, 2, 3])
    neg = np.array([1])
    got = posterior(prior, pos, neg, links, leak).none_active
    n = len(prior)
    states = ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(float)
    w = np.prod(np.where(states == 1, prior, 1 - prior), axis=1)
    for f in pos:
        w *= 1 - (1 - leak[f]) * np.prod(np.where(states == 1, 1 - links[:, f], 1), 1)
    for f in neg:
        w *= (1 - leak[f]) * np.prod(np.where(states == 1, 1 - links[:, f], 1), 1)
    assert got == pytest.approx(w[0] / w.sum(), abs=1e-12)


def test_many_positive_findings_stay_exact_where_quickscore_would_not() -> None:
    # 12 positives on one 14-condition component: brute force is still feasible
    # (2^14 states), and quickscore's alternating sum would lose ~1e-4 here.
    prior, links, leak = random_network(3, 14, 12)
    links[:, :] = np.maximum(links, 0.02)  # one dense component
    pos = np.arange(12)
    got = posterior(prior, pos, np.array([], dtype=np.intp), links, leak).probability
    want = brute_force_posterior(prior, pos, np.array([], dtype=np.intp), links, leak)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def _pgmpy_posteriors(
    kb: KnowledgeBase, prior: np.ndarray, pos: np.ndarray, neg: np.ndarray
) -> np.ndarray:
    from benchmarks.pgmpy_reference import PgmpyReference

    ref = PgmpyReference(kb.network, prior)
    return ref.posteriors(pos, neg)


@pytest.mark.parametrize("n_pos", [3, 9, 15])
def test_matches_pgmpy_on_the_real_network(kb: KnowledgeBase, n_pos: int) -> None:
    net = kb.network
    rng = np.random.default_rng(n_pos)
    linked = np.flatnonzero(net.links.sum(axis=0) > 0)
    chosen = rng.choice(linked, size=n_pos + 5, replace=False)
    pos, neg = np.sort(chosen[:n_pos]), np.sort(chosen[n_pos:])
    prior = net.prior(55, "female")
    ours = posterior(prior, pos, neg, net.links, net.leak).probability
    theirs = _pgmpy_posteriors(kb, prior, pos, neg)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


@given(seed=st.integers(0, 10_000), split=st.data())
@settings(max_examples=60, deadline=None)
def test_a_read_only_network_uses_the_structure_cache_and_gets_the_same_answer(
    seed: int, split: st.DataObject
) -> None:
    prior, links, leak = random_network(seed, 8, 10)
    frozen = links.copy()
    frozen.setflags(write=False)
    states = split.draw(st.lists(st.sampled_from([0, 1, 2]), min_size=10, max_size=10))
    pos = np.array([f for f, s in enumerate(states) if s == 1], dtype=np.intp)
    neg = np.array([f for f, s in enumerate(states) if s == 2], dtype=np.intp)
    want = brute_force_posterior(prior, pos, neg, links, leak)
    for _ in range(2):  # the second call reads the cached structure
        got = posterior(prior, pos, neg, frozen, leak, what_if=[np.array([0, 1])])
        np.testing.assert_allclose(got.probability, want, rtol=0, atol=1e-12)
    assert id(frozen) in infer._BUILDERS


def test_the_structure_cache_goes_with_its_network() -> None:
    prior, links, leak = random_network(1, 6, 6)
    links.setflags(write=False)
    posterior(prior, np.array([0, 1, 2]), np.array([3]), links, leak)
    key = id(links)
    assert key in infer._BUILDERS
    del links
    gc.collect()
    assert key not in infer._BUILDERS
