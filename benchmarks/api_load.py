"""API load benchmark on loopback: POST /v1/assess against GET /healthz, same run.

Starts `myotriage serve` with 2 workers on a free local port, drives it at 50
concurrent connections, bounded in time (and count for the Python client),
then stops it. Uses wrk (Debian package; `make bench` installs it) when
present, else a slower asyncio client.

These machines are shared and their speed drifts from one minute to the next,
so the two endpoints are not measured once each, one after the other: after a
warm-up, they alternate for ``ROUNDS`` rounds, and each round's ratio compares
two runs made seconds apart. Prints one JSON line with, per endpoint, the
throughput over all rounds, the median round's p50 and p99 and the worst
round's p99; the median of the per-round ratios of assess to trivial
throughput (the figure the target is about) and every round's figures; one
run cycling through every development vignette (a realistic mix, and no
single body to cache); and, measured in this process without a network, where
an assess request's time goes (app, engine, JSON). The load generator shares
the machine's two cores with the server, so the figures are a lower bound; the
server's own CPU time per request (from /proc, summed over its workers) does not
depend on that share, and its ratio says what the throughput ratio would be on
cores of the server's own.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "vignettes" / "dev"
CONCURRENCY = 50
SECONDS = 4.0  # per endpoint and round
ROUNDS = 3
WARM_UP_SECONDS = 1.0
MAX_REQUESTS = 20000
BODY = {
    "age": 34,
    "sex": "female",
    "evidence": [
        {"id": "twitch_site_leg", "state": "present"},
        {"id": "stress_high", "state": "present"},
        {"id": "weakness", "state": "absent"},
        {"id": "caffeine_mg_per_day", "value": 500},
    ],
}


def server_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) used so far by ``pid`` and its child processes (the
    uvicorn workers), from /proc; None where there is no /proc."""
    proc = Path("/proc")
    if not (proc / str(pid)).is_dir():
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # itself, or its parent is
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def drive(
    url: str, method: str, body: dict[str, object] | None, seconds: float = SECONDS
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=10.0) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline and len(latencies) < MAX_REQUESTS:
                t0 = time.perf_counter()
                r = await client.request(method, url, json=body)
                latencies.append(time.perf_counter() - t0)
                errors += r.status_code != 200

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - start
    ms = np.array(latencies) * 1000
    return {
        "requests": len(latencies),
        "errors": errors,
        "per_second": round(len(latencies) / elapsed, 1),
        "seconds": elapsed,
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
    }


def vignette_bodies() -> list[dict[str, object]]:
    """Every development vignette as an assess request body (none if the set is absent)."""
    from myotriage.eval.vignettes import load_cases

    if not DEV.is_dir():
        return []
    bodies: list[dict[str, object]] = []
    for case in load_cases(DEV):
        ev: list[dict[str, object]] = [{"id": f, "state": "present"} for f in case.present]
        ev += [{"id": f, "state": "absent"} for f in case.absent]
        ev += [{"id": f, "value": v} for f, v in case.values.items()]
        bodies.append({"age": case.age, "sex": case.sex.value, "evidence": ev})
    return bodies


WRK_ROTATE_LUA = """
bodies = { %s }
i = 0
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[i])
end
"""

WRK_LUA = """
wrk.method = "POST"
wrk.body = [[%s]]
wrk.headers["Content-Type"] = "application/json"
"""


def _wrk_ms(value: str) -> float:
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    for unit in ("us", "ms", "s"):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * units[unit]
    return float(value)


def drive_wrk(
    url: str, body: dict[str, object] | list[dict[str, object]] | None, seconds: float = SECONDS
) -> dict[str, float]:
    """wrk against ``url``: GET without a body, else POST ``body`` (a list: each in turn)."""
    args = ["wrk", "-t2", f"-c{CONCURRENCY}", f"-d{max(1, int(seconds))}s", "--latency"]
    with tempfile.TemporaryDirectory() as tmp:
        if body is not None:
            lua = os.path.join(tmp, "post.lua")
            with open(lua, "w", encoding="utf-8") as fh:
                if isinstance(body, list):
                    fh.write(WRK_ROTATE_LUA % ", ".join(f"[==[{json.dumps(b)}]==]" for b in body))
                else:
                    fh.write(WRK_LUA % json.dumps(body))
            args += ["-s", lua]
        out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _wrk_ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _wrk_ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    return {
        "requests": total,
        "errors": int(non2xx.group(1)) if non2xx else 0,
        "per_second": rps,
        "seconds": total / rps if rps else 0.0,
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
    }


