"""Engine benchmark: our exact noisy-OR inference against pgmpy, assess latency, memory.

Prints one JSON line. Both engines see the same network (the packaged knowledge
base) and the same random evidence sets with 10-15 positive findings, in the
same run, because these machines are noisy. Timing is the median over evidence
sets of the time to compute the posterior of every condition (pgmpy: one
VariableElimination query per condition, the model built beforehand).
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.pgmpy_reference import PgmpyReference
from myotriage import assess, load_knowledge
from myotriage.engine.infer import posterior
from myotriage.eval.vignettes import load_cases

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "vignettes" / "dev"
N_SETS = 8  # pgmpy takes seconds per set: keep the run bounded
OURS_REPEAT = 20
ASSESS_ROUNDS = 30


def _memory_after_load() -> float:
    """Peak resident memory (MB) of a fresh process that only loads the knowledge."""
    # VmHWM, not ru_maxrss: Linux carries a parent's ru_maxrss across fork and exec.
    code = (
        "import myotriage; myotriage.load_knowledge(); "
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024  # kB -> MB


def main() -> None:
    kb = load_knowledge()
    net = kb.network
    rng = np.random.default_rng(2026)
    linked = np.flatnonzero(net.links.sum(axis=0) > 0)
    ours_us: list[float] = []
    pgmpy_us: list[float] = []
    max_diff = 0.0
    k_values = []
    for s in range(N_SETS):
        k = int(rng.integers(10, 16))
        k_values.append(k)
        chosen = rng.choice(linked, size=k + 8, replace=False)
        pos, neg = np.sort(chosen[:k]), np.sort(chosen[k:])
        age = float(rng.integers(18, 90))
        prior = net.prior(age, "female" if s % 2 else "male")
        times = []
        for _ in range(OURS_REPEAT):
            t0 = time.perf_counter()
            ours = posterior(prior, pos, neg, net.links, net.leak).probability
            times.append(time.perf_counter() - t0)
        ours_us.append(statistics.median(times) * 1e6)
        ref = PgmpyReference(net, prior)
        ve, leaf = ref.build(np.concatenate([pos, neg]))
        evidence = {leaf[int(f)]: 1 for f in pos} | {leaf[int(f)]: 0 for f in neg}
        t0 = time.perf_counter()
        theirs = ref.query_all(ve, evidence)
        pgmpy_us.append((time.perf_counter() - t0) * 1e6)
        max_diff = max(max_diff, float(np.max(np.abs(ours - theirs))))
        print(
            f"set {s + 1}/{N_SETS}: k={k} ours {ours_us[-1]:.0f} us, pgmpy {pgmpy_us[-1]:.0f} us",
            file=sys.stderr,
        )

    cases = load_cases(DEV) if DEV.is_dir() else []
    latencies = []
    for _ in range(ASSESS_ROUNDS):
        for case in cases:
            ev = case.evidence()
            t0 = time.perf_counter()
            assess(ev, kb)
            latencies.append((time.perf_counter() - t0) * 1e6)
    lat = np.array(latencies) if latencies else np.array([np.nan])
    ours_med = statistics.median(ours_us)
    pgmpy_med = statistics.median(pgmpy_us)
    print(
        json.dumps(
            {
                "benchmark": "engine",
                "evidence_sets": N_SETS,
                "positive_findings": [min(k_values), max(k_values)],
                "ours_us": round(ours_med, 1),
                "pgmpy_us": round(pgmpy_med, 1),
                "ratio": round(pgmpy_med / ours_med, 1),
                "max_abs_diff": max_diff,
                "assess_cases": len(cases),
                "assess_p50_us": round(float(np.percentile(lat, 50)), 1),
                "assess_p99_us": round(float(np.percentile(lat, 99)), 1),
                "peak_rss_mb_after_load": round(_memory_after_load(), 1),
                "peak_rss_mb_this_process": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
