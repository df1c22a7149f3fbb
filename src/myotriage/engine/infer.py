"""Exact posterior inference in the noisy-OR network.

Model: conditions ``c_i`` are independent with priors ``π_i``; a finding ``f``
is present with probability ``1 − (1 − leak_f) Π_i (1 − p_if)^{c_i}``.

Negative findings factorise: each multiplies condition ``i``'s "on" weight by
``Π_f (1 − p_if)``. Positive findings are where quickscore (Heckerman 1989)
sums ``2^k`` terms of alternating sign and loses precision. Instead we use
the noisy-OR's causal-independence decomposition: each positive finding is
an OR over its leak and its parents' independent "activations", so we sweep
the conditions one at a time, carrying the joint distribution of the ``k``
partial ORs (a vector of ``2^k`` probabilities). Every update is a convex
combination of non-negative numbers, so nothing cancels: the result is exact
to rounding. A forward pass carries several scenarios side by side (the real
priors, and groups of conditions forced off: the "what ifs" triage needs); a
backward pass gives every condition's marginal. Positive findings
that share no condition are split into independent components, so ``k`` is
the size of a component, not of the whole evidence.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt

from myotriage.knowledge.base import FloatArray, IntArray


@dataclass(frozen=True)
class Posterior:
    """Posterior marginals and by-products of one inference.

    ``probability[i]`` is P(condition i active | evidence). ``none_active`` is
    P(no modelled condition is active | evidence). ``all_off[j]`` is P(every
    condition in the j-th "what if" subset is inactive | evidence).
    """

    probability: FloatArray
    none_active: float
    log_evidence: float
    all_off: tuple[float, ...] = ()


def _or_views(x: FloatArray, k: int) -> list[tuple[FloatArray, FloatArray]]:
    """Per axis, views of the "still 0" and "already 1" halves of the state table.

    ``x`` is (2^k states, rows): the scenario rows are the fastest axis, so
    every view's inner loop runs over contiguous memory. Absorbing an
    activation with probability p on an axis is then ``one += p * zero;
    zero *= 1 - p``: the partial OR becomes 1 with chance p.
    """
    rows = x.shape[1]
    out = []
    for axis in range(k):
        v = x.reshape(1 << axis, 2, (1 << (k - axis - 1)) * rows)
        out.append((v[:, 0, :], v[:, 1, :]))
    return out


@cache
def _bit_table(k: int) -> npt.NDArray[np.bool_]:
    """(2^k, k) table: bit a of state y, axis 0 being the most significant."""
    y = np.arange(1 << k)[:, None]
    table: npt.NDArray[np.bool_] = ((y >> (k - 1 - np.arange(k))[None, :]) & 1).astype(bool)
    table.setflags(write=False)
    return table


def _components(pos: IntArray, links: FloatArray) -> list[tuple[IntArray, IntArray]]:
    """Split positive findings into groups that share no condition."""
    sub = links[:, pos] > 0  # conditions x positive findings
    shared = (sub.T.astype(np.int64) @ sub.astype(np.int64)) > 0
    k = len(pos)
    seen = [False] * k
    out = []
    for start in range(k):
        if seen[start]:
            continue
        seen[start] = True
        members, stack = [], [start]
        while stack:
            a = stack.pop()
            members.append(a)
            for b in np.flatnonzero(shared[a]):
                if not seen[b]:
                    seen[b] = True
                    stack.append(int(b))
        cols = np.array(sorted(members), dtype=np.intp)
        out.append((pos[cols], np.flatnonzero(sub[:, cols].any(axis=1))))
    return out


@dataclass(frozen=True)
class _Layout:
    """How a component's conditions sit on its findings' axes.

    ``multi`` are conditions linked to two or more of the findings (each needs a
    step of the sweep, ``steps[n]`` its (axis, p) pairs); ``single`` those linked
    to exactly one (``single_axis``, ``single_p``), folded into the start state.
    """

    k: int
    single: IntArray
    single_axis: IntArray
    single_p: FloatArray
    multi: IntArray
    steps: list[list[tuple[int, float]]]
    onehot: FloatArray  # (single, k): each single-parent condition's axis
    single_zero_state: IntArray  # per single: the state with its axis 0, all others 1
    # For a small k, each multi step as one matrix: T_j - I, where T_j moves the
    # joint of the partial ORs when condition j is on (None for a larger k).
    step_deltas: FloatArray | None


def _layout(conds: IntArray, fids: IntArray, links: FloatArray) -> _Layout:
    sub = links[np.ix_(conds, fids)]
    linked = sub > 0
    n_axes = linked.sum(axis=1)
    single = np.flatnonzero(n_axes == 1)
    multi = np.flatnonzero(n_axes >= 2)
    single_axis = np.argmax(linked[single], axis=1)
    rows_of, axes_of = np.nonzero(linked[multi])
    step_p = sub[multi[rows_of], axes_of]
    steps: list[list[tuple[int, float]]] = [[] for _ in multi]
    for r, a, p in zip(rows_of.tolist(), axes_of.tolist(), step_p.tolist(), strict=True):
        steps[r].append((a, p))
    onehot = np.zeros((len(single), len(fids)))
    onehot[np.arange(len(single)), single_axis] = 1.0
    k = len(fids)
    zero_state = (1 << k) - 1 - (1 << (k - 1 - single_axis))
    deltas = _step_deltas(k, len(multi), rows_of, axes_of, step_p) if k <= MATRIX_MAX_K else None
    return _Layout(
        k,
        single,
        single_axis,
        sub[single, single_axis],
        multi,
        steps,
        onehot,
        zero_state,
        deltas,
    )


# Up to this many axes a multi step is one small matrix product (at most 16 x 16,
# kept with the cached structure) instead of a few array updates per axis; past it
# the matrices cost more than they save. Tests set it to 0 and to 8 to check both.
MATRIX_MAX_K = 4


def _step_deltas(
    k: int, n_steps: int, step_index: IntArray, step_axis: IntArray, step_p: FloatArray
) -> FloatArray:
    """Per multi step, T - I: T is the Kronecker product over axes (axis 0 the most
    significant) of [[1 - p, 0], [p, 1]] on the axes the condition reaches and the
    identity elsewhere (a partial OR that is off turns on with chance p)."""
    factors = np.zeros((n_steps, k, 2, 2))
    factors[:, :, 0, 0] = 1.0
    factors[:, :, 1, 1] = 1.0
    factors[step_index, step_axis, 0, 0] = 1.0 - step_p
    factors[step_index, step_axis, 1, 0] = step_p
    t = factors[:, 0]
    for a in range(1, k):
        size = 2 << (a - 1)
        t = (t[:, :, None, :, None] * factors[:, a, None, :, None, :]).reshape(
            n_steps, 2 * size, 2 * size
        )
    out: FloatArray = t - np.eye(1 << k)
    return out


@dataclass(frozen=True)
class _Part:
    """One independent component of the positive findings, with its layout."""

    fids: IntArray
    conds: IntArray
    layout: _Layout


# Structures are cached per links array (only a read-only one, as a knowledge
# base's is) and per set of positive findings: they depend on nothing else, and
# working them out costs more than a small component's whole sweep.
STRUCTURE_CACHE_SIZE = 1024
_BUILDERS: dict[int, Callable[[bytes], tuple[_Part, ...]]] = {}


def _build_parts(pos: IntArray, links: FloatArray) -> tuple[_Part, ...]:
    return tuple(
        _Part(fids, conds, _layout(conds, fids, links)) for fids, conds in _components(pos, links)
    )


def _builder(links: FloatArray) -> Callable[[bytes], tuple[_Part, ...]]:
    """A cached structure builder for one read-only links array."""
    key = id(links)
    # A weak reference, so the cache neither keeps the network alive nor
    # outlives it (its entry goes when the array is collected).
    ref = weakref.ref(links, lambda _: _BUILDERS.pop(key, None))

    @lru_cache(maxsize=STRUCTURE_CACHE_SIZE)
    def build(pos_bytes: bytes) -> tuple[_Part, ...]:
        arr = ref()
        assert arr is not None  # the caller holds it
        return _build_parts(np.frombuffer(pos_bytes, dtype=np.intp), arr)

    _BUILDERS[key] = build
    return build


def _parts(pos: IntArray, links: FloatArray) -> tuple[_Part, ...]:
    """The components of ``pos`` with their layouts, cached for a read-only ``links``."""
    if links.flags.writeable:
        return _build_parts(pos, links)
    build = _BUILDERS.get(id(links)) or _builder(links)
    return build(np.ascontiguousarray(pos, dtype=np.intp).tobytes())


def _start(lay: _Layout, single_priors: FloatArray, leak: FloatArray) -> FloatArray:
    """(2^k states, rows): the joint of the partial ORs before any ``multi`` step.

    ``single_priors`` is (rows, single-parent conditions). Per row and axis, the
    chance that the leak (``leak`` per axis) and the single-parent causes all
    leave the partial OR off is a product, summed in logs over each axis's
    causes; axis 0 is the most significant bit.
    """
    stay_off = np.exp(np.log1p(-single_priors * lay.single_p) @ lay.onehot + np.log1p(-leak))
    bits = _bit_table(lay.k)
    alpha: FloatArray = np.prod(
        np.where(bits[:, None, :], 1.0 - stay_off[None, :, :], stay_off[None, :, :]), axis=2
    )
    return alpha


# Above this many state-times-condition entries a component's marginals come from a
# backward pass rather than from one forced-on row per condition (tests set it to
# 0 and to a large value to check both ways).
FORCED_ROWS_LIMIT = 2048


@dataclass(frozen=True)
class _Swept:
    """One component after the forward pass, ready to be read for any variant.

    ``alpha[r]`` is the joint distribution of the component's partial ORs in
    scenario row ``r``: row 0 the real priors, then one row per "what if"
    (conditions forced off), then, for a small component, one row per
    condition in ``multi`` forced on. A large component keeps instead row 0's
    joint before each of those conditions (``history``) for a backward pass.
    """

    alpha: FloatArray
    k: int
    n_what_if: int
    prior: FloatArray
    layout: _Layout
    single_gain: FloatArray
    history: FloatArray | None


def _sweep(
    prior: FloatArray, masks: npt.NDArray[np.bool_], lay: _Layout, leak: FloatArray
) -> _Swept:
    """One component, exactly: a forward pass carrying every scenario side by side.

    ``prior`` holds the component's conditions' priors (after negative
    findings); ``masks`` one row per "what if" scenario marking conditions
    forced off. The pass carries the joint distribution of the component's
    partial ORs for the real priors, each "what if", and each condition linked
    to two or more findings forced on (so P(e | c = 1), hence its posterior,
    comes out of the same pass: no backward pass, no subtraction). Every
    number is a probability and every update a convex mix or a product, so
    nothing cancels.

    Conditions linked to only one of the findings need no step of their own:
    on that finding's partial OR their mixtures multiply into one "stays off"
    factor (the OR steps on one axis commute and are linear in that factor),
    so they are folded into the starting state, and their posteriors follow
    from the same linearity: forcing one on lowers its axis's factor from s
    to s(1 - p)/(1 - πp), so P(e | c = 1) = Z + p(1 - π)/(1 - πp) · α(that
    axis 0, all others 1), a sum of non-negative terms.
    """
    k, single, multi, steps = lay.k, lay.single, lay.multi, lay.steps
    # Forced-on rows cost (2^k x rows) per step; past a size a backward pass over
    # one row is cheaper.
    use_forced = (1 << k) * len(multi) <= FORCED_ROWS_LIMIT
    n_forced = len(multi) if use_forced else 0
    n_masks = len(masks)
    # Per condition, its prior in every scenario row: the real priors, each
    # "what if" (its subset forced off), then each multi condition forced on.
    row_priors = np.empty((len(prior), 1 + n_masks + n_forced))
    row_priors[:] = prior[:, None]
    row_priors[:, 1 : 1 + n_masks][masks.T] = 0.0
    row_priors[multi[:n_forced], np.arange(1 + n_masks, 1 + n_masks + n_forced)] = 1.0
    alpha = _start(lay, row_priors[single].T, leak)
    on = np.empty_like(alpha)
    history = None if use_forced else np.empty((len(multi), alpha.shape[0]))
    if lay.step_deltas is not None and k <= MATRIX_MAX_K and history is None:
        for j, delta in zip(multi.tolist(), lay.step_deltas, strict=True):
            # alpha <- (1 - π) alpha + π T alpha, with π per scenario row
            np.matmul(delta, alpha, out=on)
            on *= row_priors[j]
            alpha += on
        return _swept(alpha, n_masks, prior, lay, history)
    on_views = _or_views(on, k)
    scratch = np.empty(alpha.size // 2)
    scratch_views = [scratch.reshape(zero.shape) for zero, _ in on_views]
    for n, (j, step) in enumerate(zip(multi.tolist(), steps, strict=True)):
        if history is not None:
            history[n] = alpha[:, 0]
        np.copyto(on, alpha)
        for axis, p in step:
            zero, one = on_views[axis]
            tmp = np.multiply(zero, p, out=scratch_views[axis])
            one += tmp
            zero *= 1.0 - p
        # alpha <- (1 - π) alpha + π on, with π per scenario row
        on -= alpha
        on *= row_priors[j]
        alpha += on
    return _swept(alpha, n_masks, prior, lay, history)


def _swept(
    alpha: FloatArray, n_masks: int, prior: FloatArray, lay: _Layout, history: FloatArray | None
) -> _Swept:
    pi_s = prior[lay.single]
    gain = lay.single_p * (1.0 - pi_s) / (1.0 - pi_s * lay.single_p)
    return _Swept(alpha.T, lay.k, n_masks, prior, lay, gain, history)


def _backward(sw: _Swept, kept: npt.NDArray[np.bool_]) -> FloatArray:
    """P(c_j = 1, e_v) for the ``multi`` conditions, one column per variant.

    ``kept`` is (variants, k): the axes each variant observes present. The
    backward message starts as "every kept axis is 1" (dropped axes free) and
    runs over the real priors: P(c_j = 1, e) = π_j <α_j, T_jᵀ β_{j+1}>, a sum
    of non-negative terms.
    """
    assert sw.history is not None
    bits = _bit_table(sw.k)
    beta = np.ascontiguousarray(np.all(bits[:, None, :] | ~kept[None, :, :], axis=2), dtype=float)
    t_beta = np.empty_like(beta)
    t_views = _or_views(t_beta, sw.k)
    lay = sw.layout
    out = np.empty((len(lay.multi), kept.shape[0]))
    for n in range(len(lay.multi) - 1, -1, -1):
        pi = float(sw.prior[lay.multi[n]])
        np.copyto(t_beta, beta)
        for axis, p in lay.steps[n]:
            zero, one = t_views[axis]
            zero *= 1.0 - p
            zero += p * one
        out[n] = pi * (sw.history[n] @ t_beta)
        t_beta -= beta
        t_beta *= pi
        beta += t_beta
    return out


def _read(
    sw: _Swept, kept: npt.NDArray[np.bool_], multi_joint: FloatArray | None
) -> tuple[FloatArray, float, FloatArray]:
    """A component's posteriors with only the ``kept`` axes observed present.

    The other axes' findings are treated as unobserved: their axes are summed
    out of every row (sums of probabilities, still exact). Returns (posterior
    of the component's conditions, Z, P(e | scenario) / P(e) per "what if").
    """
    lay = sw.layout
    rows = sw.alpha.shape[0]
    table = sw.alpha
    everything = bool(kept.all())
    if not everything:
        gone = tuple(1 + int(a) for a in np.flatnonzero(~kept))
        table = table.reshape((rows,) + (2,) * sw.k).sum(axis=gone).reshape(rows, -1)
    z_rows = table[:, -1]
    z = float(z_rows[0])
    post = sw.prior.copy()
    if z <= 0.0:
        # The model gives this evidence no chance at all (e.g. every parent has
        # prior 0): leave these conditions at their updated priors.
        return post, 0.0, np.ones(sw.n_what_if)
    first_forced = 1 + sw.n_what_if
    if multi_joint is None:
        post[lay.multi] = sw.prior[lay.multi] * z_rows[first_forced:] / z
    else:
        post[lay.multi] = multi_joint / z
    # Single-parent conditions: their axis 0 and every other kept axis 1.
    if everything:
        s, gain, axis_zero = lay.single, sw.single_gain, table[0, lay.single_zero_state]
    else:
        n_kept = int(kept.sum())
        position = np.cumsum(kept) - 1  # an axis's place among the kept axes
        on_kept = kept[lay.single_axis]
        axes = lay.single_axis[on_kept]
        axis_zero = table[0, (1 << n_kept) - 1 - (1 << (n_kept - 1 - position[axes]))]
        s, gain = lay.single[on_kept], sw.single_gain[on_kept]
    post[s] = sw.prior[s] * (z + gain * axis_zero) / z
    return post, z, z_rows[1:first_forced] / z


def _after_negatives(
    prior: FloatArray, neg: IntArray, links: FloatArray, leak: FloatArray
) -> tuple[FloatArray, float]:
    """Priors updated by the negative findings, and log P(negative findings).

    Each absent finding multiplies condition i's "on" weight by (1 - p_if): closed form.
    """
    q = np.prod(1.0 - links[:, neg], axis=1) if len(neg) else np.ones(len(prior))
    on = prior * q
    updated: FloatArray = on / (on + 1.0 - prior)
    log_z = float(np.sum(np.log1p(-leak[neg])) + np.sum(np.log(on + 1.0 - prior)))
    return updated, log_z


def posterior(
    prior: FloatArray,
    pos: IntArray,
    neg: IntArray,
    links: FloatArray,
    leak: FloatArray,
    what_if: Sequence[IntArray] = (),
) -> Posterior:
    """Exact P(condition | evidence) for every condition.

    ``prior`` is the prior vector; ``pos``/``neg`` index present/absent
    findings; ``links`` and ``leak`` are the network arrays. Each subset in
    ``what_if`` (condition indices) also gets P(all of them inactive |
    evidence), computed in the same sweep: P(S off | e) = Π_{i∈S} (1 − π'_i) ·
    Π_components Z_c(S off) / Z_c, where π' are the priors after the negative
    findings and Z_c a component's evidence probability.
    """
    return posterior_variants(prior, pos, neg, links, leak, what_if)[0]


def posterior_variants(
    prior: FloatArray,
    pos: IntArray,
    neg: IntArray,
    links: FloatArray,
    leak: FloatArray,
    what_if: Sequence[IntArray] = (),
    unobserved: Sequence[IntArray] = (),
) -> list[Posterior]:
    """:func:`posterior` for the evidence, then for each variant in ``unobserved``.

    A variant treats the positive findings it lists (a subset of ``pos``) as
    not observed at all. All variants come from one sweep: leaving a finding
    out sums its axis out of the joint of the partial ORs.
    """
    prior = np.asarray(prior, dtype=np.float64)
    pos = np.asarray(pos, dtype=np.intp)
    n = len(prior)
    # One error state for the whole call: a probability of 0 is a log of -inf here.
    with np.errstate(divide="ignore"):
        # Negative findings: condition i's "on" weight times Π_f (1 - p_if).
        updated, log_z_neg = _after_negatives(prior, neg, links, leak)
        # Scenario masks: every what-if subset, and "everything off" last.
        masks = np.zeros((len(what_if) + 1, n), dtype=bool)
        for r, subset in enumerate(what_if):
            masks[r, subset] = True
        masks[-1, :] = True
        log_off_prior = np.where(masks, np.log1p(-updated), 0.0).sum(axis=1)
        swept = [
            (part, _sweep(updated[part.conds], masks[:, part.conds], part.layout, leak[part.fids]))
            for part in _parts(pos, links)
        ]
        # Per component, per variant: which of its findings stay observed.
        dropped = [set(np.asarray(d).tolist()) for d in unobserved]
        kept_by_component = [
            np.array(
                [[True] * len(part.fids)]
                + [[f not in d for f in part.fids.tolist()] for d in dropped],
                dtype=bool,
            )
            for part, _ in swept
        ]
        joints = [
            None if sw.history is None else _backward(sw, kept)
            for (_, sw), kept in zip(swept, kept_by_component, strict=True)
        ]
        results = []
        for v in range(1 + len(unobserved)):
            out = updated.copy()
            log_z = log_z_neg
            log_off = log_off_prior.copy()
            for (part, sw), kept, joint in zip(swept, kept_by_component, joints, strict=True):
                if not kept[v].any():
                    continue  # nothing observed here: the priors stand
                post, z, ratio = _read(sw, kept[v], None if joint is None else joint[:, v])
                out[part.conds] = post
                log_z += math.log(z) if z > 0.0 else -math.inf
                log_off += np.log(ratio)
            off = np.clip(np.exp(log_off), 0.0, 1.0).tolist()
            results.append(
                Posterior(
                    probability=out,
                    none_active=off[-1],
                    log_evidence=log_z,
                    all_off=tuple(off[:-1]),
                )
            )
    return results


def _marginals_by_row(
    priors: FloatArray, lay: _Layout, leak: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """One component under many prior vectors at once, by forward-backward.

    ``priors`` is (rows, the component's conditions). Returns (P(c = 1 | e)
    per row and condition, Z per row). The forward pass keeps each step's
    joint of the partial ORs; the backward pass carries, per row, the chance
    of the evidence given the state, so P(c_j = 1, e) = π_j <α_j, Tⱼᵀ β_{j+1}>.
    All terms are non-negative: nothing cancels.
    """
    k, single, multi, steps = lay.k, lay.single, lay.multi, lay.steps
    single_axis, single_p = lay.single_axis, lay.single_p
    alpha = _start(lay, priors[:, single], leak)
    row_priors = np.ascontiguousarray(priors.T)
    kept = np.empty((len(multi), *alpha.shape))
    on = np.empty_like(alpha)
    on_views = _or_views(on, k)
    for n, j in enumerate(multi):
        kept[n] = alpha
        np.copyto(on, alpha)
        for axis, p in steps[n]:
            zero, one = on_views[axis]
            one += p * zero
            zero *= 1.0 - p
        on -= alpha
        on *= row_priors[j]
        alpha += on
    z = alpha[-1].copy()
    safe = np.where(z > 0, z, 1.0)
    post = np.array(priors, dtype=np.float64, copy=True)
    beta = np.zeros_like(alpha)
    beta[-1] = 1.0
    t_beta = np.empty_like(beta)
    t_views = _or_views(t_beta, k)
    for n in range(len(multi) - 1, -1, -1):
        j = multi[n]
        np.copyto(t_beta, beta)
        for axis, p in steps[n]:
            zero, one = t_views[axis]
            zero *= 1.0 - p
            zero += p * one
        post[:, j] = np.where(
            z > 0, row_priors[j] * np.einsum("sr,sr->r", kept[n], t_beta) / safe, post[:, j]
        )
        t_beta -= beta
        t_beta *= row_priors[j]
        beta += t_beta
    full = (1 << k) - 1
    axis_zero = alpha[full - (1 << (k - 1 - single_axis))]  # (singles, rows)
    pi_s = priors[:, single]
    gain = single_p * (1.0 - pi_s) / (1.0 - pi_s * single_p)
    post[:, single] = np.where(
        z[:, None] > 0, pi_s * (z[:, None] + gain * axis_zero.T) / safe[:, None], pi_s
    )
    return post, z


@dataclass(frozen=True)
class AnswerLookahead:
    """What each possible answer about a finding would do, exactly.

    For candidate finding ``c``: ``p_yes[c]`` = P(present | evidence), and
    ``if_yes[:, c]`` / ``if_no[:, c]`` every condition's posterior after a
    "yes" / "no" ("don't know" leaves the posterior as it is).
    """

    p_yes: FloatArray
    if_yes: FloatArray
    if_no: FloatArray


def answer_lookahead(
    prior: FloatArray,
    pos: IntArray,
    neg: IntArray,
    links: FloatArray,
    leak: FloatArray,
    candidates: IntArray,
) -> AnswerLookahead:
    """Exact posteriors after each answer to each candidate finding, in one sweep.

    A "no" to finding f is a negative finding: it rescales the priors. So each
    candidate becomes one more row of prior vectors in the same forward-backward
    pass as the evidence itself, giving P(c | e, f absent) and, with the
    component normalisers, P(f absent | e) = (1 − leak_f) Π_i (1 − π'_i p_if)
    · Π_components Z_c(f absent) / Z_c. A "yes" follows by total probability:
    P(c | e, f) = (P(c | e) − P(f absent | e) P(c | e, f absent)) / P(f | e).
    """
    prior = np.asarray(prior, dtype=np.float64)
    pos = np.asarray(pos, dtype=np.intp)
    cand = np.asarray(candidates, dtype=np.intp)
    updated, _ = _after_negatives(prior, neg, links, leak)  # π' after the negative findings
    p_c = links[:, cand]  # conditions x candidates
    stay = 1.0 - updated[:, None] * p_c
    with np.errstate(divide="ignore", invalid="ignore"):
        rows = np.where(stay > 0, updated[:, None] * (1.0 - p_c) / stay, 0.0)
    # Every condition's posterior, row 0 the evidence, row 1 + c "and c absent".
    post = np.vstack([updated[None, :], rows.T])
    log_no = np.log1p(-leak[cand]) + np.log(np.clip(stay, 1e-300, None)).sum(axis=0)
    for part in _parts(pos, links):
        marg, z = _marginals_by_row(post[:, part.conds], part.layout, leak[part.fids])
        post[:, part.conds] = marg
        with np.errstate(divide="ignore"):
            log_no += np.log(z[1:]) - np.log(z[0])
    p_no = np.clip(np.exp(log_no), 0.0, 1.0)
    p_yes = 1.0 - p_no
    now = post[0][:, None]
    if_no = post[1:].T
    with np.errstate(divide="ignore", invalid="ignore"):
        if_yes = np.where(p_yes > 1e-12, (now - p_no * if_no) / p_yes, now)
    return AnswerLookahead(p_yes=p_yes, if_yes=np.clip(if_yes, 0.0, 1.0), if_no=if_no)


def probability_all_off(
    prior: FloatArray,
    subset: IntArray,
    pos: IntArray,
    neg: IntArray,
    links: FloatArray,
    leak: FloatArray,
) -> float:
    """P(every condition in ``subset`` is inactive | evidence), exactly."""
    return posterior(prior, pos, neg, links, leak, what_if=[subset]).all_off[0]


def brute_force_posterior(
    prior: FloatArray, pos: IntArray, neg: IntArray, links: FloatArray, leak: FloatArray
) -> FloatArray:
    """Reference posterior by enumerating all 2^n condition states (tests only; n ≤ 16)."""
    n = len(prior)
    states = ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(np.float64)
    weight = np.prod(np.where(states == 1, prior, 1.0 - prior), axis=1)
    for f in pos:
        weight *= 1.0 - (1.0 - leak[f]) * np.prod(np.where(states == 1, 1.0 - links[:, f], 1.0), 1)
    for f in neg:
        weight *= (1.0 - leak[f]) * np.prod(np.where(states == 1, 1.0 - links[:, f], 1.0), 1)
    result: FloatArray = (weight @ states) / weight.sum()
    return result
