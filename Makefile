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
	@$(PY) manage.py create_demo_user
	@echo "Log in as the role you want to try; only 'admin' and 'demo' open /admin/."
	@echo "Serving the register on http://$(HOST):$(PORT)/ with its task worker (Ctrl-C stops both)"
	@$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production: DEBUG off, every other setting from the environment (README.md, "Deploying").
# Beside the web server (runserver, gunicorn) runs one task worker, started in the background
# of the same shell, which the trap stops when the server stops (Ctrl-C reaches only the
# server: a background job of a script ignores SIGINT). The worker does not reload on code
# changes: its reloader's child would outlive the kill.
# gunicorn believes no X-Forwarded-* header itself; BEHIND_PROXY=1 tells Django to.
WORKERS ?= 3
serve: export DEBUG := 0
serve: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	@$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
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
	$(VENV)/bin/pytest -n auto

test: setup lint check pytest

clean:
	rm -rf $(VENV) staticfiles .pytest_cache build
