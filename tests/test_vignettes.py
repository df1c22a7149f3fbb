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
    require_shared()
    for case in CASES:
        if case.expected.conditions:
            continue
        a = assess(case.evidence(), kb)
        if a.triage.level.value == "self_care":
            continue
        top = a.causes[0]
        benign_confident = top.urgency.value == "self_care" and top.probability > 0.9
        assert not benign_confident, case.id
