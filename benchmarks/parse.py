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
from pathlib import Path
from typing import Any

import numpy as np

from myotriage import load_knowledge
from myotriage.eval.annotated import ParseScore, score_annotated
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


def rounded(sc: ParseScore) -> dict[str, Any]:
    """A score for printing: figures to 3 decimals."""

    def r3(x: float | None) -> float | None:
        return None if x is None else round(x, 3)

    return {
        "sentences": sc.sentences,
        "precision": r3(sc.precision),
        "recall": r3(sc.recall),
        "negation_accuracy": r3(sc.negation_accuracy),
        "value_accuracy": r3(sc.value_accuracy),
        "per_finding": {f: {k: r3(v) for k, v in d.items()} for f, d in sc.per_finding.items()},
    }


def main() -> None:
    kb = load_knowledge()
    parse("warm up", kb)
    times = []
    for _ in range(200):
        t0 = time.perf_counter()
        parse(MESSAGE, kb)
        times.append((time.perf_counter() - t0) * 1000)
    own = rounded(score_annotated(SENTENCES, kb))
    heldout = rounded(score_annotated(HELDOUT, kb))
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
