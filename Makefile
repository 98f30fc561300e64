# nnlab — the two commands of the quick start, and a few more.
#
#   make lab     open the course in JupyterLab (installs into .venv on first use)
#   make test    the whole test suite (newest numpy), the unit tests on numpy 1.26, and the chapters
#                under several floating-point environments (tools/fp_matrix.py)
#
# Needs only Python >= 3.10 (with its venv module), GNU make and bash.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
# The two environments install from the same source tree (setuptools writes nnlab.egg-info there).
.NOTPARALLEL:
MAKEFLAGS += --warn-undefined-variables --no-builtin-rules

PYTHON ?= python3

# The course environment: nnlab (editable), JupyterLab, plotting, newest numpy 2 (all `make lab`
# needs); the tools of the test suite and the website are added to it on first `make test`/`site`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.nnlab-installed
STAMP_DEV := $(VENV)/.nnlab-dev-installed

# The oldest supported numpy, with what the chapters need to run in a kernel (no JupyterLab): the
# unit tests run there, and the floating-point matrix runs the chapters there too.
NUMPY_OLDEST ?= 1.26.4
VENV_OLD := .venv-np126
PY_OLD := $(VENV_OLD)/bin/python
STAMP_OLD := $(VENV_OLD)/.nnlab-installed
# The unit subset: everything except tests that run notebooks or drive a browser.
UNIT_MARKERS := not notebook and not browser

PYTEST_ARGS ?=
# Strict nbval over the chapters: stored outputs must match a fresh run (see tests/nbval_sanitize.cfg).
# Two pytest workers on two cores: one BLAS thread each, or small matrix products slow down many-fold.
ONE_THREAD := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg -n 2 --dist loadfile
LAB_ARGS ?=
BENCH_ARGS ?=
# Jupyter refuses to start as root unless told to.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

PIP_INSTALL = -m pip install --quiet --disable-pip-version-check --no-input --progress-bar off

.PHONY: help lab test test-full test-np126 test-matrix install bench clean site

help:  ## show the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z0-9-]+):.*## /  make \1\t/' | expand -t 20

# Serves the whole repository (so a chapter's links to exercises/ work) and opens it at chapters/.
lab: $(STAMP)  ## open the course in JupyterLab (LAB_ARGS="--no-browser --port=8899" etc. are passed on)
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=. \
	  --LabApp.default_url=/lab/tree/chapters $(LAB_ROOT) $(LAB_ARGS)

test: test-full test-np126 test-matrix  ## the whole suite, the unit tests on numpy 1.26, the floating-point matrix

test-full: $(STAMP_DEV)  ## the whole suite in .venv (PYTEST_ARGS="-x -k dense" etc. are passed on)
	@$(PY) -c 'import sys, numpy; print(f"== full suite: Python {sys.version.split()[0]}, numpy {numpy.__version__}")'
	$(ONE_THREAD) $(PY) -m pytest $(NBVAL) $(PYTEST_ARGS) tests chapters

# numpy 1.26 has wheels for Python 3.9-3.12 only; on a newer Python there is nothing to test against.
OLDEST_OK := $(shell $(PYTHON) -c 'import sys; print(int(sys.version_info < (3, 13)))' 2>/dev/null)
ifneq ($(OLDEST_OK),0)
# Two pytest workers on two cores, as in test-full.
test-np126: $(STAMP_OLD)  ## the unit tests in .venv-np126 (numpy 1.26)
	@$(PY_OLD) -c 'import sys, numpy; print(f"== unit tests: Python {sys.version.split()[0]}, numpy {numpy.__version__}")'
	$(ONE_THREAD) $(PY_OLD) -m pytest -m "$(UNIT_MARKERS)" -n 2 $(PYTEST_ARGS) tests
else
test-np126:
	@echo "== unit tests on numpy $(NUMPY_OLDEST) skipped: it needs Python <= 3.12 (use PYTHON=python3.12)"
endif

# Strict nbval of the chapters and solutions, and the claim tests, under other floating-point
# environments: two BLAS threads, numpy's SIMD without AVX-512 and at its baseline, random floats
# perturbed in their last bits, numpy 1.26. The same committed outputs must pass in every one.
MATRIX_ARGS ?=
ifneq ($(OLDEST_OK),0)
test-matrix: $(STAMP_DEV) $(STAMP_OLD)  ## the chapters and claim tests under several floating-point environments
else
test-matrix: $(STAMP_DEV)
endif
	$(PY) tools/fp_matrix.py $(MATRIX_ARGS)

install: $(STAMP_DEV) $(STAMP_OLD)  ## create or update both environments without running anything

bench: $(STAMP_DEV)  ## run the speed and accuracy benchmarks (BENCH_ARGS are passed on)
	$(PY) benchmarks/run.py $(BENCH_ARGS)

# The course website (tools/build_site.py): static HTML in $(SITE_DIR), built offline; needs npm
# once for MathJax (cached in build/site-npm). docs/publishing.md says how to publish it.
SITE_DIR ?= _site

site: $(STAMP_DEV)  ## build the course website into _site/ (SITE_DIR=... to change)
	$(PY) tools/build_site.py --out $(SITE_DIR)

clean:  ## remove both environments, caches, build leftovers, the built site and test artefacts
	rm -rf $(VENV) $(VENV_OLD) .pytest_cache build dist *.egg-info _site artifacts
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +

# --- environments: rebuilt only when pyproject.toml changes (the stamp is newer otherwise) ---

define check_python
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null \
	  || { echo "nnlab needs Python >= 3.10 as '$(PYTHON)' (got: $$($(PYTHON) --version 2>&1 || echo none))." \
	            "Use e.g. 'make $(MAKECMDGOALS) PYTHON=python3.12'." >&2; exit 1; }
endef

define make_venv
	@echo "== setting up $(1) (first run or pyproject.toml changed; about a minute on a fresh machine)"
	@test -x $(1)/bin/python || { $(PYTHON) -m venv $(1) || { rm -rf $(1); \
	  echo "Could not create $(1). On Debian/Ubuntu: apt-get install python3-venv" >&2; exit 1; }; }
	$(1)/bin/python $(PIP_INSTALL) "pip>=23"
endef

$(STAMP): pyproject.toml
	$(check_python)
	$(call make_venv,$(VENV))
	$(PY) $(PIP_INSTALL) -e ".[course]"
	touch $@

$(STAMP_DEV): $(STAMP)
	$(PY) $(PIP_INSTALL) -e ".[course,test,notebooks,browser,site]"
	touch $@

$(STAMP_OLD): pyproject.toml
	$(check_python)
	$(call make_venv,$(VENV_OLD))
	$(PY_OLD) $(PIP_INSTALL) "numpy==$(NUMPY_OLDEST)" -e ".[test,notebooks,chapters]"
	touch $@
