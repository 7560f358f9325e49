"""The batch throughput bench reviews its files (it once symlinked them out of the scanned
folder, which the scan rightly refuses, and 'measured' 60 refusals)."""

from risk_copilot.batch.bench import bench_once
from tests.shared_data import CASES


def test_bench_once_reviews_every_file():
    result = bench_once([CASES / "base-nda.md", CASES / "nda-nonsolicit.md"], workers=1, contract_type="nda",
                        engine="local")
    assert result["reviewed"] == 2 and result["errors"] == 0
    assert result["contracts_per_minute"] > 0 and result["cpu_seconds_per_contract"] > 0
