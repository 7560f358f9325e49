"""API latency of ``POST /v1/reviews`` (``python -m api.bench_latency``): starts the server on a
free loopback port with a throw-away database, then POSTs a contract at concurrency 1 and 8 and
prints p50/p95 and errors. Bounded: each level stops after ``--requests`` or ``--seconds``."""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_level(url: str, token: str, text: str, concurrency: int, requests: int, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors: list[str] = []

    def one(_: int) -> None:
        if time.monotonic() > deadline:
            return
        started = time.perf_counter()
        try:
            r = httpx.post(f"{url}/v1/reviews", json={"text": text, "contract_type": "procurement",
                                                      "name": "base-procurement.md"},
                           headers={"Authorization": f"Bearer {token}"}, timeout=120)
            if r.status_code != 201:
                errors.append(f"{r.status_code}")
                return
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
            return
        latencies.append(time.perf_counter() - started)

    wall = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(requests)))
    wall = time.perf_counter() - wall
    return {"concurrency": concurrency, "requests": len(latencies) + len(errors), "errors": len(errors),
            "p50_ms": round(_pct(latencies, 50) * 1000, 1) if latencies else None,
            "p95_ms": round(_pct(latencies, 95) * 1000, 1) if latencies else None,
            "mean_ms": round(statistics.mean(latencies) * 1000, 1) if latencies else None,
            "throughput_rps": round(len(latencies) / wall, 2) if wall else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contract", default=str(REPO.parent / "shared" / "cases" / "base-procurement.md"))
    parser.add_argument("--requests", type=int, default=40, help="per concurrency level")
    parser.add_argument("--seconds", type=float, default=90, help="time bound per level")
    args = parser.parse_args(argv)
    text = Path(args.contract).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "HF_HUB_OFFLINE": "1",
               "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
        cli = [sys.executable, "-m", "risk_copilot.cli"]
        subprocess.run([sys.executable, "-m", "clm_core", "db", "upgrade"], env=env, check=True, cwd=REPO,
                       stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "clm_core", "seed"], env=env, check=True, cwd=REPO,
                       stdout=subprocess.DEVNULL)
        token = subprocess.run(cli + ["token", "create", "--role", "legal", "--org", "lakeshore"], env=env,
                               check=True, cwd=REPO, capture_output=True, text=True).stdout.strip()
        port = _port()
        server = subprocess.Popen(cli + ["serve", "--port", str(port)], env=env, cwd=REPO)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            else:
                print("server did not become ready", file=sys.stderr)
                return 1
            run_level(url, token, text, 1, 3, 60)  # warm caches
            for level in (1, 8):
                print(run_level(url, token, text, level, args.requests, args.seconds), flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
