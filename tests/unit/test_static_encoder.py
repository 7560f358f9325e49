"""The static encoder: a clause's vector is the normalised sum of its word pieces' rows,
read from an artefact that is checked against its manifest."""

from __future__ import annotations

import json

import numpy as np
import pytest

from risk_copilot.embedding import SentenceEncoder, backend_of_version, packaged_model_path
from risk_copilot.static_encoder import (
    StaticSentenceModel, artefact_version, quantize_rows, save_static_model,
)


@pytest.fixture(scope="module")
def tokenizer_file():
    return packaged_model_path() / "tokenizer.json"


@pytest.fixture()
def small_model(tmp_path, tokenizer_file):
    table = np.random.default_rng(7).normal(size=(30522, 16)).astype(np.float32)
    save_static_model(tmp_path / "static", table, tokenizer_file, {"version": "static-minilm@test"})
    return tmp_path / "static", table


def test_quantized_rows_keep_each_row_within_half_a_step():
    table = np.random.default_rng(1).normal(size=(50, 384)).astype(np.float32)
    table[3] = 0.0
    rows, scales = quantize_rows(table)
    assert rows.dtype == np.int8 and scales.shape == (50,)
    restored = rows.astype(np.float32) * scales[:, None]
    assert np.all(np.abs(restored - table) <= scales[:, None] / 2 + 1e-7)
    assert not restored[3].any()


def test_vector_is_the_normalised_sum_of_the_word_piece_rows(small_model):
    folder, table = small_model
    model = StaticSentenceModel(folder)
    texts = ["The Supplier shall indemnify the Customer.", "Governing law: England and Wales.", "x"]
    vectors = model.encode(texts)
    rows, scales = quantize_rows(table)
    restored = rows.astype(np.float32) * scales[:, None]
    for text, vector in zip(texts, vectors):
        ids = model.token_ids([text])[0]
        assert ids[0] == 101 and ids[-1] == 102  # [CLS] ... [SEP], as MiniLM reads it
        expected = restored[ids].sum(axis=0)
        np.testing.assert_allclose(vector, expected / np.linalg.norm(expected), atol=1e-5)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # a text's vector does not depend on its neighbours, and long texts are cut as MiniLM cuts them
    np.testing.assert_allclose(model.encode(texts[1:2])[0], vectors[1], atol=1e-6)
    assert len(model.token_ids(["word " * 1000])[0]) == 256
    assert model.encode([]).shape == (0, 16)


def test_artefact_is_checked_against_its_manifest(small_model):
    folder, _ = small_model
    assert artefact_version(folder) == "static-minilm@test"
    table = folder / "table.npz"
    table.write_bytes(table.read_bytes()[:-8] + b"\0" * 8)
    with pytest.raises(RuntimeError, match="sha256"):
        StaticSentenceModel(folder)
    with pytest.raises(RuntimeError, match="make train"):
        artefact_version(folder / "missing")


def test_encoder_reports_the_static_backend(small_model):
    folder, _ = small_model
    encoder = SentenceEncoder(backend="static", static_dir=folder)
    assert encoder.version.endswith("+static-minilm@test")
    assert backend_of_version(encoder.version) == "static"
    assert backend_of_version("sentence-transformers/all-MiniLM-L6-v2+onnx-int8") == "onnx-int8"
    assert backend_of_version("sentence-transformers/all-MiniLM-L6-v2") == "torch-fp32"
    with pytest.raises(ValueError, match="static_dir"):
        SentenceEncoder(backend="static")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["kind"] == "static_sentence_encoder" and manifest["vocabulary"] == 30522


def test_mlp_head_matches_torch(tmp_path, tokenizer_file):
    """The numpy head computes what the trained torch module computes: n + MLP(n), normalised."""
    torch = pytest.importorskip("torch")
    generator = torch.Generator().manual_seed(3)
    table = torch.randn(30522, 16, generator=generator).numpy()
    mlp = torch.nn.Sequential(torch.nn.LayerNorm(16), torch.nn.Linear(16, 32), torch.nn.GELU(approximate="tanh"),
                              torch.nn.Linear(32, 16))
    with torch.no_grad():
        for parameter in mlp.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.5)
    head = {"norm_weight": mlp[0].weight, "norm_bias": mlp[0].bias, "w1": mlp[1].weight.T, "b1": mlp[1].bias,
            "w2": mlp[3].weight.T, "b2": mlp[3].bias}
    head = {k: v.detach().numpy() for k, v in head.items()}
    save_static_model(tmp_path / "head", table, tokenizer_file, {"version": "static-minilm@head"}, head=head)
    model = StaticSentenceModel(tmp_path / "head")
    texts = ["The Supplier's aggregate liability shall not exceed the fees paid.", "Notices must be in writing."]
    rows, scales = quantize_rows(table)
    restored = torch.from_numpy(rows.astype(np.float32) * scales[:, None])
    with torch.no_grad():
        sums = torch.stack([restored[ids].sum(dim=0) for ids in model.token_ids(texts)])
        unit = torch.nn.functional.normalize(sums, dim=1)
        expected = torch.nn.functional.normalize(unit + mlp(unit), dim=1).numpy()
    np.testing.assert_allclose(model.encode(texts), expected, atol=1e-5)
    assert json.loads((tmp_path / "head" / "manifest.json").read_text())["head"] == "mlp"
