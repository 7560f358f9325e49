"""Issue 7 item 4, quick: the real server (uvicorn, app factory) under 2 then 4 concurrent clients
posting real contracts for a few seconds: no errors, latency percentiles and RSS reported. The
full run (8 and 32 clients, 60 s each) is ``python -m hardening.load --full`` (``make hardening``)."""

from __future__ import annotations

from hardening.load import load_contracts, percentile, request_body, run_load


def test_percentiles_pick_the_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (51.0, 95.0, 99.0)
    assert percentile([], 50) is None


def test_every_request_carries_text_no_other_request_has():
    contracts = load_contracts()
    kinds = {kind for _, kind in contracts}
    assert kinds == {"nda", "procurement"} and len(contracts) >= 10
    bodies = [request_body(contracts, clients, n, i) for clients in (8, 32) for n in range(clients) for i in range(1, 40)]
    assert len({b["text"] for b in bodies}) == len(bodies)
    assert len({b["text"].rsplit("Reference.", 1)[0] for b in bodies}) == len(contracts)
    for body in bodies[:50]:
        original = next(text for text, _ in contracts if body["text"].startswith(text))
        assert body["contract_type"] == dict(contracts)[original]


def test_short_load_on_the_real_server_has_no_errors():
    figures = run_load(((2, 3.0), (4, 3.0)))
    assert figures.get("error") is None, figures
    assert figures["errors"] == 0 and figures["server_alive"], figures
    assert figures["c2_requests"] > 0 and figures["c4_requests"] > 0, figures
    assert 0 < figures["c4_p50_ms"] <= figures["c4_p95_ms"] <= figures["c4_p99_ms"], figures
    assert figures["rss_first_level_mb"] > 100 and figures["rss_growth_pct"] is not None, figures


def test_the_event_loop_never_waits_on_the_database_during_a_review(tmp_path, review_engine):
    """Storing a review used to run on the event loop: a slow database stalled every other request."""
    import asyncio
    import time

    import httpx

    from hardening.service_under_test import build_service

    service = build_service(tmp_path / "svc", review_engine)
    desk = service.clm.review_desk
    original = desk.record_standalone

    def slow_record(*args, **kwargs):
        time.sleep(1.0)  # a database that takes a second to commit
        return original(*args, **kwargs)

    desk.record_standalone = slow_record

    async def scenario() -> tuple[float, float, int]:
        transport = httpx.ASGITransport(app=service.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            async def review() -> tuple[float, int]:
                started = time.perf_counter()
                r = await client.post("/v1/reviews", headers=service.headers(),
                                      json={"text": "1. Term. Two years.", "contract_type": "nda"})
                return time.perf_counter() - started, r.status_code

            async def health() -> float:
                due = time.perf_counter() + 0.6  # the review is storing by then
                await asyncio.sleep(0.6)  # (a blocked event loop wakes this late, too)
                assert (await client.get("/healthz")).status_code == 200
                return time.perf_counter() - due

            (review_seconds, status), health_seconds = await asyncio.gather(review(), health())
            return review_seconds, health_seconds, status

    review_engine.warm_up()
    review_seconds, health_seconds, status = asyncio.run(scenario())
    service.clm.close()
    assert status == 201 and review_seconds >= 1.0
    assert health_seconds < 0.4, f"/healthz waited {health_seconds:.2f} s behind the review's database write"
