# Two commands set up a fresh machine: `make run` and `make test`.
# The virtual environment is rebuilt whenever pyproject.toml or the constraints change.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast lint fmt bench check data clean

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

# The same checks, without the end-to-end tests on the real clock or in subprocesses (e2e).
test-fast: lint check
	$(BIN)/pytest -m "not e2e"

# Rewrites the code as ruff wants it (the fixes it can make, then the format).
fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerates what is derived (see bot/data/NOTICE.md): the trimmed jieba dictionary from the
# installed jieba, then the answer decision fitted on the tuning sets. Commit the results.
data: $(STAMP)
	$(BIN)/python -m bot.segment
	$(BIN)/python -m bot.calibration

bench: $(STAMP)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.broadcast
	$(BIN)/python -m bench.instances
	$(BIN)/python -m bench.webhook

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
