# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps: the demo needs only what running comply needs (its ~26 runtime packages); the tests
# add the dev extra (pytest, moto, trestle, playwright, ... ~120 packages). pip shows its progress.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
STAMP := $(DEV_STAMP)

.PHONY: demo demo-drift demo-checkov test lint install docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip

# Editable, so the demo always runs this checkout's code.
$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e .
	touch $(RUNTIME_STAMP)

# The dev install includes the runtime one.
$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[dev]'
	touch $(DEV_STAMP) $(RUNTIME_STAMP)

install: $(DEV_STAMP)

# Scans the bundled healthcare stack (Terraform and Kubernetes). It has deliberate failures, so findings are expected:
# --soft-fail keeps the demo's exit code 0 while still exiting 2 on a scan error.
demo: $(RUNTIME_STAMP)
	$(BIN)/comply scan terraform examples/terraform --soft-fail --no-cache
	$(BIN)/comply scan kubernetes examples/kubernetes --soft-fail
	$(MAKE) --no-print-directory demo-drift

# Drift between examples/drift/terraform.tfstate and a snapshot of the account it was applied to.
demo-drift: $(RUNTIME_STAMP)
	$(BIN)/comply drift --state examples/drift/terraform.tfstate --snapshot examples/drift/snapshot.json.gz --soft-fail

# Optional (checkov is a separate install, docs/engines.md): both engines on the example stack.
# Installs the pinned checkov into comply's data folder unless COMPLY_CHECKOV or PATH has one.
demo-checkov: $(RUNTIME_STAMP)
	$(BIN)/comply engines list | grep -q "ready" || $(BIN)/comply engines install checkov
	$(BIN)/comply scan terraform examples/terraform --engine checkov --soft-fail --no-cache
	$(BIN)/comply scan kubernetes examples/kubernetes --engine checkov --soft-fail

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q -n auto --dist loadfile --durations=30

docs: $(STAMP)
	$(BIN)/python -m scanner.compliance.check_reference > docs/checks.md
	$(BIN)/python -m scanner.compliance.control_reference docs/controls

bench: $(STAMP)
	$(BIN)/python bench/generate_corpus.py
	$(BIN)/python bench/bench_terraform.py

clean:
	rm -rf $(VENV) dist build .mypy_cache .ruff_cache .pytest_cache
