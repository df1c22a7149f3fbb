"""Docs that tests keep honest."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from myotriage import KnowledgeBase
from myotriage.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import gen_docs  # noqa: E402


@pytest.mark.parametrize("name", ["red-flags.md", "knowledge-summary.md", "cli.md"])
def test_generated_docs_are_current(name: str) -> None:
    fresh = gen_docs.generate()[name]
    committed = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert committed == fresh, f"docs/{name} is stale: run .venv/bin/python tools/gen_docs.py"


def test_every_red_flag_is_documented(kb: KnowledgeBase) -> None:
    text = (ROOT / "docs" / "red-flags.md").read_text(encoding="utf-8")
    for rule in kb.rules:
        assert f"| {rule.id} |" in text


def test_readme_shows_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.lstrip().startswith("# myotriage")
    assert "make run" in readme and "make test" in readme
    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    for name in names:
        assert f"myotriage {name}" in readme, name


def test_knowledge_format_doc_names_every_file() -> None:
    from myotriage.knowledge.load import FILES, POLICY_FILE

    text = (ROOT / "docs" / "knowledge-format.md").read_text(encoding="utf-8")
    for name in [*FILES, POLICY_FILE]:
        assert name in text


def test_every_setting_is_documented_in_the_readme() -> None:
    from myotriage.settings import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"MYOTRIAGE_{name.upper()}" in readme, name
