"""Issue 7 item 4, quick: the real server (uvicorn, app factory) under 2 then 4 concurrent clients
posting a real contract for a few seconds: no errors, latency percentiles and RSS reported. The
full run (8 and 32 clients, 60 s each) is ``python -m hardening.load --full`` (``make hardening``)."""

from __future__ import annotations

from hardening.load import percentile, run_load


def test_percentiles_pick_the_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (51.0, 95.0, 99.0)
    assert percentile([], 50) is None


def test_short_load_on_the_real_server_has_no_errors():
    figures = run_load(((2, 3.0), (4, 3.0)))
    assert figures.get("error") is None, figures
    assert figures["errors"] == 0 and figures["server_alive"], figures
    assert figures["c2_requests"] > 0 and figures["c4_requests"] > 0, figures
    assert 0 < figures["c4_p50_ms"] <= figures["c4_p95_ms"] <= figures["c4_p99_ms"], figures
    assert figures["rss_first_level_mb"] > 100 and figures["rss_growth_pct"] is not None, figures
