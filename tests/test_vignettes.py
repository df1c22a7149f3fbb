"""Every development vignette as a test case, plus the acceptance figures."""

from __future__ import annotations

import pytest

from myotriage import KnowledgeBase, assess
from myotriage.eval.metrics import result_for
from myotriage.eval.run import Mode, evaluate
from myotriage.eval.vignettes import Case, load_cases

from .conftest import DEV_CASES, require_shared

CASES: list[Case] = load_cases(DEV_CASES) if DEV_CASES.is_dir() else []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_vignette_is_never_under_triaged_unsafely(kb: KnowledgeBase, case: Case) -> None:
    r = result_for(case, assess(case.evidence(), kb))
    assert not r.unsafe, f"{case.id}: expected {r.expected.value}, got {r.level.value}"
    assert not r.forbidden_first, f"{case.id}: {r.ranked[0]} must not be ranked first"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_vignette_result_is_deterministic(kb: KnowledgeBase, case: Case) -> None:
    assert assess(case.evidence(), kb) == assess(case.evidence(), kb)


def test_acceptance_figures_on_the_development_set(kb: KnowledgeBase) -> None:
    require_shared()
    d = evaluate(CASES, kb, Mode.full).as_dict()
    assert d["errors"] == 0
    assert d["unsafe"] == 0
    assert d["triage_exact"] >= 0.90
    assert d["top3"] >= 0.90
    assert d["top1"] >= 0.75
    assert d["over_triage"] <= 0.10


def test_unmodelled_cases_are_not_forced_into_a_confident_benign_answer(
    kb: KnowledgeBase,
) -> None:
    # Cases whose cause the knowledge base does not model: unless the case is plain
    # self-care, the product must either name a finding nothing explains (and say
    # so) or not pretend a benign cause is certain.
    require_shared()
    checked = 0
    for case in CASES:
        if case.expected.conditions or case.expected.triage.value == "self_care":
            continue
        a = assess(case.evidence(), kb)
        top = a.causes[0]
        confident_benign = top.urgency.value == "self_care" and top.probability > 0.9
        flagged = bool(a.unexplained_findings) and any("explain" in n for n in a.notices)
        assert flagged or not confident_benign, case.id
        checked += 1
    assert checked >= 3


def test_an_unexplained_symptom_is_named_and_noticed(kb: KnowledgeBase) -> None:
    from myotriage import Evidence

    a = assess(Evidence(age=60, sex="female", present=frozenset({"unusual_bruising_bleeding"})), kb)
    assert a.unexplained_findings == ["unusual_bruising_bleeding"]
    assert a.triage.level.value != "self_care"


@pytest.mark.parametrize("case", CASES[::7], ids=lambda c: c.id)
def test_assessment_round_trips_through_its_json_schema(kb: KnowledgeBase, case: Case) -> None:
    from myotriage import Assessment

    a = assess(case.evidence(), kb)
    again = Assessment.model_validate_json(a.model_dump_json())
    assert again.model_dump() == a.model_dump()
