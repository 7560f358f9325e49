# Contract Risk Copilot. `make run` and `make test` install what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test test-all test-postgres test-slow test-browser eval eval-ci eval-tests train bench index clean fuzz hardening hardening-quick

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned: an unpinned torch pulls a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,api,distributed]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/risk-copilot index
	$(BIN)/risk-copilot review corpora/samples/supply-agreement-sample.md --type procurement --format table
	$(BIN)/risk-copilot setup --samples corpora/samples
	RISK_COPILOT_PASSWORD='reviewer-demo-1' $(BIN)/risk-copilot user create --username maya --org lakeshore --roles contract_manager,legal,finance
	@echo "API token (role legal, organisation lakeshore), shown once:"
	@$(BIN)/risk-copilot token create --role legal --org lakeshore
	@echo "Reviewer page: http://127.0.0.1:$(PORT)/ui   login: maya / reviewer-demo-1"
	$(BIN)/risk-copilot serve --host 127.0.0.1 --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-postgres: $(STAMP)
	$(BIN)/python -m pytest -q -m postgres

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow tests/integration/batch/test_ray_engine.py

test-browser: $(STAMP)
	$(BIN)/python -m pytest -q -m browser tests/browser

test-all: $(STAMP)
	$(BIN)/python -m pytest -q -m ''

# The three evaluations in full (CUAD and ContractNLI on their validation splits with each embedding backend).
CUAD := ../shared/corpora/cuad
NLI := --data ../shared/corpora/contract-nli/dev.json --data ../shared/corpora/contract-nli/test_a.json --split validation
eval: $(STAMP)
	for backend in static onnx-int8 torch-fp32; do \
	  RISK_COPILOT_EMBEDDING_BACKEND=$$backend $(BIN)/risk-copilot eval cuad --data $(CUAD) || exit 1; \
	  RISK_COPILOT_EMBEDDING_BACKEND=$$backend $(BIN)/risk-copilot eval contract-nli $(NLI) || exit 1; \
	done
	$(BIN)/risk-copilot eval cases --data ../shared/cases

# CI: a small subset that fails when a metric drops below the committed figure by more than the margin.
eval-ci: $(STAMP)
	$(BIN)/python -m pytest -q -m eval tests/eval/test_committed_figures.py "tests/eval/test_contract_nli_eval.py::test_validation_fold_holds_the_committed_figures"

# Every eval-marked test (committed figures, ContractNLI checks, the real-contract sweep).
eval-tests: $(STAMP)
	$(BIN)/python -m pytest -q -m eval

# Train the models from ../shared/corpora (artefacts in models/); reruns reuse var/ caches.
train: $(STAMP)
	$(BIN)/python -m risk_copilot.training.cuad_heads
	$(BIN)/python -m risk_copilot.training.static_encoder
	$(BIN)/python -m risk_copilot.training.nda_nli

bench: $(STAMP)
	$(BIN)/risk-copilot bench ../shared/cases/base-procurement.md "../shared/corpora/cuad/full_contract_txt/INGEVITYCORP_05_16_2016-EX-10.5-INTELLECTUAL PROPERTY AGREEMENT.txt" --longest-cuad ../shared/corpora/cuad/full_contract_txt --repeat 5
	$(BIN)/python -m api.bench_latency --requests 40 --seconds 90
	$(BIN)/python -m risk_copilot.batch.bench --folder ../shared/corpora/cuad/full_contract_txt --limit 60 --workers 1 2

# Issue 7 hardening (see SECURITY.md). atheris is the `fuzz` extra, installed on first use.
FUZZ_SECONDS ?= 600
ATHERIS := $(BIN)/python -c "import atheris" 2>/dev/null || $(BIN)/pip install -q 'atheris>=2.3,<4'

fuzz: $(STAMP)
	$(ATHERIS)
	$(BIN)/python -m hardening.fuzzing --seconds $(FUZZ_SECONDS)

# every part: the large bad inputs and memory checks, a short fuzz, conformance, load, faults, access
hardening: $(STAMP)
	$(ATHERIS)
	$(BIN)/python -m pytest -q -m hardening tests/hardening
	$(BIN)/python -m hardening.run

# the fast part (CI): small bad-input corpus, about 80 s of fuzzing, the quick variants
hardening-quick: $(STAMP)
	$(ATHERIS)
	HARDENING_QUICK=1 $(BIN)/python -m hardening.run

index: $(STAMP)
	$(BIN)/risk-copilot index

clean:
	rm -rf var/index