def main() -> None:
    port = free_port()
    env = dict(os.environ)
    server = subprocess.Popen(
        [sys.executable, "-m", "myotriage", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # up to 30 s to start (two workers load the knowledge)
            try:
                if httpx.get(f"{base}/readyz", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit("server did not become ready")
        client = "wrk" if shutil.which("wrk") else "python-httpx"

        def run(path: str, body: dict[str, object] | None, seconds: float) -> dict[str, float]:
            # The server's own CPU time per request as well: unlike throughput, it does
            # not depend on how much of the two cores the load generator takes.
            cpu0 = server_cpu_seconds(server.pid)
            if client == "wrk":
                out = drive_wrk(f"{base}{path}", body, seconds)
            else:
                method = "GET" if body is None else "POST"
                out = asyncio.run(drive(f"{base}{path}", method, body, seconds))
            cpu1 = server_cpu_seconds(server.pid)
            if cpu0 is not None and cpu1 is not None and out["requests"]:
                out["server_cpu_us"] = round((cpu1 - cpu0) / out["requests"] * 1e6, 1)
            return out

        run("/healthz", None, WARM_UP_SECONDS)
        run("/v1/assess", BODY, WARM_UP_SECONDS)
        rounds = []
        for _ in range(ROUNDS):
            trivial = run("/healthz", None, SECONDS)
            assess = run("/v1/assess", BODY, SECONDS)
            rounds.append({"healthz": trivial, "assess": assess})
        # Every development vignette in turn: a mix of simple and hard cases,
        # and proof that nothing is answered from a cache of one body.
        bodies = vignette_bodies()
        mixed = (
            drive_wrk(f"{base}/v1/assess", bodies, SECONDS) if bodies and client == "wrk" else None
        )
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)
    ratios = [r["assess"]["per_second"] / r["healthz"]["per_second"] for r in rounds]
    cpu = {
        name: round(float(np.median([r[name]["server_cpu_us"] for r in rounds])), 1)
        for name in ("assess", "healthz")
        if all("server_cpu_us" in r[name] for r in rounds)
    }
    print(
        json.dumps(
            {
                "benchmark": "api_load",
                "client": client,
                "workers": 2,
                "concurrency": CONCURRENCY,
                "rounds": ROUNDS,
                "assess": summary([r["assess"] for r in rounds]),
                "healthz": summary([r["healthz"] for r in rounds]),
                "ratio_assess_to_trivial": round(float(np.median(ratios)), 3),
                "ratio_by_round": [round(x, 3) for x in ratios],
                # Server CPU time per request (median round), and trivial / assess.
                "server_cpu_us_per_request": cpu or None,
                "server_cpu_ratio": round(cpu["healthz"] / cpu["assess"], 3) if cpu else None,
                "assess_vignette_mix": mixed
                and {k: mixed[k] for k in ("requests", "errors", "per_second", "p50_ms", "p99_ms")},
                "in_process_us": in_process(),
                "by_round": [
                    {
                        k: {"per_second": v["per_second"], "p99_ms": v["p99_ms"]}
                        for k, v in r.items()
                    }
                    for r in rounds
                ],
            }
        )
    )


def in_process() -> dict[str, float]:
    """Where an assess request's time goes, in this process (no network, no load):
    the app for /healthz and for /v1/assess through ASGI, and within the latter
    the engine call and the JSON writing. Best of several runs."""
    from myotriage.api.app import create_app
    from myotriage.api.wire import AssessRequest
    from myotriage.engine.assess import assess

    app = create_app()
    raw = json.dumps(BODY).encode()

    async def call(method: str, path: str, data: bytes) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"bench"), (b"content-type", b"application/json")],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        sent = False

        async def receive() -> dict[str, object]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": data, "more_body": False}

        async def send(message: dict[str, object]) -> None:
            return None

        await app(scope, receive, send)  # type: ignore[arg-type]

    async def per_call(method: str, path: str, data: bytes, n: int = 1000) -> float:
        for _ in range(100):
            await call(method, path, data)
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(n):
                await call(method, path, data)
            best = min(best, (time.perf_counter() - t0) / n)
        return best * 1e6

    async def measure() -> dict[str, float]:
        async with app.router.lifespan_context(app):
            healthz = await per_call("GET", "/healthz", b"")
            route = await per_call("POST", "/v1/assess", raw)
            kb = app.state.kb
        evidence = AssessRequest.model_validate_json(raw).to_evidence()
        result = assess(evidence, kb)
        engine = min(timeit.repeat(lambda: assess(evidence, kb), number=1000, repeat=5)) * 1e3
        dump = min(timeit.repeat(result.model_dump_json, number=1000, repeat=5)) * 1e3
        return {
            "healthz_app": round(healthz, 1),
            "assess_app": round(route, 1),
            "assess_engine": round(engine, 1),
            "assess_json": round(dump, 1),
            "assess_response_bytes": len(result.model_dump_json()),
        }

    return asyncio.run(measure())


def summary(runs: list[dict[str, float]]) -> dict[str, float]:
    """One endpoint over all rounds: throughput overall, the median round's p50 and
    p99, and the worst round's p99 (shared machines stall now and then)."""
    requests = sum(r["requests"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    return {
        "requests": requests,
        "errors": sum(r["errors"] for r in runs),
        "per_second": round(requests / seconds, 1),
        "p50_ms": round(float(np.median([r["p50_ms"] for r in runs])), 2),
        "p99_ms": round(float(np.median([r["p99_ms"] for r in runs])), 2),
        "p99_ms_worst_round": round(max(r["p99_ms"] for r in runs), 2),
    }


if __name__ == "__main__":
    main()
