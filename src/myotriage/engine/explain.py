"""Why a condition's probability moved: a likelihood ratio per finding.

For a present finding ``f`` and condition ``i`` the ratio is
P(f | i active) / P(f | i not active), with the other conditions at their
priors; for an absent finding it is P(not f | i active) / P(not f | i not
active) = 1 − p_if. A ratio above 1 pointed toward the condition, below 1
away from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from myotriage.knowledge.base import FloatArray, IntArray, Network

# Ratios this close to 1 say nothing worth showing.
NEGLIGIBLE = 1.05


@dataclass(frozen=True)
class Contribution:
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
        stay_off = (1.0 - net.leak[pos]) * np.prod(1.0 - prior[:, None] * lp, axis=0)
        # ...and with condition i known inactive (divide its own term back out).
        off_without = stay_off[None, :] / (1.0 - prior[:, None] * lp)
        p_not_i = 1.0 - off_without
        p_with_i = 1.0 - off_without * (1.0 - lp)
        with np.errstate(divide="ignore", invalid="ignore"):
            lr_pos = np.where(p_not_i > 0, p_with_i / p_not_i, np.inf)
    else:
        lr_pos = np.ones((len(prior), 0))
    lr_neg = 1.0 - links[:, neg] if len(neg) else np.ones((len(prior), 0))
    return lr_pos, lr_neg


def contributions(
    i: int, net: Network, lr_pos: FloatArray, lr_neg: FloatArray, pos: IntArray, neg: IntArray
) -> list[Contribution]:
    """Condition ``i``'s meaningful contributions, strongest first."""
    out = [
        Contribution(net.finding_ids[f], True, float(lr_pos[i, j]))
        for j, f in enumerate(pos)
        if not 1 / NEGLIGIBLE < lr_pos[i, j] < NEGLIGIBLE
    ]
    out += [
        Contribution(net.finding_ids[f], False, float(lr_neg[i, j]))
        for j, f in enumerate(neg)
        if lr_neg[i, j] < 1 / NEGLIGIBLE
    ]
    out.sort(key=lambda c: abs(np.log(max(c.likelihood_ratio, 1e-12))), reverse=True)
    return out
