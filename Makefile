# Two commands set up a fresh machine: `make run` and `make test`.
# The virtual environment is rebuilt whenever pyproject.toml or the constraints change.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench check clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,bench]'
	touch $@

# With BAYBRIEF_TOKEN set: the Telegram bot (polling). Without: the local console chat.
run: $(STAMP)
ifdef BAYBRIEF_TOKEN
	$(BIN)/baybrief run
else
	$(BIN)/baybrief chat
endif

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

check: $(STAMP)
	$(BIN)/baybrief facts check

test: lint check
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.broadcast
	$(BIN)/python -m bench.instances
	$(BIN)/python -m bench.webhook

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
