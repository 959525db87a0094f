# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test setup graphviz chromium lint check pytest clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP) graphviz

# Diagrams need the Graphviz `dot` program from the system's packages.
graphviz:
	-@bash scripts/ensure_graphviz.sh

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py create_demo_user
	@echo "Serving the register on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production: DEBUG off, every other setting from the environment (README.md, "Deploying").
# gunicorn believes no X-Forwarded-* header itself; BEHIND_PROXY=1 tells Django to.
WORKERS ?= 3
serve: export DEBUG := 0
serve: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/gunicorn registry.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--forwarded-allow-ips '' --access-logfile -

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

check: $(STAMP)
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# The browser tests drive Debian's Chromium; without it they are skipped with the reason.
chromium:
	-@bash scripts/ensure_chromium.sh

pytest: setup chromium
	$(VENV)/bin/pytest

test: setup lint check pytest

clean:
	rm -rf $(VENV) staticfiles .pytest_cache build
