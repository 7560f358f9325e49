"""Issue 7 item 4: load. Starts the real server (uvicorn with the app factory ``api.app:create_app``:
the composition root, the real review engine) as a subprocess on a free loopback port over a temporary database,
then posts real contracts to ``POST /v1/reviews`` from asyncio clients: each request takes the next
of the acceptance-case contracts and our samples (NDAs and procurement contracts, reviewed as their
type) and adds a numbered reference clause of its own, so no two requests carry the same text and the
embedding cache cannot answer a whole review: 8 clients for 60 s, then 32 clients for 60 s (quick: 2 and 4 clients for 5 s).
Counts errors (any non-201, timeouts, connection errors), reports p50/p95/p99 latency and
throughput per level, and samples the server's RSS (/proc/PID/status VmRSS) every second: RSS at
the end of the first and of the second level and the growth between them (must stay under 10%).
A warm-up at the highest level's concurrency comes first (20 s before the full levels), so that
the working set of that many requests in flight exists before the first level. Measured on
2026-12-04 before the server bounded its malloc arenas (api/malloc_arenas.py): RSS rose to a
plateau of about 405-420 MB the first time 32 requests were in flight and stayed there (level 3
of a 8/32/32 run: 407 MB after 421 MB), +15 to +25% over the 8-client level; with the bound,
409 MB after the first level and 381 MB after the second.
Traffic goes to 127.0.0.1 only and every loop is bounded in time."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CONTRACT_FOLDERS = (REPO.parent / "shared" / "cases", REPO / "corpora" / "samples")
FULL_LEVELS, QUICK_LEVELS = ((8, 60.0), (32, 60.0)), ((2, 5.0), (4, 5.0))
REQUEST_TIMEOUT = 120.0
MAX_RSS_GROWTH = 0.10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_bytes(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class RssSampler:
    """Samples a process's RSS once a second in a daemon thread."""

    def __init__(self, pid: int, interval: float = 1.0) -> None:
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            value = rss_bytes(self.pid)
            if value is not None:
                self.samples.append((time.monotonic(), value))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def latest(self) -> int | None:
        value = rss_bytes(self.pid)
        return value if value is not None else (self.samples[-1][1] if self.samples else None)


def load_contracts(folders: tuple[Path, ...] = CONTRACT_FOLDERS) -> list[tuple[str, str]]:
    """(text, contract type) of every Markdown contract in ``folders``; the type from the name."""
    contracts = []
    for folder in folders:
        for path in sorted(folder.glob("*.md")):
            if path.name.lower() == "readme.md":
                continue
            kind = "nda" if "nda" in path.stem.lower() else "procurement"
            contracts.append((path.read_text(encoding="utf-8"), kind))
    if not contracts:
        raise FileNotFoundError(f"no contracts in {', '.join(map(str, folders))}")
    return contracts


def request_body(contracts: list[tuple[str, str]], clients: int, n: int, i: int) -> dict[str, str]:
    """Request ``i`` of client ``n``: the next contract plus a reference clause no other request has."""
    text, kind = contracts[(n + i) % len(contracts)]
    reference = (f"\n\nReference. This copy is load-test reference {clients}-{n}-{i}; purchase order "
                 f"PO-{clients:02d}{n:03d}{i:06d} applies to it.\n")
    return {"text": text + reference, "contract_type": kind, "name": f"load-{clients}-{n}-{i}.md"}


async def run_level(url: str, token: str, contracts: list[tuple[str, str]], clients: int,
                    seconds: float) -> dict[str, Any]:
    """``clients`` concurrent loops, each posting contracts until ``seconds`` have passed."""
    import httpx

    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT, limits=limits,
                                 headers={"Authorization": f"Bearer {token}"}) as client:

        async def one_client(n: int) -> None:
            i = 0
            while time.monotonic() < deadline:
                i += 1
                started = time.perf_counter()
                try:
                    r = await client.post("/v1/reviews", json=request_body(contracts, clients, n, i))
                    if r.status_code != 201:
                        errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1
                        continue
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    continue
                latencies.append(time.perf_counter() - started)

        wall = time.perf_counter()
        await asyncio.gather(*(one_client(n) for n in range(clients)))
        wall = time.perf_counter() - wall
    ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
    return {"clients": clients, "seconds": round(wall, 1), "requests": len(latencies) + sum(errors.values()),
            "ok": len(latencies), "errors": sum(errors.values()), "error_kinds": errors,
            "p50_ms": ms(percentile(latencies, 50)), "p95_ms": ms(percentile(latencies, 95)),
            "p99_ms": ms(percentile(latencies, 99)), "max_ms": ms(max(latencies) if latencies else None),
            "throughput_rps": round(len(latencies) / wall, 2) if wall else None}


