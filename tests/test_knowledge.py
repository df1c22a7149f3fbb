from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from myotriage import KnowledgeBase, KnowledgeError, load_knowledge
from myotriage.knowledge.audit import audit, check_sourcing, check_vocabulary
from myotriage.knowledge.codes import check_codes, icd10cm_problem

from .conftest import VOCABULARY

DATA_FILES = [
    "sources",
    "findings",
    "conditions",
    "red_flags",
    "interventions",
    "questions",
    "policy",
]


def test_every_shipped_file_loads(kb: KnowledgeBase) -> None:
    assert len(kb.conditions) >= 37
    assert len(kb.findings) >= 130
    assert kb.rules and kb.interventions and kb.sources


def test_compiled_arrays_are_read_only(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError):
        kb.network.links[0, 0] = 0.5
    assert not kb.network.priors.flags.writeable


def test_priors_are_probabilities_for_every_age(kb: KnowledgeBase) -> None:
    p = kb.network.priors
    assert p.shape[0] == 121
    assert np.all((p >= 0) & (p < 1))


def test_every_code_is_real(kb: KnowledgeBase) -> None:
    assert check_codes(kb) == []


def test_invalid_codes_are_caught() -> None:
    assert icd10cm_problem("G12.2") is not None  # a category, not billable
    assert icd10cm_problem("ZZ9.99") is not None
    assert icd10cm_problem("G12.21") is None


def test_vocabulary_is_fully_defined(kb: KnowledgeBase) -> None:
    if not VOCABULARY.is_file():
        pytest.skip(f"shared vocabulary not found at {VOCABULARY}")
    assert check_vocabulary(kb, VOCABULARY) == []


def test_every_figure_is_sourced_or_marked_estimate(kb: KnowledgeBase) -> None:
    assert check_sourcing(kb) == []
    for c in kb.conditions.values():
        assert c.sources and c.prior_sources
        assert all(link.sources for link in c.links)
    assert all(r.sources for r in kb.rules)
    assert all(i.sources for i in kb.interventions.values())


def test_full_audit_passes(kb: KnowledgeBase) -> None:
    assert audit(kb, VOCABULARY if VOCABULARY.is_file() else None, codes=False) == []


def test_every_seed_article_remedy_is_covered(kb: KnowledgeBase) -> None:
    names = " ".join(
        f"{i.id} {i.name} {i.article_says or ''}".lower()
        for i in kb.interventions.values()
        if i.in_seed_article
    )
    for remedy in [
        "magnesium",
        "potassium",
        "calcium",
        "water",
        "heat",
        "massage",
        "botulinum",
        "b12",
        "chamomile",
        "passion",
        "hops",
        "skullcap",
        "lady",
    ]:
        assert remedy in names, remedy


def test_article_contradictions_are_stated(kb: KnowledgeBase) -> None:
    mg = kb.interventions["magnesium_idiopathic"]
    assert mg.grade.value == "evidence_against"
    assert mg.verdict_vs_article


def _copy_kb(tmp_path: Path) -> Path:
    from importlib import resources

    folder = tmp_path / "kb"
    folder.mkdir()
    for name in DATA_FILES:
        text = resources.files("myotriage.knowledge").joinpath("data", f"{name}.yaml").read_text()
        (folder / f"{name}.yaml").write_text(text)
    return folder


def test_loader_reports_every_problem_with_file_entry_and_field(tmp_path: Path) -> None:
    folder = _copy_kb(tmp_path)
    data = yaml.safe_load((folder / "conditions.yaml").read_text())
    data["conditions"][0]["colour"] = "blue"  # unknown key
    data["conditions"][1]["action_threshold"] = 7  # out of range
    data["conditions"][2]["links"][0]["finding"] = "no_such_finding"
    data["conditions"][3]["sources"] = ["NO-SUCH-SOURCE"]
    (folder / "conditions.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(folder)
    text = str(info.value)
    c = data["conditions"]
    assert f"conditions.yaml → {c[0]['id']} → colour" in text
    assert f"conditions.yaml → {c[1]['id']} → action_threshold" in text
    assert "unknown finding 'no_such_finding'" in text
    assert "unknown source 'NO-SUCH-SOURCE'" in text
    assert len(info.value.problems) >= 4


def test_user_folder_replaces_files_one_by_one(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    from importlib import resources

    text = resources.files("myotriage.knowledge").joinpath("data", "policy.yaml").read_text()
    data = yaml.safe_load(text)
    data["policy"]["disclaimer"] = "Custom disclaimer for a clinic."
    (folder / "policy.yaml").write_text(yaml.safe_dump(data))
    kb = load_knowledge(folder)
    assert kb.policy.disclaimer == "Custom disclaimer for a clinic."
    assert len(kb.conditions) >= 37  # the rest came from the package


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="not a folder"):
        load_knowledge(tmp_path / "nope")
