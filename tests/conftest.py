from __future__ import annotations

from pathlib import Path

import pytest

from myotriage import KnowledgeBase, load_knowledge

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV_CASES = SHARED / "vignettes" / "dev"
VOCABULARY = SHARED / "vignettes" / "vocabulary.yaml"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge()


def require_shared() -> None:
    if not DEV_CASES.is_dir():
        pytest.skip(f"shared development cases not found at {DEV_CASES}")
