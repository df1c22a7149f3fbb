"""Why a condition's probability moved: a likelihood ratio per finding.

For a present finding ``f`` and condition ``i`` the ratio is
P(f | i active) / P(f | i not active), with the other conditions at their
priors; for an absent finding it is P(not f | i active) / P(not f | i not
active) = 1 − p_if. A ratio above 1 pointed toward the condition, below 1
away from it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from myotriage.knowledge.base import FloatArray, IntArray, Network

# Ratios this close to 1 say nothing worth showing.
NEGLIGIBLE = 1.05


class Contribution(NamedTuple):
    """One finding's effect on one condition."""

    finding: str
    present: bool
    likelihood_ratio: float


def likelihood_ratios(
    net: Network, prior: FloatArray, pos: IntArray, neg: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Ratios for present findings (conditions x pos) and absent ones (conditions x neg)."""
    links = net.links
    if len(pos):
        lp = links[:, pos]
        # Chance each finding stays off with every condition at its prior...
        own = 1.0 - prior[:, None] * lp
        stay_off = (1.0 - net.leak[pos]) * own.prod(axis=0)
        # ...and with condition i known inactive (divide its own term back out).
        off_without = stay_off / own
        p_not_i = 1.0 - off_without
        p_with_i = 1.0 - off_without * (1.0 - lp)
        lr_pos = np.divide(p_with_i, p_not_i, out=np.full_like(p_with_i, np.inf), where=p_not_i > 0)
    else:
        lr_pos = np.ones((len(prior), 0))
    lr_neg = 1.0 - links[:, neg] if len(neg) else np.ones((len(prior), 0))
    return lr_pos, lr_neg


def explanations(
    rows: Sequence[int], net: Network, prior: FloatArray, pos: IntArray, neg: IntArray
) -> list[list[Contribution]]:
    """For each condition index in ``rows``, its meaningful contributions, strongest first.

    The ratios are those of :func:`likelihood_ratios`, worked out for ``rows`` only.
    """
    lr_pos, lr_neg = likelihood_ratios(net, prior, pos, neg)
    by_pos = lr_pos[rows].tolist()
    by_neg = lr_neg[rows].tolist()
    present = [net.finding_ids[f] for f in pos.tolist()]
    absent = [net.finding_ids[f] for f in neg.tolist()]
    out = []
    # Plain floats from here: a handful of findings per condition, where numpy
    # scalars would cost more than the arithmetic.
    for lr_pos, lr_neg in zip(by_pos, by_neg, strict=True):
        found = [
            Contribution(fid, True, lr)
            for fid, lr in zip(present, lr_pos, strict=True)
            if not 1 / NEGLIGIBLE < lr < NEGLIGIBLE
        ]
        found += [
            Contribution(fid, False, lr)
            for fid, lr in zip(absent, lr_neg, strict=True)
            if lr < 1 / NEGLIGIBLE
        ]
        found.sort(key=_strength, reverse=True)
        out.append(found)
    return out


def _strength(c: Contribution) -> float:
    return abs(math.log(max(c.likelihood_ratio, 1e-12)))
