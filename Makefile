# Every target creates .venv and installs what it needs on a brand-new machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench fuzz lint typecheck clean chromium

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/trilateral demo --out demo-output

lint: $(STAMP)
	$(BIN)/ruff check conftest.py src tests benchmarks docs
	$(BIN)/ruff format --check conftest.py src tests benchmarks docs

typecheck: $(STAMP)
	$(BIN)/mypy

# The browser tests drive Debian's chromium; install it when missing (root only; anyone
# else is told the command and the browser tests skip).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "chromium is missing: the browser tests will skip; install it with: sudo apt-get install -y chromium"; \
	  fi; \
	fi

test: $(STAMP) lint typecheck chromium
	$(BIN)/pytest

# Deep fuzzing of the readers with fresh random examples (not part of `make test`).
fuzz: $(STAMP)
	TRILATERAL_FUZZ_EXAMPLES=3000 $(BIN)/pytest -p no:cacheprovider tests/test_readers_fuzz_gdelt.py tests/test_readers_fuzz_icews.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache .hypothesis
