"""Parser benchmark and report: load time, parse latency, per-finding precision/recall.

Prints one JSON line: pipeline load seconds (a fresh process, so nothing is cached),
parse p50/p99 in milliseconds for 300-character messages, and precision, recall and
negation accuracy on tests/data/parse_sentences.yaml, with the per-finding figures,
and the same on tests/data/parse_heldout.yaml (never tuned on).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from myotriage import KnowledgeBase, load_knowledge
from myotriage.nlp.parse import parse

ROOT = Path(__file__).resolve().parents[1]
SENTENCES = ROOT / "tests" / "data" / "parse_sentences.yaml"
HELDOUT = ROOT / "tests" / "data" / "parse_heldout.yaml"
MESSAGE = (
    "My left calf has been jumping for about three weeks, on and off. No weakness and the leg "
    "looks normal, no numbness. I drink like 5 coffees a day and sleep maybe 5 hours because "
    "work is crazy. I'm terrified it's ALS. My dad had a stroke. Should I see someone? "
)[:300]


def load_seconds() -> float:
    code = (
        "import time; t=time.perf_counter(); import myotriage; from myotriage.nlp.parse import "
        "build_parser; build_parser(myotriage.load_knowledge()); print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def score(path: Path, kb: KnowledgeBase) -> dict[str, Any]:
    """Precision, recall, negation and value accuracy on one annotated file."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    neg_total = neg_right = value_total = value_right = 0
    sentences = yaml.safe_load(path.read_text())["sentences"]
    for s in sentences:
        r = parse(s["text"], kb)
        present = set(r.present())
        for f in list(present):
            present |= kb.ancestors[f]
        got = {f: True for f in present} | {f: False for f in r.absent()}
        truth_present = set(s.get("present", []))
        for f in list(truth_present):
            truth_present |= kb.ancestors[f]
        truth = {f: True for f in truth_present} | {f: False for f in s.get("absent", [])}
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
    return {
        "sentences": len(sentences),
        "precision": round(t / max(1, t + f_p), 3),
        "recall": round(t / max(1, t + f_n), 3),
        "negation_accuracy": round(neg_right / max(1, neg_total), 3),
        "value_accuracy": round(value_right / max(1, value_total), 3),
        "per_finding": {
            f: {
                "precision": round(tp[f] / (tp[f] + fp[f]), 3) if tp[f] + fp[f] else None,
                "recall": round(tp[f] / (tp[f] + fn[f]), 3) if tp[f] + fn[f] else None,
            }
            for f in sorted(set(tp) | set(fp) | set(fn))
        },
    }


def main() -> None:
    kb = load_knowledge()
    parse("warm up", kb)
    times = []
    for _ in range(200):
        t0 = time.perf_counter()
        parse(MESSAGE, kb)
        times.append((time.perf_counter() - t0) * 1000)
    own = score(SENTENCES, kb)
    heldout = score(HELDOUT, kb)
    print(
        json.dumps(
            {
                "benchmark": "parse",
                "pipeline_load_s": round(load_seconds(), 2),
                "message_chars": len(MESSAGE),
                "parse_p50_ms": round(float(np.percentile(times, 50)), 2),
                "parse_p99_ms": round(float(np.percentile(times, 99)), 2),
                "sentences": own.pop("sentences"),
                **{k: v for k, v in own.items() if k != "per_finding"},
                # Written without reading the parser's word lists and never tuned on:
                # the honest figure for text the parser has not seen.
                "heldout": {k: v for k, v in heldout.items() if k != "per_finding"},
                "per_finding": own["per_finding"],
            }
        )
    )


if __name__ == "__main__":
    main()
