# Two commands set everything up on a fresh machine:
#   make demo   create .venv, install the kit, render data/sample into reports/sample/
#   make test   unit tests, notebook tests (nbval) and an end-to-end run
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test venv sample clean bench help

help:
	@echo "make demo   - create $(VENV) and render the sample portfolio into reports/sample/"
	@echo "make test   - run the test suite (unit, notebooks with nbval, end to end)"
	@echo "make sample - regenerate data/sample with kit synth (seed 7, 40 accounts)"
	@echo "make bench  - run the benchmarks"
	@echo "make clean  - remove $(VENV) and reports/"

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kit run --data data/sample --out reports/sample --workers 2

test: $(STAMP)
	$(BIN)/python -m pytest -q tests
	$(BIN)/python -m pytest -q --nbval-lax --nbval-kernel-name python3 notebooks

sample: $(STAMP)
	$(BIN)/kit synth --accounts 40 --seed 7 --out data/sample

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_tables.py

clean:
	rm -rf $(VENV) reports/sample
