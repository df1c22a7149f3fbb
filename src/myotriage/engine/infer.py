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

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

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
    """Per axis, views of the "still 0" and "already 1" halves of the state vectors.

    Absorbing an activation with probability p on an axis is then
    ``one += p * zero; zero *= 1 - p``: the partial OR becomes 1 with chance p.
    """
    rows = x.shape[0]
    out = []
    for axis in range(k):
        v = x.reshape(rows, 1 << axis, 2, 1 << (k - axis - 1))
        out.append((v[:, :, 0, :], v[:, :, 1, :]))
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


def _sweep(
    prior: FloatArray,
    masks: npt.NDArray[np.bool_],
    conds: IntArray,
    fids: IntArray,
    links: FloatArray,
    leak: FloatArray,
) -> tuple[FloatArray, float, FloatArray]:
    """One component, exactly: a forward pass for every scenario, a backward one for row 0.

    ``prior`` holds the component's conditions' priors (after negative
    findings); ``masks`` one row per "what if" scenario marking conditions
    forced off. Returns (posterior of ``conds``, P(findings | scenario) /
    P(findings) for every scenario).

    The forward pass carries, for several scenarios at once (the real priors
    and each "what if"), the joint distribution of the component's partial
    ORs; a backward pass on the real scenario gives the marginals of the
    conditions linked to two or more findings. Every number is a probability
    and every update a convex mix or a product, so nothing cancels.

    Conditions linked to only one of the findings need no step of their own:
    on that finding's partial OR their mixtures multiply into one "stays off"
    factor (the OR steps on one axis commute and are linear in that factor),
    so they are folded into the starting state, and their posteriors follow
    from the same linearity: forcing one on lowers its axis's factor from s
    to s(1 - p)/(1 - πp), so P(e | c = 1) = Z + p(1 - π)/(1 - πp) · α(that
    axis 0, all others 1), a sum of non-negative terms.
    """
    k = len(fids)
    sub = links[np.ix_(conds, fids)]
    linked = sub > 0
    n_axes = linked.sum(axis=1)
    single = np.flatnonzero(n_axes == 1)
    multi = np.flatnonzero(n_axes >= 2)
    priors = np.vstack([prior[None, :], np.where(masks, 0.0, prior[None, :])])
    single_axis = np.argmax(linked[single], axis=1)
    single_p = sub[single, single_axis]
    # Per row and axis: chance the leak and the single-parent causes all leave
    # the partial OR off (a product, summed in logs over each axis's causes).
    onehot = np.zeros((len(single), k))
    onehot[np.arange(len(single)), single_axis] = 1.0
    log_off = np.log1p(-priors[:, single] * single_p) @ onehot + np.log1p(-leak[fids])
    stay_off = np.exp(log_off)
    # Starting joint of the k partial ORs (axis 0 the most significant bit).
    bits = _bit_table(k)
    alpha = np.prod(
        np.where(bits[None, :, :], 1.0 - stay_off[:, None, :], stay_off[:, None, :]), axis=2
    )
    on = np.empty_like(alpha)
    on_views = _or_views(on, k)
    steps = [[(int(a), float(sub[j, a])) for a in np.flatnonzero(linked[j])] for j in multi]
    alphas = np.empty((len(multi), 1 << k))
    for n, j in enumerate(multi):
        alphas[n] = alpha[0]
        np.copyto(on, alpha)
        for axis, p in steps[n]:
            zero, one = on_views[axis]
            one += p * zero
            zero *= 1.0 - p
        # alpha <- (1 - π) alpha + π on, with π per scenario row
        on -= alpha
        on *= priors[:, j : j + 1]
        alpha += on
    z = alpha[:, -1]
    post = prior.copy()
    if z[0] <= 0.0:
        # The model gives this evidence no chance at all (e.g. every parent has
        # prior 0): leave these conditions at their updated priors.
        return post, 0.0, np.ones(len(masks))
    # Backward message for the real scenario: P(c_j = 1, e) = π_j · <α_j, Tᵀ β_{j+1}>.
    beta = np.zeros((1, 1 << k))
    beta[0, -1] = 1.0
    t_beta = np.empty_like(beta)
    t_views = _or_views(t_beta, k)
    for n in range(len(multi) - 1, -1, -1):
        j = multi[n]
        np.copyto(t_beta, beta)
        for axis, p in steps[n]:
            zero, one = t_views[axis]
            zero *= 1.0 - p
            zero += p * one
        pi0 = prior[j]
        post[j] = pi0 * float(alphas[n] @ t_beta[0]) / z[0]
        t_beta -= beta
        t_beta *= pi0
        beta += t_beta
    full = (1 << k) - 1
    pi_s = prior[single]
    axis_zero = alpha[0, full - (1 << (k - 1 - single_axis))]
    gain = single_p * (1.0 - pi_s) / (1.0 - pi_s * single_p)
    post[single] = pi_s * (z[0] + gain * axis_zero) / z[0]
    return post, float(z[0]), z[1:] / z[0]


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
    prior = np.asarray(prior, dtype=np.float64)
    n = len(prior)
    # Negative findings: condition i's "on" weight times Π_f (1 - p_if).
    q = np.prod(1.0 - links[:, neg], axis=1) if len(neg) else np.ones(n)
    on = prior * q
    updated = on / (on + 1.0 - prior)
    log_z = float(np.sum(np.log1p(-leak[neg])) + np.sum(np.log(on + 1.0 - prior)))
    # Scenario masks: every what-if subset, and "everything off" last.
    masks = np.zeros((len(what_if) + 1, n), dtype=bool)
    for r, subset in enumerate(what_if):
        masks[r, subset] = True
    masks[-1, :] = True
    with np.errstate(divide="ignore"):
        log_off = np.where(masks, np.log1p(-updated)[None, :], 0.0).sum(axis=1)
    out = updated.copy()
    for fids, conds in _components(np.asarray(pos, dtype=np.intp), links):
        post, z, ratio = _sweep(updated[conds], masks[:, conds], conds, fids, links, leak)
        out[conds] = post
        with np.errstate(divide="ignore"):
            log_z += float(np.log(z))
            log_off += np.log(ratio)
    off = np.clip(np.exp(log_off), 0.0, 1.0)
    return Posterior(
        probability=out,
        none_active=float(off[-1]),
        log_evidence=log_z,
        all_off=tuple(float(x) for x in off[:-1]),
    )


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
