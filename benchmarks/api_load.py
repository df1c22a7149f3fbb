"""API load benchmark on loopback: POST /v1/assess against GET /healthz, same run.

Starts `myotriage serve` with 2 workers on a free local port, drives it at 50
concurrent connections, bounded in time (and count for the Python client),
then stops it. Uses wrk (Debian package; `make bench` installs it) when
present, else a slower asyncio client. Prints one JSON line with throughput
and p50/p99 latency for each endpoint and the ratio of assess to trivial
throughput. The load generator shares the machine's two cores with the server,
so the figures are a lower bound.
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

import httpx
import numpy as np

CONCURRENCY = 50
SECONDS = 8.0
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def drive(url: str, method: str, body: dict[str, object] | None) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + SECONDS
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
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
    }


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


def drive_wrk(url: str, body: dict[str, object] | None) -> dict[str, float]:
    args = ["wrk", "-t2", f"-c{CONCURRENCY}", f"-d{int(SECONDS)}s", "--latency"]
    with tempfile.TemporaryDirectory() as tmp:
        if body is not None:
            lua = os.path.join(tmp, "post.lua")
            with open(lua, "w", encoding="utf-8") as fh:
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
        if shutil.which("wrk"):
            client = "wrk"
            trivial = drive_wrk(f"{base}/healthz", None)
            assess = drive_wrk(f"{base}/v1/assess", BODY)
        else:
            client = "python-httpx"
            trivial = asyncio.run(drive(f"{base}/healthz", "GET", None))
            assess = asyncio.run(drive(f"{base}/v1/assess", "POST", BODY))
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)
    print(
        json.dumps(
            {
                "benchmark": "api_load",
                "client": client,
                "workers": 2,
                "concurrency": CONCURRENCY,
                "assess": assess,
                "healthz": trivial,
                "ratio_assess_to_trivial": round(assess["per_second"] / trivial["per_second"], 3),
            }
        )
    )


if __name__ == "__main__":
    main()
