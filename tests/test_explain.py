"""The "why" of each cause: likelihood ratios checked against the noisy-OR directly."""

from __future__ import annotations

import math

import pytest

from myotriage import assess, load_knowledge
from myotriage.engine.evidence import Evidence, close
from myotriage.engine.explain import NEGLIGIBLE

KB = load_knowledge()
NET = KB.network
CASES = [
    Evidence(
        age=34,
        sex="female",
        present=frozenset({"twitch_site_leg", "stress_high"}),
        absent=frozenset({"weakness"}),
        values={"caffeine_mg_per_day": 500},
    ),
    Evidence(
        age=67,
        sex="male",
        present=frozenset({"cramp_site_leg", "cramp_at_night", "med_diuretic_thiazide_loop"}),
        absent=frozenset({"leg_swelling_one_side", "dark_urine"}),
    ),
    Evidence(
        age=58,
        sex="male",
        present=frozenset({"twitch_site_arm_hand", "weakness", "muscle_wasting"}),
        absent=frozenset({"swallow_difficulty"}),
    ),
]


def ratio_by_hand(i: int, f: int, present: bool, prior: list[float]) -> float:
    """P(finding state | cause i on) / P(same | cause i off), others at their priors."""
    links, leak = NET.links, NET.leak
    others = math.prod(1.0 - prior[j] * links[j, f] for j in range(len(prior)) if j != i)
    off_if_on = (1.0 - leak[f]) * (1.0 - links[i, f]) * others
    off_if_off = (1.0 - leak[f]) * others
    if not present:
        return off_if_on / off_if_off
    return (1.0 - off_if_on) / (1.0 - off_if_off)


@pytest.mark.parametrize("evidence", CASES)
def test_each_factor_is_the_likelihood_ratio_worked_out_by_hand(evidence: Evidence) -> None:
    ev = close(evidence, KB)
    prior = NET.prior(ev.age, ev.sex.value).tolist()
    result = assess(evidence, KB)
    assert result.causes
    for cause in result.causes:
        i = NET.condition_index[cause.id]
        shown = {(w.finding, w.state) for w in cause.why}
        for f in [*ev.pos.tolist(), *ev.neg.tolist()]:
            state = "present" if f in ev.pos.tolist() else "absent"
            fid = NET.finding_ids[f]
            want = ratio_by_hand(i, f, state == "present", prior)
            meaningful = want >= NEGLIGIBLE or want <= 1 / NEGLIGIBLE
            # A negative finding can only ever lower a cause (ratio 1 - p <= 1).
            if state == "absent":
                meaningful = want < 1 / NEGLIGIBLE
            assert ((fid, state) in shown) == meaningful, (cause.id, fid, want)
            for w in cause.why:
                if (w.finding, w.state) == (fid, state):
                    assert w.likelihood_ratio == pytest.approx(want, rel=1e-3, abs=1e-4)
                    assert w.direction == ("toward" if want > 1 else "away")
        strengths = [abs(math.log(max(w.likelihood_ratio, 1e-12))) for w in cause.why]
        assert strengths == sorted(strengths, reverse=True)
