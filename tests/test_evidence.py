from __future__ import annotations

import pytest

from myotriage import Evidence, EvidenceError, KnowledgeBase
from myotriage.engine.evidence import close


def ev(**kw: object) -> Evidence:
    base: dict[str, object] = {"age": 40, "sex": "female"}
    base.update(kw)
    return Evidence.model_validate(base)


def test_specific_finding_implies_parent_and_is_counted_once(kb: KnowledgeBase) -> None:
    c = close(ev(present={"twitch_site_leg"}), kb)
    assert "twitch_present" in c.present
    used = {kb.network.finding_ids[i] for i in c.pos}
    assert used == {"twitch_site_leg"}


def test_denied_parent_denies_children_and_only_parent_counts(kb: KnowledgeBase) -> None:
    c = close(ev(absent={"weakness"}), kb)
    assert {"weakness_progressive", "foot_drop", "weakness_ascending"} <= c.absent
    assert {kb.network.finding_ids[i] for i in c.neg} == {"weakness"}


@pytest.mark.parametrize(
    ("value", "present", "absent"),
    [
        (500, {"caffeine_over_400"}, set()),
        (400, set(), {"caffeine_over_400"}),
        (50, set(), {"caffeine_over_400"}),
    ],
)
def test_numbers_become_derived_findings(
    kb: KnowledgeBase, value: float, present: set[str], absent: set[str]
) -> None:
    c = close(ev(values={"caffeine_mg_per_day": value}), kb)
    assert present <= c.present
    assert absent <= c.absent


def test_long_twitch_counts_as_over_two_weeks_too(kb: KnowledgeBase) -> None:
    c = close(ev(present={"twitch_present"}, values={"twitch_duration_weeks": 20}), kb)
    assert {"twitch_over_2_weeks", "twitch_over_3_months"} <= c.present
    used = {kb.network.finding_ids[i] for i in c.pos}
    assert "twitch_over_3_months" in used and "twitch_over_2_weeks" not in used


def test_pregnancy_weeks_implies_pregnant(kb: KnowledgeBase) -> None:
    c = close(ev(values={"pregnancy_weeks": 20}), kb)
    assert "pregnant" in c.present


@pytest.mark.parametrize(
    ("kwargs", "where", "fragment"),
    [
        ({"present": {"twiching"}}, "twiching", "did you mean"),
        ({"present": {"weakness"}, "absent": {"weakness"}}, "weakness", "both present and absent"),
        (
            {"present": {"twitch_site_leg"}, "absent": {"twitch_present"}},
            "twitch_present",
            "correct one",
        ),
        ({"values": {"caffeine_mg_per_day": -5}}, "caffeine_mg_per_day", "out of range"),
        ({"values": {"weakness": 1}}, "weakness", "yes/no"),
        ({"present": {"caffeine_mg_per_day"}}, "caffeine_mg_per_day", "give a value"),
        ({"present": {"caffeine_over_400"}}, "caffeine_over_400", "worked out from"),
    ],
)
def test_bad_evidence_says_what_to_fix(
    kb: KnowledgeBase, kwargs: dict[str, object], where: str, fragment: str
) -> None:
    with pytest.raises(EvidenceError) as info:
        close(ev(**kwargs), kb)
    assert any(p.where == where and fragment in p.message for p in info.value.problems)


def test_every_problem_is_reported_at_once(kb: KnowledgeBase) -> None:
    with pytest.raises(EvidenceError) as info:
        close(ev(present={"nope_one", "nope_two"}, values={"sleep_hours_per_night": 99}), kb)
    assert len(info.value.problems) == 3


def test_age_out_of_range_is_rejected() -> None:
    with pytest.raises(ValueError, match="age"):
        ev(age=130)
