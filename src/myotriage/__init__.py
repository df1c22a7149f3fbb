"""myotriage: safe triage, likely causes and evidence-graded self-care for
muscle twitching and cramps. Information, not a diagnosis."""

from myotriage.engine.assess import assess
from myotriage.engine.assessment import Assessment
from myotriage.engine.evidence import Evidence, Sex
from myotriage.errors import (
    CaseFileError,
    EvidenceError,
    KnowledgeError,
    MyotriageError,
    Problem,
)
from myotriage.knowledge.base import KnowledgeBase
from myotriage.knowledge.load import load_knowledge
from myotriage.knowledge.schema import TriageLevel

__all__ = [
    "Assessment",
    "CaseFileError",
    "Evidence",
    "EvidenceError",
    "KnowledgeBase",
    "KnowledgeError",
    "MyotriageError",
    "Problem",
    "Sex",
    "TriageLevel",
    "assess",
    "load_knowledge",
]
__version__ = "0.1.0"
