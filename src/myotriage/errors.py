"""One exception tree for myotriage. No HTTP or terminal concepts live here.

Interfaces map these to their own shapes (a CLI line and exit code 2, later a
JSON error envelope). Every message says what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass


class MyotriageError(Exception):
    """Base of every error myotriage raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what to do about it."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ProblemsError(MyotriageError):
    """An error that carries every problem found, not just the first."""

    def __init__(self, summary: str, problems: list[Problem]) -> None:
        self.summary = summary
        self.problems = list(problems)
        super().__init__(self.describe())

    def describe(self) -> str:
        """All problems, one per line, under the summary."""
        lines = [self.summary, *(f"  - {p}" for p in self.problems)]
        return "\n".join(lines)


class KnowledgeError(ProblemsError):
    """The knowledge base failed validation (file → entry → field: what is wrong)."""


class EvidenceError(ProblemsError):
    """The evidence given for an assessment is unusable (unknown id, conflict, range)."""


class CaseFileError(ProblemsError):
    """A vignette or case file could not be read (with file and line)."""


class TextError(ProblemsError):
    """Free text that cannot be parsed (empty, too long, not text)."""
