from __future__ import annotations

from myotriage import Evidence, KnowledgeBase, assess


def night_cramps(**extra: object) -> Evidence:
    present = {"cramp_present", "cramp_site_leg", "cramp_at_night", "cramp_eased_by_stretch"}
    present |= set(extra.pop("present", set()))  # type: ignore[arg-type]
    return Evidence(age=68, sex="female", present=frozenset(present), **extra)  # type: ignore[arg-type]


def test_every_item_shows_grade_and_source(kb: KnowledgeBase) -> None:
    plan = assess(night_cramps(), kb).plan
    items = plan.self_care + plan.ask_doctor + plan.not_recommended
    assert items
    for item in items:
        assert item.grade and item.grade_note
        assert item.sources and all(s.title for s in item.sources)


def test_stretching_leads_for_ordinary_night_cramps(kb: KnowledgeBase) -> None:
    plan = assess(night_cramps(), kb).plan
    assert plan.self_care[0].id.startswith("stretch")


def test_magnesium_is_shown_as_evidence_against_not_dropped(kb: KnowledgeBase) -> None:
    plan = assess(night_cramps(), kb).plan
    mg = [i for i in plan.not_recommended if i.id == "magnesium_idiopathic"]
    assert mg and mg[0].grade.value == "evidence_against"
    assert mg[0].verdict_vs_article
    assert all(i.id != "magnesium_idiopathic" for i in plan.self_care)


def test_quinine_is_clinician_only_and_flagged_when_being_tried(kb: KnowledgeBase) -> None:
    plan = assess(night_cramps(present={"quinine_use"}), kb).plan
    q = [i for i in plan.ask_doctor + plan.not_recommended if i.id in {"quinine", "tonic_water"}]
    assert q and any(i.being_tried for i in q)
    assert all(i.clinician_only for i in q if i.id == "quinine")
    assert all(i.id != "quinine" for i in plan.self_care)


def test_cautions_fit_the_person(kb: KnowledgeBase) -> None:
    kidney = assess(night_cramps(present={"cond_kidney"}), kb).plan
    plain = assess(night_cramps(), kb).plan

    def mg_cautions(plan):  # type: ignore[no-untyped-def]
        items = plan.self_care + plan.ask_doctor + plan.not_recommended
        return [c for i in items if i.id == "magnesium_idiopathic" for c in i.cautions]

    assert any(c.severity == "avoid" for c in mg_cautions(kidney))
    assert not any(c.severity == "avoid" for c in mg_cautions(plain))


def test_pregnancy_cautions_apply_to_quinine(kb: KnowledgeBase) -> None:
    ev = Evidence(
        age=30,
        sex="female",
        present=frozenset({"pregnant", "cramp_present", "cramp_site_leg", "cramp_at_night"}),
    )
    plan = assess(ev, kb).plan
    items = {i.id: i for i in plan.self_care + plan.ask_doctor + plan.not_recommended}
    if "quinine" in items:
        assert any(c.severity == "avoid" for c in items["quinine"].cautions)


def test_safety_net_lines_come_from_red_flags(kb: KnowledgeBase) -> None:
    a = assess(night_cramps(), kb)
    lines = set(a.plan.safety_net)
    assert lines & {r.safety_net for r in kb.rules}
    assert set(kb.policy.general_safety_net) <= lines


def test_young_child_is_never_sent_to_self_care_alone(kb: KnowledgeBase) -> None:
    ev = Evidence(age=3, sex="male", present=frozenset({"twitch_site_eyelid"}))
    a = assess(ev, kb)
    assert a.triage.level.value != "self_care"
    assert any("adult" in n.lower() for n in a.notices)


def test_teenager_gets_the_adult_knowledge_notice(kb: KnowledgeBase) -> None:
    ev = Evidence(age=15, sex="female", present=frozenset({"twitch_site_eyelid"}))
    assert any("adult" in n.lower() for n in assess(ev, kb).notices)
    ev = Evidence(age=30, sex="female", present=frozenset({"twitch_site_eyelid"}))
    assert not assess(ev, kb).notices


def test_triage_always_says_what_would_make_it_more_urgent(kb: KnowledgeBase) -> None:
    for ev in (
        night_cramps(),
        Evidence(age=30, sex="male", present=frozenset({"twitch_site_leg"})),
    ):
        assert assess(ev, kb).triage.worsening_advice


def test_cramp_remedies_stay_out_of_a_twitch_only_plan(kb: KnowledgeBase) -> None:
    ev = Evidence(
        age=30,
        sex="male",
        present=frozenset({"twitch_site_eyelid"}),
        absent=frozenset({"cramp_present"}),
    )
    plan = assess(ev, kb).plan
    assert all(not i.id.startswith("stretch") for i in plan.self_care)
