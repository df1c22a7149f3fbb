"""Read vignette files (``shared/vignettes/FORMAT.md``): one case per file or a list.

Errors name the file and line, so a malformed case is easy to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from myotriage.engine.evidence import Evidence, Sex
from myotriage.errors import CaseFileError, Problem
from myotriage.knowledge.schema import TriageLevel


class Expected(BaseModel):
    """The right answer for a case."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    triage: TriageLevel
    conditions: list[str] = Field(default_factory=list)
    not_conditions: list[str] = Field(default_factory=list)


class Case(BaseModel):
    """One vignette: a person's presentation and the expected result."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    source: str | None = None
    age: float = Field(ge=0, le=120)
    sex: Sex
    text: str | None = None
    present: list[str] = Field(default_factory=list)
    absent: list[str] = Field(default_factory=list)
    values: dict[str, float] = Field(default_factory=dict)
    expected: Expected
    notes: str | None = None
    file: str = ""
    line: int = 0

    def evidence(self) -> Evidence:
        """The case's full evidence (``full`` mode)."""
        return Evidence(
            age=self.age,
            sex=self.sex,
            present=frozenset(self.present),
            absent=frozenset(self.absent),
            values=dict(self.values),
        )


def _load_file(path: Path, problems: list[Problem]) -> list[Case]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(str(path), f"cannot read: {exc}"))
        return []
    try:
        node = yaml.compose(text)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problems.append(Problem(where, f"not valid YAML ({getattr(exc, 'problem', exc)})"))
        return []
    if data is None:
        problems.append(Problem(str(path), "is empty: expected a case or a list of cases"))
        return []
    items = data if isinstance(data, list) else [data]
    nodes = node.value if isinstance(node, yaml.SequenceNode) else [node]
    cases: list[Case] = []
    for raw, n in zip(items, nodes, strict=True):
        line = n.start_mark.line + 1 if n is not None else 0
        if not isinstance(raw, dict):
            problems.append(Problem(f"{path}:{line}", "a case must be a mapping with id, age, sex"))
            continue
        try:
            cases.append(Case.model_validate({**raw, "file": str(path), "line": line}))
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(x) for x in err["loc"])
                problems.append(
                    Problem(f"{path}:{line} (case {raw.get('id', '?')}) → {field}", err["msg"])
                )
    return cases


def load_cases(path: str | Path) -> list[Case]:
    """Load every case from a YAML file or from every ``*.yaml``/``*.yml`` in a folder."""
    p = Path(path)
    if p.is_dir():
        files = sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
        if not files:
            raise CaseFileError("No cases found.", [Problem(str(p), "holds no .yaml files")])
    elif p.is_file():
        files = [p]
    else:
        raise CaseFileError("No cases found.", [Problem(str(p), "no such file or folder")])
    problems: list[Problem] = []
    cases: list[Case] = []
    for f in files:
        cases.extend(_load_file(f, problems))
    seen: dict[str, str] = {}
    for c in cases:
        if c.id in seen:
            problems.append(Problem(f"{c.file}:{c.line}", f"case id {c.id} also in {seen[c.id]}"))
        seen[c.id] = f"{c.file}:{c.line}"
    if problems:
        raise CaseFileError("The case file(s) cannot be read.", problems)
    return cases
