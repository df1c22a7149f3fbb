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
to rounding. A forward and a backward sweep give every condition's marginal.
Positive findings that share no condition are split into independent
components, so ``k`` is the size of a component, not of the whole evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from myotriage.knowledge.base import FloatArray, IntArray


@dataclass(frozen=True)
class Posterior:
    """Posterior marginals and by-products of one inference.

    ``probability[i]`` is P(condition i active | evidence). ``none_active`` is
    P(no modelled condition is active | evidence): high when nothing the
    knowledge base knows explains the picture.
    """

    probability: FloatArray
    none_active: float
    log_evidence: float


def _or_step(x: FloatArray, axis: int, k: int, p: float) -> None:
    """In place: partial OR on ``axis`` absorbs an activation with probability p."""
    v = x.reshape(1 << axis, 2, 1 << (k - axis - 1))
    v[:, 1, :] += p * v[:, 0, :]
    v[:, 0, :] *= 1.0 - p


def _or_step_transposed(y: FloatArray, axis: int, k: int, p: float) -> None:
    """In place: the transpose of :func:`_or_step` (for backward messages)."""
    v = y.reshape(1 << axis, 2, 1 << (k - axis - 1))
    v[:, 0, :] *= 1.0 - p
    v[:, 0, :] += p * v[:, 1, :]


def _components(pos: IntArray, links: FloatArray) -> list[tuple[IntArray, IntArray]]:
    """Split positive findings into groups that share no condition."""
    sub = links[:, pos] > 0  # conditions x positive findings
    k = len(pos)
    parent = list(range(k))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for row in sub:
        cols = np.flatnonzero(row)
        for c in cols[1:]:
            ra, rb = find(int(cols[0])), find(int(c))
            if ra != rb:
                parent[rb] = ra
    groups: dict[int, list[int]] = {}
    for j in range(k):
        groups.setdefault(find(j), []).append(j)
    out = []
    for members in groups.values():
        cols = np.array(members, dtype=np.intp)
        conds = np.flatnonzero(sub[:, cols].any(axis=1))
        out.append((pos[cols], conds))
    return out


def _sweep(
    prior: FloatArray, conds: IntArray, fids: IntArray, links: FloatArray, leak: FloatArray
) -> tuple[FloatArray, float, float]:
    """Exact marginals for one component: returns (posterior of conds, Z, P(all off, e))."""
    k = len(fids)
    size = 1 << k
    # Initial joint of the k partial ORs: each starts as its leak alone.
    alpha = np.ones(1)
    for f in fids:
        alpha = np.kron(alpha, np.array([1.0 - leak[f], leak[f]]))
    none_joint = float(alpha[-1])
    steps = []
    for i in conds:
        axes = [(a, float(links[i, f])) for a, f in enumerate(fids) if links[i, f] > 0]
        steps.append(axes)
    alphas = np.empty((len(conds), size))
    for j, i in enumerate(conds):
        alphas[j] = alpha
        on = alpha.copy()
        for axis, p in steps[j]:
            _or_step(on, axis, k, p)
        alpha = (1.0 - prior[i]) * alpha + prior[i] * on
        none_joint *= 1.0 - prior[i]
    z = float(alpha[-1])
    if z <= 0.0:
        # The model gives this evidence no chance at all (e.g. every parent has
        # prior 0): leave these conditions at their updated priors.
        return prior[conds].copy(), 0.0, 0.0
    beta = np.zeros(size)
    beta[-1] = 1.0
    post = np.empty(len(conds))
    for j in range(len(conds) - 1, -1, -1):
        i = conds[j]
        t_beta = beta.copy()
        for axis, p in steps[j]:
            _or_step_transposed(t_beta, axis, k, p)
        # P(c_i = 1, e) = π_i · <α_j, Tᵀ β_{j+1}>
        post[j] = prior[i] * float(alphas[j] @ t_beta) / z
        beta = (1.0 - prior[i]) * beta + prior[i] * t_beta
    return post, z, none_joint


def posterior(
    prior: FloatArray,
    pos: IntArray,
    neg: IntArray,
    links: FloatArray,
    leak: FloatArray,
) -> Posterior:
    """Exact P(condition | evidence) for every condition.

    ``prior`` is the prior vector; ``pos``/``neg`` index present/absent
    findings; ``links`` and ``leak`` are the network arrays.
    """
    prior = np.asarray(prior, dtype=np.float64)
    # Negative findings: condition i's "on" weight times Π_f (1 - p_if).
    q = np.prod(1.0 - links[:, neg], axis=1) if len(neg) else np.ones(len(prior))
    on = prior * q
    updated = on / (on + 1.0 - prior)
    log_z = float(np.sum(np.log1p(-leak[neg])) + np.sum(np.log(on + 1.0 - prior)))
    out = updated.copy()
    none = float(np.prod(1.0 - updated))
    covered = np.zeros(len(prior), dtype=bool)
    for fids, conds in _components(np.asarray(pos, dtype=np.intp), links):
        post, z, none_joint = _sweep(updated, conds, fids, links, leak)
        out[conds] = post
        covered[conds] = True
        log_z += float(np.log(z)) if z > 0 else float("-inf")
        # P(all conds of this component off | e) replaces their product in `none`.
        off = float(np.prod(1.0 - updated[conds]))
        none = none / off * (none_joint / z) if off > 0 and z > 0 else 0.0
    # Positive findings with no parent contribute only their leak.
    return Posterior(probability=out, none_active=min(max(none, 0.0), 1.0), log_evidence=log_z)


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
