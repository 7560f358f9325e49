"""Cold start: a review on the default (ONNX) path never imports torch.

torch costs seconds to import; spaCy's ML layer (thinc) imports it whenever it is
installed unless ``risk_copilot.sentences`` hides it while spaCy loads."""

import json
import subprocess
import sys

from tests.shared_data import CASES

CHILD = """
import json, sys
from risk_copilot.engine import ReviewEngine
review = ReviewEngine().review_path(sys.argv[1], "nda")
print(json.dumps({"torch": "torch" in sys.modules, "spacy": "spacy" in sys.modules,
                  "clauses": len(review["clauses"])}))
"""


def test_default_review_path_does_not_import_torch():
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(CASES / "base-nda.md")],
        capture_output=True, text=True, timeout=300,
        env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PATH": "/usr/bin:/bin",
             "RISK_COPILOT_EMBEDDING_BACKEND": "onnx-int8"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["spacy"] is True and seen["clauses"] > 20
    assert seen["torch"] is False


def test_torch_still_imports_after_the_sentence_pipeline():
    from risk_copilot.sentences import sentence_pipeline

    assert sentence_pipeline() is not None
    import torch

    assert torch.tensor([1, 2]).sum().item() == 3
