"""The embedding cache: repeated texts are embedded once, the cache is bounded and thread-safe."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from risk_copilot.embedding import DIMENSION, SentenceEncoder


class CountingModel:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts, **_):
        self.seen.extend(texts)
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row, len(text) % DIMENSION] = 1.0
        return out


def encoder_with(model, cache_size=100) -> SentenceEncoder:
    encoder = SentenceEncoder(cache_size=cache_size)
    encoder._model = model  # a stand-in model: no weights load in this unit test
    return encoder


def test_repeated_texts_are_embedded_once_and_in_input_order():
    model = CountingModel()
    encoder = encoder_with(model)
    vectors = encoder.encode(["bb", "a", "bb", "ccc"])
    assert sorted(model.seen) == ["a", "bb", "ccc"]  # duplicates embedded once
    assert model.seen == ["a", "bb", "ccc"]  # sorted by length to limit padding
    assert vectors[0].argmax() == 2 and vectors[1].argmax() == 1 and vectors[2].argmax() == 2
    encoder.encode(["a", "ccc"])
    assert len(model.seen) == 3  # both were cached
    assert encoder.encode([]).shape == (0, DIMENSION)


def test_cache_is_bounded_and_clearable():
    model = CountingModel()
    encoder = encoder_with(model, cache_size=2)
    encoder.encode(["x", "yy", "zzz"])
    encoder.encode(["x"])  # evicted (least recently used)
    assert model.seen.count("x") == 2
    encoder.clear_cache()
    encoder.encode(["zzz"])
    assert model.seen.count("zzz") == 2


def test_concurrent_use_is_safe():
    encoder = encoder_with(CountingModel(), cache_size=50)
    texts = [f"clause {i}" for i in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda k: encoder.encode(texts[k:k + 40]), range(0, 160, 5)))
    assert all(r.shape == (40, DIMENSION) for r in results)
