"""`risk-copilot bench --json` reports what issue 6 asks for, per file and for the run."""

import json

from risk_copilot.cli import main
from tests.shared_data import CASES


def test_bench_json_has_warm_naive_stage_cold_and_memory_figures(capsys):
    code = main(["bench", str(CASES / "base-nda.md"), "--type", "nda", "--repeat", "1", "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    (entry,) = report["files"]
    assert entry["words"] > 800 and entry["clauses"] > 20
    assert entry["warm_ms"] > 0 and entry["naive_embed_ms"] > 0
    assert {"ingest", "segment", "embed", "classify", "rules", "total"} <= set(entry["stages_ms"])
    assert entry["cold_start_s"] > 0 and entry["peak_rss_mb"] > 50
    assert report["cold_start_s"] == entry["cold_start_s"]
    assert report["cold_start_file"] == entry["path"]
    assert report["peak_rss_mb"] == entry["peak_rss_mb"]
