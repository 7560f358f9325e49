# Contract Risk Copilot. `make run` and `make test` install what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test test-all test-postgres eval bench index clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned: an unpinned torch pulls a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,api]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/risk-copilot index
	mkdir -p var/reports
	$(BIN)/risk-copilot review corpora/samples/supply-agreement-sample.md --type procurement --format table
	$(BIN)/risk-copilot review corpora/samples/supply-agreement-sample.md --type procurement --format html --out var/reports/supply-agreement-sample.html
	$(BIN)/risk-copilot review corpora/samples/mutual-nda-sample.md --type nda --format table
	@echo "HTML review: var/reports/supply-agreement-sample.html"

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-postgres: $(STAMP)
	$(BIN)/python -m pytest -q -m postgres

test-all: $(STAMP)
	$(BIN)/python -m pytest -q -m ''

eval: $(STAMP)
	$(BIN)/python -m pytest -q -m eval

bench: $(STAMP)
	$(BIN)/risk-copilot bench ../shared/cases/base-procurement.md --longest-cuad ../shared/corpora/cuad/full_contract_txt --repeat 5

index: $(STAMP)
	$(BIN)/risk-copilot index

clean:
	rm -rf var/index
