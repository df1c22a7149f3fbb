"""Scoring the parser against annotated sentences (tests/data/parse_*.yaml).

One scorer for the test suite and the benchmark, so the figures a test
asserts and the figures ``make bench`` prints are the same numbers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from myotriage.knowledge.base import KnowledgeBase
from myotriage.nlp.parse import parse


@dataclass(frozen=True)
class ParseScore:
    """Agreement of the parser with one annotated file (fractions in 0..1)."""

    sentences: int
    precision: float
    recall: float
    negation_accuracy: float
    value_accuracy: float
    per_finding: dict[str, dict[str, float | None]]


def _with_parents(ids: list[str], kb: KnowledgeBase) -> set[str]:
    out = set(ids)
    for f in ids:
        out |= kb.ancestors.get(f, frozenset())
    return out


def score_annotated(path: Path, kb: KnowledgeBase) -> ParseScore:
    """Precision, recall, negation and value accuracy of ``parse`` on an annotated file.

    A finding counts when its polarity agrees with the annotation (present
    findings with their implied parents); a value counts when it is within 15%
    (or 0.5 of its unit) of the annotated one. A sentence with a ``today`` date
    was annotated as written on that day ("since last Tuesday").
    """
    sentences: list[dict[str, Any]] = yaml.safe_load(path.read_text())["sentences"]
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    neg_total = neg_right = value_total = value_right = 0
    for s in sentences:
        r = parse(s["text"], kb, s.get("today"))
        got = {f: True for f in _with_parents(r.present(), kb)} | dict.fromkeys(r.absent(), False)
        truth = {f: True for f in _with_parents(s.get("present", []), kb)}
        truth |= dict.fromkeys(s.get("absent", []), False)
        for f, v in got.items():
            (tp if truth.get(f) is v else fp)[f] += 1
        for f, v in truth.items():
            fn[f] += got.get(f) is not v
            if v is False:
                neg_total += 1
                neg_right += got.get(f) is False
        for f, v in (s.get("values") or {}).items():
            value_total += 1
            found = [x.value for x in r.values if x.id == f]
            value_right += bool(found) and abs(found[0] - v) <= max(0.15 * abs(v), 0.5)
    t, f_p, f_n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    return ParseScore(
        sentences=len(sentences),
        precision=t / max(1, t + f_p),
        recall=t / max(1, t + f_n),
        negation_accuracy=neg_right / max(1, neg_total),
        value_accuracy=value_right / max(1, value_total),
        per_finding={
            f: {
                "precision": tp[f] / (tp[f] + fp[f]) if tp[f] + fp[f] else None,
                "recall": tp[f] / (tp[f] + fn[f]) if tp[f] + fn[f] else None,
            }
            for f in sorted(set(tp) | set(fp) | set(fn))
        },
    )
