# The two commands of the README: `make demo` and `make test`. Both create .venv if needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-dates lint readme bench clean

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

# The suite at the clock's awkward moments: the 1st and the last of a month, 31 December and
# 1 January, 29 February, and the DST changes of Europe/London and America/New_York (just
# before the UTC instant of each change). Needs libfaketime (Debian/Ubuntu: apt-get install
# faketime). Tests marked real_clock (their timed thread waits, as in botocore's adaptive retry
# into throttling, hang under libfaketime) are deselected here; `make test` runs them.
TEST_DATES ?= 2026-12-01T00:30:00Z 2026-11-30T23:30:00Z 2026-12-31T23:30:00Z \
	2027-01-01T00:30:00Z 2028-02-29T12:00:00Z 2027-03-28T00:30:00Z 2026-10-25T00:30:00Z \
	2027-03-14T06:30:00Z 2026-11-01T05:30:00Z

test-dates: $(VENV)/.installed-dev
	@command -v faketime >/dev/null || \
		{ echo "make test-dates needs faketime (Debian/Ubuntu: apt-get install faketime)"; exit 1; }
	@failed=""; for moment in $(TEST_DATES); do \
		echo "== pytest at $$moment"; \
		faketime "$$moment" $(BIN)/python -m pytest -n auto --dist loadfile -p no:cacheprovider \
			-m "not real_clock" || failed="$$failed $$moment"; \
	done; \
	if [ -n "$$failed" ]; then echo "test-dates failed at:$$failed"; exit 1; fi; \
	echo "test-dates: the suite passed at every date"

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
