"""The adaptive interview: screening first, red flags reachable, safe when unsure."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from myotriage import Evidence, EvidenceError, KnowledgeBase, TriageLevel, assess, load_knowledge
from myotriage.engine.evidence import close
from myotriage.engine.interview import (
    Answer,
    apply_answer,
    next_question,
    pending_questions,
    question_by_id,
)
from myotriage.engine.triage import fired_rules
from myotriage.eval.run import Mode, evaluate
from myotriage.eval.simulate import interview_case
from myotriage.eval.vignettes import Case, load_cases

from .conftest import DATA, DEV_CASES, require_shared

KB = load_knowledge()
RULE_CASES = yaml.safe_load((DATA / "red_flag_cases.yaml").read_text())["cases"]


def as_case(raw: dict[str, Any]) -> Case:
    return Case.model_validate(
        {
            "id": raw["rule"],
            "age": raw["age"],
            "sex": raw["sex"],
            "present": raw["present"],
            "absent": raw.get("absent", []),
            "values": raw.get("values", {}),
            "expected": {"triage": raw["level"]},
        }
    )


@pytest.mark.parametrize("raw", RULE_CASES, ids=lambda c: c["rule"])
def test_every_red_flag_is_reached_by_the_interview(raw: dict[str, Any]) -> None:
    case = as_case(raw)
    transcript = interview_case(case, KB)
    level = assess(transcript.evidence, KB).triage.level
    assert level >= TriageLevel(raw["level"]), (raw["rule"], transcript.asked)


@st.composite
def answer_policies(draw: st.DrawFn) -> dict[str, str]:
    ids = sorted(f.id for f in KB.findings.values() if f.type == "boolean" and not f.from_value)
    chosen = draw(st.lists(st.sampled_from(ids), max_size=10, unique=True))
    return {f: draw(st.sampled_from(["yes", "no", "unknown"])) for f in chosen}


@given(answer_policies(), st.integers(0, 100), st.sampled_from(["female", "male"]))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_screening_is_never_skipped(truth: dict[str, str], age: int, sex: str) -> None:
    ev = Evidence(age=age, sex=sex)
    asked: list[str] = []
    seen_information = False
    for _ in range(40):
        step = next_question(ev, KB, asked)
        if step.should_stop or step.question is None:
            break
        closed = close(ev, KB)
        forced_pending = [q for q in pending_questions(closed, KB, asked) if q.forced]
        level = max((r.level for r in fired_rules(closed, KB)), default=TriageLevel.self_care)
        if level >= KB.policy.interview.stop_at_level:
            # Urgent already: only a screening question that could make it more urgent.
            raising = _findings_of_rules_above(level)
            forced_pending = [
                q
                for q in forced_pending
                if any((KB.ancestors[f] | {f}) & raising for f in q.findings)
            ]
            assert step.question.phase == "screening"
        if step.question.phase == "information":
            seen_information = True
            assert not forced_pending, "an information question came before screening ended"
        else:
            assert step.question.id == forced_pending[0].id
        if not seen_information and not asked:
            assert step.question.id == "q_complaint"
        q = question_by_id(KB, step.question.id)
        if q.kind.value == "number":
            answer = Answer(values={q.findings[0]: None})
        else:
            states = {f: truth.get(f, "unknown") for f in q.findings}
            # A consistent person: never "no" to a parent of a "yes".
            yes = {f for f, s in states.items() if s == "yes"}
            for f in list(states):
                if states[f] == "no" and any(f in KB.ancestors[y] for y in yes):
                    states[f] = "yes"
            answer = Answer(states=states)
        try:
            ev = apply_answer(ev, q, answer, KB)
        except EvidenceError:
            break
        asked.append(q.id)
    assert "q_complaint" in asked and "q_emergency" in asked


def _findings_of_rules_above(level: TriageLevel) -> set[str]:
    by_id = {r.id: r for r in KB.rules}
    return {f for f, ids in KB.rules_by_finding.items() if any(by_id[i].level > level for i in ids)}


def test_an_ambulance_answer_ends_the_interview_at_once() -> None:
    # Nothing can be more urgent than an ambulance: no further screening questions.
    rules = [
        r
        for r in KB.rules
        if r.level == TriageLevel.emergency_ambulance and r.when.present is not None
    ]
    assert rules
    for rule in rules:
        assert rule.when.present is not None
        ev = Evidence(age=50, sex="male", present=frozenset({rule.when.present}))
        step = next_question(ev, KB, ["q_complaint", "q_emergency"])
        assert step.should_stop, rule.id
        assert "urgent care" in step.reason


def test_dont_know_to_everything_is_safe_and_says_so(kb: KnowledgeBase) -> None:
    ev = Evidence(age=40, sex="female")
    asked: list[str] = []
    while True:
        step = next_question(ev, kb, asked)
        if step.should_stop or step.question is None:
            break
        q = question_by_id(kb, step.question.id)
        if q.kind.value == "number":
            answer = Answer(values={f: None for f in q.findings})
        else:
            answer = Answer(states=dict.fromkeys(q.findings, "unknown"))
        ev = apply_answer(ev, q, answer, kb)
        asked.append(q.id)
    a = assess(ev, kb)
    assert a.triage.level >= TriageLevel.consultation
    assert any("could not learn enough" in n for n in a.notices)
    assert any("not sure about some warning signs" in n for n in a.notices)


def test_next_question_is_stateless_and_deterministic(kb: KnowledgeBase) -> None:
    ev = Evidence(age=30, sex="male", present=frozenset({"twitch_site_leg"}))
    asked = ["q_complaint", "q_emergency"]
    assert next_question(ev, kb, asked) == next_question(ev, kb, list(asked))


def test_only_unknown_options_are_offered(kb: KnowledgeBase) -> None:
    ev = Evidence(
        age=30,
        sex="male",
        present=frozenset({"twitch_present"}),
        absent=frozenset({"cramp_present"}),
    )
    step = next_question(ev, kb, [])
    assert step.question is not None and step.question.id == "q_complaint"
    offered = {o.finding for o in step.question.options}
    assert "twitch_present" not in offered and "cramp_present" not in offered


def test_each_question_says_why_it_is_asked(kb: KnowledgeBase) -> None:
    for q in kb.questions:
        assert q.rationale.startswith("Asked")


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (Answer(states={"weakness": "yes"}), "not an option"),
        (Answer(values={"caffeine_mg_per_day": 99999}), "out of range"),
    ],
)
def test_bad_answers_say_what_to_fix(kb: KnowledgeBase, answer: Answer, fragment: str) -> None:
    q = question_by_id(kb, "q_caffeine") if answer.values else question_by_id(kb, "q_medicines")
    with pytest.raises(EvidenceError) as info:
        apply_answer(Evidence(age=30, sex="male"), q, answer, kb)
    assert any(fragment in p.message for p in info.value.problems)


def test_a_yes_keeps_its_parents_even_if_the_parent_was_unticked(kb: KnowledgeBase) -> None:
    q = question_by_id(kb, "q_muscle_warning")
    states = dict.fromkeys(q.findings, "no")
    states["weakness_ascending"] = "yes"
    ev = apply_answer(Evidence(age=40, sex="male"), q, Answer(states=states), kb)
    closed = close(ev, kb)
    assert "weakness" in closed.present


def test_interview_figures_on_the_development_set(kb: KnowledgeBase) -> None:
    require_shared()
    cases = load_cases(DEV_CASES)
    full = evaluate(cases, kb, Mode.full).as_dict()
    iv = evaluate(cases, kb, Mode.interview).as_dict()
    assert iv["errors"] == 0
    assert iv["unsafe"] == 0
    assert iv["agreement"] >= 0.98
    assert iv["questions_median"] <= 10
    assert iv["questions_p90"] <= 18
    assert abs(iv["triage_exact"] - full["triage_exact"]) <= 0.03
    assert abs(iv["top3"] - full["top3"]) <= 0.03
    assert np.isfinite(iv["questions_median"])


def test_screening_left_counts_down_and_is_zero_after_screening() -> None:
    ev = Evidence(age=30, sex="female")
    asked: list[str] = []
    seen: list[tuple[str, int]] = []
    for _ in range(30):
        step = next_question(ev, KB, asked)
        if step.should_stop or step.question is None:
            break
        seen.append((step.question.phase, step.screening_left))
        q = question_by_id(KB, step.question.id)
        if q.kind.value == "number":
            answer = Answer(values=dict.fromkeys(q.findings))
        else:
            answer = Answer(states=dict.fromkeys(q.findings, "no"))
        ev = apply_answer(ev, q, answer, KB)
        asked.append(q.id)
    lefts = [left for phase, left in seen if phase == "screening"]
    assert lefts and lefts[-1] == 0
    # Answering "no" opens no follow-ups, so the count only goes down.
    assert all(a == b + 1 for a, b in pairwise(lefts))
    assert all(left == 0 for phase, left in seen if phase == "information")
