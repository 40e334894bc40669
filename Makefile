# Two commands set everything up on a fresh machine:
#   make demo   create .venv, install the kit, render data/sample into reports/sample/
#   make test   unit tests, notebook tests (nbval), an end-to-end run and the reports in
#               headless Chromium (installs Debian's chromium first: see `browser`)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# apt-get through sudo when not root and sudo exists (CI runs as root).
SUDO   := $(shell [ "$$(id -u)" = 0 ] || ! command -v sudo >/dev/null 2>&1 || echo sudo)

.PHONY: demo test venv sample clean bench help browser screenshots

help:
	@echo "make demo   - create $(VENV) and render the sample portfolio into reports/sample/"
	@echo "make test   - run the test suite (unit, notebooks with nbval, end to end, in headless Chromium)"
	@echo "make browser - install Debian's chromium for the browser tests, if missing (apt-get)"
	@echo "make screenshots - render data/sample and write docs/images/*.png for the README"
	@echo "make sample - regenerate data/sample with kit synth (seed 7, 40 accounts)"
	@echo "make bench  - run the benchmarks (figures at scale, rendering against a papermill loop and its in-process floor, 1M revenue rows, kit run at 5,000 accounts; about half an hour)"
	@echo "make clean  - remove $(VENV) and reports/"

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kit run --data data/sample --out reports/sample --workers 2

# Debian's chromium for tests/test_browser.py (Playwright drives it; no browser download).
browser:
	@test -x "$${KIT_CHROMIUM:-/usr/bin/chromium}" || { \
	  command -v apt-get >/dev/null 2>&1 || { echo "make browser: no $${KIT_CHROMIUM:-/usr/bin/chromium} and no apt-get: install Chromium and set KIT_CHROMIUM to it" >&2; exit 1; }; \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-liberation; }

# KIT_REQUIRE_BROWSER=1: here a missing browser fails the browser tests instead of skipping them.
test: $(STAMP) browser
	$(BIN)/ruff check kit tests benchmarks tools
	KIT_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -q tests
	$(BIN)/python -m pytest -q --nbval-lax --nbval-kernel-name python3 notebooks

sample: $(STAMP)
	$(BIN)/kit synth --accounts 40 --seed 7 --out data/sample --force

screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_tables.py
	$(BIN)/python benchmarks/bench_run.py
	$(BIN)/python benchmarks/bench_large.py
	$(BIN)/python benchmarks/bench_scale.py --render 40

clean:
	rm -rf $(VENV) reports/sample
