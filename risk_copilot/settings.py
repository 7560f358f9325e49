"""Reviewer settings (environment prefix ``RISK_COPILOT_``), built once by the caller."""

from __future__ import annotations

from pathlib import Path

from typing import Literal

from pydantic import DirectoryPath, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class ReviewerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RISK_COPILOT_", extra="ignore")

    playbook_dir: DirectoryPath = Field(REPO_ROOT / "corpora" / "playbooks")
    index_dir: Path = Field(REPO_ROOT / "var" / "index")
    model_path: DirectoryPath | None = Field(
        None, description="sentence-transformers model folder; default: the packaged MiniLM")
    embedding_backend: Literal["static", "onnx-int8", "torch-fp32"] = Field(
        "onnx-int8", description="onnx-int8: MiniLM quantised, the default; static: MiniLM distilled into a "
                                 "word-piece table (models/static-minilm), fastest, approximate; torch-fp32: plain "
                                 "sentence-transformers"
    )
    onnx_dir: Path = Field(REPO_ROOT / "models" / "cache" / "minilm-onnx-int8")
    static_dir: Path = Field(REPO_ROOT / "models" / "static-minilm")
    category_heads_dir: Path = Field(REPO_ROOT / "models" / "cuad-heads",
                                     description="trained CUAD clause-category heads (manifest.json, heads.npz)")
    max_file_bytes: int = Field(25_000_000, gt=0)
    embed_batch_size: int = Field(16, gt=0)
    embed_cache_size: int = Field(50_000, ge=0)
    torch_threads: int = Field(0, ge=0, description="0: leave torch's default")


#: settings class name -> its environment prefix (other settings classes register themselves)
ENV_PREFIXES: dict[str, str] = {}


def register_env_prefix(settings_class: type[BaseSettings]) -> type[BaseSettings]:
    ENV_PREFIXES[settings_class.__name__] = settings_class.model_config.get("env_prefix", "")
    return settings_class


register_env_prefix(ReviewerSettings)


def settings_error_message(error: ValidationError) -> str:
    """One line naming each bad setting by its environment variable, e.g.
    ``RISK_COPILOT_EMBEDDING_BACKEND='bogus': Input should be 'static', 'onnx-int8' or 'torch-fp32'``."""
    prefix = ENV_PREFIXES.get(error.title, "")
    parts = []
    for item in error.errors():
        name = (prefix + "_".join(str(p) for p in item["loc"])).upper() if prefix else ".".join(map(str, item["loc"]))
        parts.append(f"{name}={item.get('input')!r}: {item['msg']}")
    return "; ".join(parts)
