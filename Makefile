# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Scans the bundled healthcare stack (Terraform and Kubernetes). It has deliberate failures, so findings are expected:
# --soft-fail keeps the demo's exit code 0 while still exiting 2 on a scan error.
demo: $(STAMP)
	$(BIN)/comply scan terraform examples/terraform --soft-fail --no-cache
	$(BIN)/comply scan kubernetes examples/kubernetes --soft-fail

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q -n auto

docs: $(STAMP)
	$(BIN)/python -m scanner.compliance.check_reference > docs/checks.md
	$(BIN)/python -m scanner.compliance.control_reference docs/controls

bench: $(STAMP)
	$(BIN)/python bench/generate_corpus.py
	$(BIN)/python bench/bench_terraform.py

clean:
	rm -rf $(VENV) dist build .mypy_cache .ruff_cache .pytest_cache
