"""Clause embeddings cached on disk, keyed by the text's hash and the encoder version.

Training and evaluation embed tens of thousands of CUAD clauses; the cache keeps them in
``var/embedding-cache/<encoder version hash>/`` as numbered ``.npz`` shards (keys:
16-byte blake2b digests of the UTF-8 text; vectors: float32), written every
``chunk`` texts so an interrupted run resumes where it stopped. It is a cache: deleting
it only costs time.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import numpy as np

from risk_copilot.settings import REPO_ROOT

DEFAULT_CACHE_ROOT = REPO_ROOT / "var" / "embedding-cache"


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class DiskEmbeddingCache:
    def __init__(self, encoder, root: Path = DEFAULT_CACHE_ROOT, *, chunk: int = 2000) -> None:
        self.encoder = encoder
        self.folder = Path(root) / hashlib.sha256(encoder.version.encode()).hexdigest()[:16]
        self.chunk = chunk
        self._vectors: dict[bytes, np.ndarray] = {}
        for shard in sorted(self.folder.glob("shard-*.npz")):
            with np.load(shard) as data:
                for key, vector in zip(data["keys"], data["vectors"]):
                    self._vectors[bytes(key)] = vector

    def __len__(self) -> int:
        return len(self._vectors)

    def _save_shard(self, keys: list[bytes], vectors: np.ndarray) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "encoder.txt").write_text(self.encoder.version + "\n")
        number = len(list(self.folder.glob("shard-*.npz")))
        target = self.folder / f"shard-{number:05d}.npz"
        partial = target.with_suffix(".partial.npz")
        np.savez(partial, keys=np.array([np.frombuffer(k, dtype=np.uint8) for k in keys]), vectors=vectors)
        partial.rename(target)

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts):
            if key not in self._vectors and key not in missing:
                missing[key] = text
        todo = list(missing.items())
        started = time.perf_counter()
        for begin in range(0, len(todo), self.chunk):
            part = todo[begin:begin + self.chunk]
            vectors = self.encoder.encode([t for _, t in part])
            self._save_shard([k for k, _ in part], vectors)
            for (key, _), vector in zip(part, vectors):
                self._vectors[key] = vector
            if progress:
                done = begin + len(part)
                print(f"  embedded {done}/{len(todo)} new clauses ({time.perf_counter() - started:.0f} s)",
                      file=sys.stderr, flush=True)
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys]).astype(np.float32, copy=False)
