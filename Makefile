# Houbei — the two commands of the quick start are `make demo` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export PYENV_VERSION ?= $(shell cat .python-version 2>/dev/null)
PORT ?= 8000
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
VENV := .venv

.PHONY: install demo test test-fast lint typecheck check bench serve clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --locked
	@touch $@

demo: install
	$(VENV)/bin/houbei demo --port $(PORT)

test: install
	$(VENV)/bin/pytest

test-fast: install
	$(VENV)/bin/pytest -m "not browser" -x -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy houbei

check: lint typecheck
	$(VENV)/bin/python manage.py makemigrations --check --dry-run

bench: install
	$(VENV)/bin/houbei bench all

serve: install
	$(VENV)/bin/houbei serve --port $(PORT)

clean:
	rm -rf $(VENV) staticfiles .mypy_cache .ruff_cache
