"""``myotriage kb check``: everything the loader checks, plus what is too slow
or too external for every start-up — codes, the shared vocabulary, and that
every figure is either sourced or marked as an estimate."""

from __future__ import annotations

from pathlib import Path

import yaml

from myotriage.errors import Problem
from myotriage.knowledge.base import KnowledgeBase
from myotriage.knowledge.codes import check_codes

DEFAULT_VOCABULARY = Path("..") / "shared" / "vignettes" / "vocabulary.yaml"


def check_vocabulary(kb: KnowledgeBase, vocabulary: Path) -> list[Problem]:
    """Every condition and finding id of the shared vocabulary is defined, same codes."""
    try:
        voc = yaml.safe_load(vocabulary.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        return [Problem(str(vocabulary), f"cannot read the vocabulary: {exc}")]
    problems: list[Problem] = []
    for c in voc.get("conditions", []):
        mine = kb.conditions.get(c["id"])
        if mine is None:
            problems.append(Problem(f"vocabulary → {c['id']}", "condition not defined"))
        elif c.get("icd10cm") and mine.icd10cm != c["icd10cm"]:
            problems.append(
                Problem(
                    f"conditions.yaml → {c['id']} → icd10cm",
                    f"{mine.icd10cm} differs from the vocabulary's {c['icd10cm']}",
                )
            )
    for f in voc.get("findings", []):
        mine_f = kb.findings.get(f["id"])
        if mine_f is None:
            problems.append(Problem(f"vocabulary → {f['id']}", "finding not defined"))
        elif mine_f.type != f["type"]:
            problems.append(Problem(f"findings.yaml → {f['id']} → type", "differs from vocabulary"))
    return problems


def check_sourcing(kb: KnowledgeBase) -> list[Problem]:
    """Estimates cite BK-EXPERT or a source; sourced figures cite a non-estimate source."""
    problems: list[Problem] = []
    for c in kb.conditions.values():
        for link in c.links:
            real = [s for s in link.sources if not kb.sources[s].estimate]
            if not link.estimate and not real:
                problems.append(
                    Problem(
                        f"conditions.yaml → {c.id} → links → {link.finding}",
                        "marked as sourced but cites only expert estimates: set estimate: true",
                    )
                )
        if not c.prior_estimate and not [s for s in c.prior_sources if not kb.sources[s].estimate]:
            problems.append(
                Problem(
                    f"conditions.yaml → {c.id} → prior_sources",
                    "prior marked as sourced but cites only expert estimates",
                )
            )
    for r in kb.rules:
        if not r.estimate and all(kb.sources[s].estimate for s in r.sources):
            problems.append(
                Problem(f"red_flags.yaml → {r.id}", "cites only estimates: set estimate")
            )
    for i in kb.interventions.values():
        if not i.estimate and all(kb.sources[s].estimate for s in i.sources):
            problems.append(Problem(f"interventions.yaml → {i.id}", "cites only estimates"))
    return problems


def check_red_flag_findings(kb: KnowledgeBase) -> list[Problem]:
    """Every finding marked red_flag is used by at least one rule."""
    used: set[str] = set()
    for r in kb.rules:
        used.update(_names(r.when.model_dump()))
    # A number is "used" when a rule tests it through one of its derived findings.
    used.update(f.from_value.finding for fid in list(used) if (f := kb.findings[fid]).from_value)
    return [
        Problem(f"findings.yaml → {f.id} → red_flag", "marked red flag but no rule uses it")
        for f in kb.findings.values()
        if f.red_flag and f.id not in used
    ]


def _names(d: object) -> set[str]:
    if isinstance(d, dict):
        out: set[str] = set()
        for key, value in d.items():
            if key in ("present", "absent", "not_present") and isinstance(value, str):
                out.add(value)
            elif key == "compare" and isinstance(value, dict):
                out.add(value["finding"])
            else:
                out |= _names(value)
        return out
    if isinstance(d, list):
        return set().union(*(_names(x) for x in d)) if d else set()
    return set()


def audit(kb: KnowledgeBase, vocabulary: Path | None = None, codes: bool = True) -> list[Problem]:
    """All checks beyond loading; an empty list means the knowledge base passes."""
    problems = check_sourcing(kb) + check_red_flag_findings(kb)
    voc = vocabulary or DEFAULT_VOCABULARY
    if vocabulary is not None or voc.is_file():
        problems += check_vocabulary(kb, voc)
    if codes:
        problems += check_codes(kb)
    return problems
