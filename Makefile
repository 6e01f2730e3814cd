# The two commands of the README: `make demo` and `make test`. Both create .venv if needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint readme bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Sentinel needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# The emulator and the PagerDuty and Slack stand-ins: the `local` extra.
$(VENV)/.installed-local: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[local]'
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed $(VENV)/.installed-local

demo: $(VENV)/.installed-local
	$(BIN)/sentinel demo

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n auto --dist loadfile

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy

# Regenerate the README's console transcripts from the seeded emulator (tests/test_readme.py
# fails when they differ).
readme: $(VENV)/.installed-dev
	$(BIN)/python -m tools.readme --write

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .sentinel .pytest_cache
