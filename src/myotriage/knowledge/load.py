"""Load, validate and compile the knowledge base.

Files are read from the package with :mod:`importlib.resources`; a user folder
may replace any of them file by file. Every problem is collected and reported
at once as ``file → entry → field: what is wrong``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from myotriage.errors import KnowledgeError, Problem
from myotriage.knowledge.base import KnowledgeBase, compile_network
from myotriage.knowledge.schema import (
    Condition,
    ConditionGroup,
    Expr,
    Finding,
    Intervention,
    Policy,
    Question,
    QuestionKind,
    RedFlagRule,
    Source,
    TriageLevel,
)
from myotriage.phrasing import in_sentence

FILES = {
    "sources.yaml": ("sources", Source),
    "findings.yaml": ("findings", Finding),
    "conditions.yaml": ("conditions", Condition),
    "red_flags.yaml": ("rules", RedFlagRule),
    "interventions.yaml": ("interventions", Intervention),
    "questions.yaml": ("questions", Question),
}
POLICY_FILE = "policy.yaml"
M = TypeVar("M", bound=BaseModel)

# libyaml's C loader when PyYAML has it (several times faster), else the Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_text(name: str, folder: Path | None) -> tuple[str, str]:
    if folder is not None and (folder / name).is_file():
        path = folder / name
        return path.read_text(encoding="utf-8"), str(path)
    res = resources.files("myotriage.knowledge").joinpath("data", name)
    return res.read_text(encoding="utf-8"), f"myotriage/knowledge/data/{name}"


def _parse_yaml(text: str, where: str, problems: list[Problem]) -> Any:
    try:
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problems.append(Problem(f"{where}{line}", f"not valid YAML: {exc}"))
        return None


def _loc(loc: Iterable[int | str]) -> str:
    return ".".join(str(x) for x in loc) or "(entry)"


def _validate_list(
    data: Any, key: str, model: type[M], where: str, problems: list[Problem]
) -> list[M]:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        problems.append(Problem(where, f"expected a top-level key '{key}:' holding a list"))
        return []
    out: list[M] = []
    for n, raw in enumerate(data[key]):
        entry = raw.get("id", f"#{n + 1}") if isinstance(raw, dict) else f"#{n + 1}"
        try:
            out.append(model.model_validate(raw))
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(Problem(f"{where} → {entry} → {_loc(err['loc'])}", err["msg"]))
    return out


def _unique(items: list[Any], where: str, problems: list[Problem]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if item.id in out:
            problems.append(Problem(f"{where} → {item.id}", "id is defined twice"))
        out[item.id] = item
    return out


def _expr_findings(expr: Expr) -> Iterator[str]:
    for key in ("present", "absent", "not_present"):
        value = getattr(expr, key)
        if value is not None:
            yield value
    if expr.compare is not None:
        yield expr.compare.finding
    for sub in (expr.all or []) + (expr.any or []):
        yield from _expr_findings(sub)


def _closure(start: str, edges: dict[str, list[str]]) -> frozenset[str]:
    seen: set[str] = set()
    stack = list(edges.get(start, []))
    while stack:
        x = stack.pop()
        if x not in seen:
            seen.add(x)
            stack.extend(edges.get(x, []))
    return frozenset(seen)


def _check_refs(
    sources: dict[str, Source],
    findings: dict[str, Finding],
    conditions: dict[str, Condition],
    rules: list[RedFlagRule],
    interventions: dict[str, Intervention],
    problems: list[Problem],
) -> None:
    def src(where: str, ids: Iterable[str]) -> None:
        for s in ids:
            if s not in sources:
                problems.append(Problem(where, f"unknown source '{s}'"))

    def fnd(where: str, fid: str, number: bool | None = None) -> None:
        f = findings.get(fid)
        if f is None:
            problems.append(Problem(where, f"unknown finding '{fid}'"))
        elif number is True and f.type != "number":
            problems.append(Problem(where, f"finding '{fid}' is not a number"))
        elif number is False and f.type != "boolean":
            problems.append(Problem(where, f"finding '{fid}' is a number: use its derived finding"))

    for f in findings.values():
        where = f"findings.yaml → {f.id}"
        src(f"{where} → leak_sources", f.leak_sources)
        if f.type == "boolean" and not f.leak_sources:
            problems.append(Problem(f"{where} → leak_sources", "a leak needs a source"))
        for parent in f.implies:
            fnd(f"{where} → implies", parent, number=False)
        if f.from_value is not None:
            fnd(f"{where} → from_value", f.from_value.finding, number=True)
    for c in conditions.values():
        where = f"conditions.yaml → {c.id}"
        src(f"{where} → sources", c.sources)
        src(f"{where} → prior_sources", c.prior_sources)
        for link in c.links:
            fnd(f"{where} → links → {link.finding}", link.finding, number=False)
            src(f"{where} → links → {link.finding} → sources", link.sources)
    for r in rules:
        where = f"red_flags.yaml → {r.id}"
        src(f"{where} → sources", r.sources)
        for fid in _expr_findings(r.when):
            fnd(f"{where} → when", fid)
    seen_rules: set[str] = set()
    for r in rules:
        if r.id in seen_rules:
            problems.append(Problem(f"red_flags.yaml → {r.id}", "id is defined twice"))
        seen_rules.add(r.id)
    for i in interventions.values():
        where = f"interventions.yaml → {i.id}"
        src(f"{where} → sources", i.sources)
        for cid in i.for_conditions:
            if cid not in conditions:
                problems.append(Problem(f"{where} → for_conditions", f"unknown condition '{cid}'"))
        for fid in i.trying_when:
            fnd(f"{where} → trying_when", fid)
        for n, caution in enumerate(i.cautions):
            for fid in _expr_findings(caution.when):
                fnd(f"{where} → cautions.{n}.when", fid)
    # A condition must be able to show itself: at least one linked finding.
    for c in conditions.values():
        if not c.links:
            problems.append(Problem(f"conditions.yaml → {c.id} → links", "no links"))


def _check_questions(
    questions: list[Question], findings: dict[str, Finding], problems: list[Problem]
) -> None:
    seen: set[str] = set()
    for q in questions:
        where = f"questions.yaml → {q.id}"
        if q.id in seen:
            problems.append(Problem(where, "id is defined twice"))
        seen.add(q.id)
        for fid in q.findings:
            f = findings.get(fid)
            if f is None:
                problems.append(Problem(f"{where} → findings", f"unknown finding '{fid}'"))
            elif f.from_value is not None:
                problems.append(Problem(f"{where} → findings", f"'{fid}' is derived, not asked"))
            elif (f.type == "number") != (q.kind == QuestionKind.number):
                problems.append(
                    Problem(f"{where} → findings", f"'{fid}' is a {f.type}: wrong question kind")
                )
        if q.ask_when is not None:
            for fid in _expr_findings(q.ask_when):
                if fid not in findings:
                    problems.append(Problem(f"{where} → ask_when", f"unknown finding '{fid}'"))


# Groups whose causes are common and harmless enough to name in a question's rationale.
EVERYDAY_GROUPS = frozenset(
    {
        ConditionGroup.benign_lifestyle,
        ConditionGroup.electrolyte_metabolic_drug,
        ConditionGroup.face_eyelid,
    }
)


def _implicit_questions(
    questions: list[Question], findings: dict[str, Finding], conditions: dict[str, Condition]
) -> list[Question]:
    """A yes/no or number question for every askable finding no listed question covers."""
    covered = {fid for q in questions for fid in q.findings}
    out = []
    for f in findings.values():
        if f.id in covered or f.from_value is not None:
            continue
        causes = sorted(
            (
                (link.p, c.short_name, c.group in EVERYDAY_GROUPS)
                for c in conditions.values()
                for link in c.links
                if link.finding == f.id
                or (
                    findings[link.finding].from_value is not None
                    and findings[link.finding].from_value.finding == f.id  # type: ignore[union-attr]
                )
            ),
            reverse=True,
        )[:3]
        # Everyday causes are named; rarer, frightening ones are not spelled out in
        # the middle of an interview with a worried person.
        everyday = list(dict.fromkeys(in_sentence(n) for _, n, ok in causes if ok))[:2]
        rare = any(not ok for _, _, ok in causes)
        named = ", or to ".join(everyday)
        if everyday and rare:
            why = (
                f"Asked because it can point to {named}, and it helps rule "
                "out less common causes that a doctor should check."
            )
        elif everyday:
            why = f"Asked because it can point to {named}."
        elif rare:
            why = "Asked because it helps rule out less common causes that a doctor should check."
        else:
            why = "Asked because it changes which advice is safe for you."
        kind = QuestionKind.number if f.type == "number" else QuestionKind.yes_no
        out.append(
            Question(id=f"q_{f.id}", kind=kind, text=f.question, findings=[f.id], rationale=why)
        )
    return out


def load_knowledge(folder: str | Path | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base, then compile it for the engine.

    ``folder`` may hold replacements for any of the data files; files it does
    not hold come from the package. Raises :class:`KnowledgeError` listing
    every problem found. Codes (ICD-10-CM, HPO) are checked separately by
    :func:`myotriage.knowledge.codes.check_codes`, which is slow.
    """
    base = Path(folder) if folder is not None else None
    if base is not None and not base.is_dir():
        raise KnowledgeError(
            "Cannot load the knowledge base.",
            [Problem(str(base), "is not a folder: give a folder holding *.yaml knowledge files")],
        )
    problems: list[Problem] = []
    loaded: dict[str, list[Any]] = {}
    origin = str(base) if base is not None else "package"
    for name, (key, model) in FILES.items():
        text, _where = _read_text(name, base)
        data = _parse_yaml(text, name, problems)
        loaded[key] = _validate_list(data, key, model, name, problems) if data is not None else []
    text, _ = _read_text(POLICY_FILE, base)
    policy_data = _parse_yaml(text, POLICY_FILE, problems)
    policy: Policy | None = None
    if isinstance(policy_data, dict) and "policy" in policy_data:
        try:
            policy = Policy.model_validate(policy_data["policy"])
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(Problem(f"{POLICY_FILE} → policy → {_loc(err['loc'])}", err["msg"]))
    else:
        problems.append(Problem(POLICY_FILE, "expected a top-level key 'policy:'"))
    if policy is not None and {lt.level for lt in policy.levels} != set(TriageLevel):
        problems.append(Problem(f"{POLICY_FILE} → policy → levels", "must describe all 5 levels"))

    sources = _unique(loaded["sources"], "sources.yaml", problems)
    findings = _unique(loaded["findings"], "findings.yaml", problems)
    conditions = _unique(loaded["conditions"], "conditions.yaml", problems)
    interventions = _unique(loaded["interventions"], "interventions.yaml", problems)
    rules: list[RedFlagRule] = loaded["rules"]
    _check_refs(sources, findings, conditions, rules, interventions, problems)
    _check_questions(loaded["questions"], findings, problems)
    if problems or policy is None:
        raise KnowledgeError(
            f"The knowledge base ({origin}) has {len(problems)} problem(s).", problems
        )

    up = {f.id: list(f.implies) for f in findings.values()}
    down: dict[str, list[str]] = {}
    for child, parents in up.items():
        for p in parents:
            down.setdefault(p, []).append(child)
    ancestors = {fid: _closure(fid, up) for fid in findings}
    descendants = {fid: _closure(fid, down) for fid in findings}
    cycles = [fid for fid, anc in ancestors.items() if fid in anc]
    if cycles:
        raise KnowledgeError(
            "The knowledge base has circular 'implies'.",
            [Problem(f"findings.yaml → {fid} → implies", "implies itself") for fid in cycles],
        )
    cond_tuple = tuple(conditions.values())
    find_tuple = tuple(findings.values())
    questions = [
        *loaded["questions"],
        *_implicit_questions(loaded["questions"], findings, conditions),
    ]
    rules_by_finding: dict[str, list[str]] = {}
    for r in rules:
        for fid in set(_expr_findings(r.when)):
            rules_by_finding.setdefault(fid, []).append(r.id)
    return KnowledgeBase(
        sources=MappingProxyType(sources),
        conditions=MappingProxyType(conditions),
        findings=MappingProxyType(findings),
        rules=tuple(rules),
        interventions=MappingProxyType(interventions),
        policy=policy,
        network=compile_network(cond_tuple, find_tuple),
        origin=origin,
        ancestors=MappingProxyType(ancestors),
        descendants=MappingProxyType(descendants),
        questions=tuple(questions),
        rules_by_finding=MappingProxyType({k: tuple(v) for k, v in rules_by_finding.items()}),
    )


@cache
def default_knowledge() -> KnowledgeBase:
    """The packaged knowledge base, loaded once per process."""
    return load_knowledge()