def prepare_database(folder: Path) -> tuple[dict[str, str], str]:
    """Migrate and seed a SQLite database in ``folder``; returns the server's environment and a token."""
    from clm_core.composition import build_clm
    from clm_core.phrase_reviewer import PhraseRiskReviewer
    from clm_core.settings import ClmSettings

    url = f"sqlite:///{folder / 'load.sqlite3'}"
    clm = build_clm(ClmSettings(database_url=url), reviewer=PhraseRiskReviewer())
    clm.migrate()
    clm.seed()
    token = clm.access.create_token(role="legal", organisation="lakeshore", label="load").token
    clm.close()
    env = {**os.environ, "DATABASE_URL": url, "RISK_COPILOT_API_DATA_ROOT": str(folder / "api-data"),
           "RISK_COPILOT_API_LOG_LEVEL": "WARNING", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false", "PYTHONPATH": str(REPO)}
    return env, token


def serve_command(port: int) -> list[str]:
    """uvicorn with the app factory (settings from the environment), as ``risk-copilot serve`` runs it."""
    return [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app", "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "warning", "--no-access-log", "--no-server-header"]


def wait_ready(url: str, server: subprocess.Popen, timeout: float = 240.0) -> bool:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


def warm_up_seconds(levels: tuple[tuple[int, float], ...]) -> float:
    """A third of the longest level, at least 3 s (20 s before the full 60 s levels)."""
    return max(3.0, max(seconds for _, seconds in levels) / 3)


def run_load(levels: tuple[tuple[int, float], ...],
             folders: tuple[Path, ...] = CONTRACT_FOLDERS) -> dict[str, Any]:
    contracts = load_contracts(folders)
    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        env, token = prepare_database(Path(tmp))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = open(Path(tmp) / "server.log", "wb")
        server = subprocess.Popen(serve_command(port), env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        try:
            if not wait_ready(url, server):
                log.flush()
                tail = (Path(tmp) / "server.log").read_bytes()[-1500:].decode("utf-8", "replace")
                return {"ok": False, "error": "the server did not become ready", "server_log": tail}
            # warm-up at the highest level's concurrency: caches, connections and the working set of that
            # many requests in flight (threads, malloc arenas, buffers) exist before the first level, so the
            # growth between the levels is what a leak would add, not the cost of more concurrency
            warm_up_clients = max(clients for clients, _ in levels)
            asyncio.run(run_level(url, token, contracts, warm_up_clients, warm_up_seconds(levels)))
            results, rss_at = [], []
            with RssSampler(server.pid) as sampler:
                rss_start = sampler.latest()
                for clients, seconds in levels:
                    results.append(asyncio.run(run_level(url, token, contracts, clients, seconds)))
                    rss_at.append(sampler.latest())
            alive = server.poll() is None
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
            log.close()
    first, last = rss_at[0], rss_at[-1]
    growth = (last - first) / first if first and last else None
    errors = sum(r["errors"] for r in results)
    figures: dict[str, Any] = {
        "ok": errors == 0 and alive and growth is not None and growth < MAX_RSS_GROWTH,
        "errors": errors, "requests": sum(r["requests"] for r in results), "server_alive": alive,
        "rss_start_mb": round(rss_start / 2**20, 1) if rss_start else None,
        "rss_first_level_mb": round(first / 2**20, 1) if first else None,
        "rss_second_level_mb": round(last / 2**20, 1) if last else None,
        "rss_growth_pct": round(growth * 100, 2) if growth is not None else None,
        "rss_samples": len(sampler.samples), "distinct_contracts": len(contracts)}
    for r in results:
        prefix = f"c{r['clients']}"
        for key in ("requests", "errors", "p50_ms", "p95_ms", "p99_ms", "max_ms", "throughput_rps", "seconds"):
            figures[f"{prefix}_{key}"] = r[key]
        if r["error_kinds"]:
            figures[f"{prefix}_error_kinds"] = r["error_kinds"]
    return figures


def run(quick: bool) -> dict[str, Any]:
    """Figures for ``make hardening`` (never raises for a failed check)."""
    try:
        return run_load(QUICK_LEVELS if quick else FULL_LEVELS)
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


if __name__ == "__main__":  # python -m hardening.load [--full]
    import json

    print(json.dumps(run(quick="--full" not in sys.argv), indent=2))
