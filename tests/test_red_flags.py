"""Every red flag reaches its level, alone and whatever else is present."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from myotriage import Evidence, KnowledgeBase, TriageLevel, assess, load_knowledge
from myotriage.engine.evidence import close
from myotriage.engine.triage import fired_rules, holds
from myotriage.errors import ProblemsError

from .conftest import DATA

CASES: dict[str, Any] = yaml.safe_load((DATA / "red_flag_cases.yaml").read_text())
RULE_CASES = CASES["cases"]
QUIET = CASES["quiet"]
KB = load_knowledge()
BOOLEAN = sorted(f.id for f in KB.findings.values() if f.type == "boolean" and not f.from_value)


def evidence(case: dict[str, Any], extra: set[str] | None = None) -> Evidence:
    present = set(case.get("present", [])) | (extra or set())
    absent = set(case.get("absent", [])) - present
    return Evidence(
        age=case["age"],
        sex=case["sex"],
        present=frozenset(present),
        absent=frozenset(absent),
        values=case.get("values", {}),
    )


def test_every_rule_has_a_case(kb: KnowledgeBase) -> None:
    covered = {c["rule"] for c in RULE_CASES}
    assert {r.id for r in kb.rules} <= covered


@pytest.mark.parametrize("case", RULE_CASES, ids=lambda c: c["rule"])
def test_rule_fires_and_reaches_its_level(kb: KnowledgeBase, case: dict[str, Any]) -> None:
    ev = close(evidence(case), kb)
    assert case["rule"] in {r.id for r in fired_rules(ev, kb)}
    result = assess(evidence(case), kb)
    assert result.triage.level >= TriageLevel(case["level"])


@pytest.mark.parametrize("case", RULE_CASES, ids=lambda c: c["rule"])
@given(data=st.data())
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_rule_level_holds_whatever_else_is_present(
    case: dict[str, Any], data: st.DataObject
) -> None:
    extra = data.draw(st.sets(st.sampled_from(BOOLEAN), max_size=6))
    # Extra findings must not contradict the case (a denied parent with a present child).
    extra = {f for f in extra if not (KB.ancestors[f] | {f}) & set(case.get("absent", []))}
    result = assess(evidence(case, extra), KB)
    assert result.triage.level >= TriageLevel(case["level"])


@pytest.mark.parametrize("case", QUIET, ids=lambda c: c["id"])
def test_benign_pictures_fire_no_rule_above_their_level(
    kb: KnowledgeBase, case: dict[str, Any]
) -> None:
    ev = close(evidence(case), kb)
    levels = [r.level for r in fired_rules(ev, kb)]
    assert max(levels, default=TriageLevel.self_care) <= TriageLevel(case["max_level"])


def test_red_flag_findings_are_all_used_by_rules(kb: KnowledgeBase) -> None:
    from myotriage.knowledge.audit import check_red_flag_findings

    assert check_red_flag_findings(kb) == []


@given(
    present=st.sets(st.sampled_from(BOOLEAN), max_size=8),
    age=st.integers(0, 120),
    sex=st.sampled_from(["female", "male"]),
)
@settings(max_examples=200, deadline=None)
def test_skipping_untriggered_rules_changes_nothing(present: set[str], age: int, sex: str) -> None:
    # fired_rules skips rules none of whose trigger findings is present; every
    # rule evaluated in full must give the same list.
    try:
        ev = close(Evidence(age=age, sex=sex, present=frozenset(present)), KB)
    except ProblemsError:
        return
    assert fired_rules(ev, KB) == [r for r in KB.rules if holds(r.when, ev)]
