"""Cold start: a review on the fast paths (static, the default, and ONNX) never imports
torch, and the static path does not load ONNX Runtime either.

torch costs seconds to import; spaCy's ML layer (thinc) imports it whenever it is
installed unless ``risk_copilot.sentences`` hides it while spaCy loads."""

import json
import subprocess
import sys

import pytest

from tests.shared_data import CASES

CHILD = """
import json, sys
from risk_copilot.engine import ReviewEngine
review = ReviewEngine().review_path(sys.argv[1], "nda")
print(json.dumps({"torch": "torch" in sys.modules, "spacy": "spacy" in sys.modules,
                  "onnxruntime": "onnxruntime" in sys.modules,
                  "clauses": len(review["clauses"])}))
"""


@pytest.mark.parametrize("backend", ["static", "onnx-int8"])
def test_fast_review_paths_do_not_import_torch(backend):
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(CASES / "base-nda.md")],
        capture_output=True, text=True, timeout=300,
        env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PATH": "/usr/bin:/bin",
             "RISK_COPILOT_EMBEDDING_BACKEND": backend},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["spacy"] is True and seen["clauses"] > 20
    assert seen["torch"] is False
    assert seen["onnxruntime"] is (backend == "onnx-int8")


def test_torch_still_imports_after_the_sentence_pipeline():
    from risk_copilot.sentences import sentence_pipeline

    assert sentence_pipeline() is not None
    import torch

    assert torch.tensor([1, 2]).sum().item() == 3
