# Two commands on a fresh machine:  `make book`  (regenerate everything + build the site)
#                                    `make test`  (the whole test suite)
SHELL := bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

PYTHON  ?= python3.11
VENV    ?= .venv
PY      := $(VENV)/bin/python
PROFILE ?= paper
SITE    := book/_build/html/index.html

.PHONY: help venv reproduce book quick test bench lint clean distclean

help:
	@echo "make book [PROFILE=paper|quick]  regenerate every artefact and build the site"
	@echo "make quick                       the same with the quick profile (~minutes)"
	@echo "make test                        run the test suite (creates the venv if missing)"
	@echo "make bench                       run the benchmarks in tests/benchmarks/"
	@echo "make venv | lint | clean | distclean"

# The venv is rebuilt when pyproject.toml changes.
venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[book,dev]"
	@touch $@

reproduce: venv
	$(PY) -m specialist reproduce --profile $(PROFILE)

book: reproduce
	$(VENV)/bin/jupyter-book build book --builder html -W -n --keep-going
	@echo "Site built: file://$(CURDIR)/$(SITE)"

quick:
	$(MAKE) book PROFILE=quick

test: venv
	$(PY) -m pytest

bench: venv
	@for f in tests/benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f; done

lint: venv
	$(VENV)/bin/ruff check specialist tests notebooks
	$(VENV)/bin/ruff format --check specialist tests notebooks

clean:
	rm -rf book/_build book/generated results .pytest_cache .ruff_cache .hypothesis

distclean: clean
	rm -rf $(VENV) *.egg-info
