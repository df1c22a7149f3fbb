"""Interview benchmark: next-question latency, and questions against a fixed-order baseline.

Prints one JSON line. Every development vignette is played by the simulated
patient; each call to next_question is timed. The baseline asks every
question of the knowledge base in file order (skipping those whose ask_when
does not hold and those already answered), which is what a static form does.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import numpy as np

from myotriage import Evidence, load_knowledge
from myotriage.engine.evidence import close
from myotriage.engine.interview import (
    apply_answer,
    next_question,
    pending_questions,
    question_by_id,
)
from myotriage.eval.simulate import answer_for
from myotriage.eval.vignettes import Case, load_cases
from myotriage.knowledge.base import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "vignettes" / "dev"


def adaptive(case: Case, kb: KnowledgeBase, timings: list[float]) -> int:
    ev = Evidence(age=case.age, sex=case.sex)
    asked: list[str] = []
    while True:
        t0 = time.perf_counter()
        step = next_question(ev, kb, asked)
        timings.append(time.perf_counter() - t0)
        if step.should_stop or step.question is None:
            return len(asked)
        q = question_by_id(kb, step.question.id)
        ev = apply_answer(ev, q, answer_for(case, q.id, kb), kb)
        asked.append(q.id)


def fixed_order(case: Case, kb: KnowledgeBase) -> int:
    ev = Evidence(age=case.age, sex=case.sex)
    asked: list[str] = []
    while True:
        pending = pending_questions(close(ev, kb), kb, asked)
        if not pending:
            return len(asked)
        q = pending[0]
        ev = apply_answer(ev, q, answer_for(case, q.id, kb), kb)
        asked.append(q.id)


def main() -> None:
    kb = load_knowledge()
    cases = load_cases(DEV)
    timings: list[float] = []
    ours = [adaptive(c, kb, timings) for c in cases]
    base = [fixed_order(c, kb) for c in cases]
    us = np.array(timings) * 1e6
    print(
        json.dumps(
            {
                "benchmark": "interview",
                "cases": len(cases),
                "next_question_calls": len(timings),
                "next_question_p50_us": round(float(np.percentile(us, 50)), 1),
                "next_question_p99_us": round(float(np.percentile(us, 99)), 1),
                "questions_median": statistics.median(ours),
                "questions_p90": float(np.percentile(ours, 90)),
                "baseline_questions_median": statistics.median(base),
                "baseline_questions_p90": float(np.percentile(base, 90)),
                "ratio_baseline_to_adaptive": round(
                    statistics.median(base) / statistics.median(ours), 2
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
