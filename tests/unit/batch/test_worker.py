"""ContractWorker.from_engine: the per-file logic around an engine already loaded (the
API's), without building a second ReviewEngine."""

from types import SimpleNamespace

import pytest

from risk_copilot.batch.discovery import sha256_of_file
from risk_copilot.batch.worker import ContractWorker
from tests.unit.batch.fake_workers import fake_review, fake_vectors


class FakeEncoder:
    def __init__(self, backend="torch-fp32"):
        self.cleared = 0
        self.backend = backend

    def clear_cache(self):
        self.cleared += 1

    def encode(self, texts):
        return fake_vectors(texts)


class FakeEngine:
    def __init__(self):
        self.settings = SimpleNamespace(max_file_bytes=1_000_000)
        self.encoder = FakeEncoder()

    def review_document(self, document, contract_type):
        return fake_review(document.name, document.text, contract_type)


def test_from_engine_reuses_the_given_engine_and_loads_nothing(tmp_path, monkeypatch):
    import risk_copilot.engine

    def no_second_engine(*args, **kwargs):
        raise AssertionError("from_engine must not build a ReviewEngine")

    monkeypatch.setattr(risk_copilot.engine, "ReviewEngine", no_second_engine)
    engine = FakeEngine()
    worker = ContractWorker.from_engine(engine, name="api:1")
    assert isinstance(worker, ContractWorker) and worker.engine is engine and worker.name == "api:1"
    contract = tmp_path / "supply.txt"
    contract.write_text("1. Liability is uncapped.\n2. Payment in 30 days.\n")
    outcome = worker.review_file(str(contract), sha256_of_file(contract), "procurement")
    assert outcome.status == "reviewed", outcome.error_message
    assert outcome.worker == "api:1" and outcome.review["risk_score"] == 90 and outcome.vectors.shape == (2, 384)
    assert engine.encoder.cleared == 1  # torch-fp32: each file embeds on its own
    assert ContractWorker.from_engine(engine).name  # a default name (host:pid)
    missing = worker.review_file(str(tmp_path / "gone.txt"), "0" * 64, "procurement")
    assert missing.status == "error" and missing.error_code == "file_not_found"


def test_from_engine_is_what_the_api_uses():
    pytest.importorskip("fastapi")
    import api.scan_service as scan_service

    assert not hasattr(scan_service, "_SharedEngineWorker")
    service = scan_service.ScanService(SimpleNamespace(data_root="/nonexistent"), FakeEngine(), logger=None)
    worker = service._shared_worker()
    assert type(worker) is ContractWorker and worker.engine is service.engine and worker.name.startswith("api:")


@pytest.mark.parametrize("backend, cleared", [("torch-fp32", 2), ("onnx-int8", 0), ("static", 0)])
def test_only_the_batched_fp32_path_clears_the_embedding_cache_between_files(backend, cleared, tmp_path):
    engine = FakeEngine()
    engine.encoder = FakeEncoder(backend)
    worker = ContractWorker.from_engine(engine, name="w")
    for name in ("a.txt", "b.txt"):
        contract = tmp_path / name
        contract.write_text(f"1. {name} Liability is uncapped.\n2. Payment in 30 days.\n")
        assert worker.review_file(str(contract), sha256_of_file(contract), "procurement").status == "reviewed"
    assert engine.encoder.cleared == cleared

