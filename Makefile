# carbon_site: `make run` and `make test` are the two commands a newcomer needs; `make help` lists
# the rest. Every target bootstraps what it needs (.venv, Python packages, front-end assets).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
REQUIREMENTS := requirements.txt requirements-dev.txt
PORT ?= 8000
# `make run` only: DEBUG on, SQLite unless DATABASE_URL is set, emails printed to the console.
RUN_ENV := DEBUG=1 EMAIL_URL=consolemail://
QUICK_MODEL := $(or $(QUICK_ESTIMATOR_PATH),var/models/quick_estimator.skops)

.PHONY: help install assets run test lint format migrate superuser demo bench clean distclean

help: ## List the targets
	@echo "carbon_site: make <target>"
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*?## "} {printf "  %-10s %s\n", $$1, $$2}'

$(PY):
	@bash scripts/ensure-python.sh "$(PYTHON)"
	@bash scripts/ensure-system-packages.sh "$(PYTHON)"
	@echo "==> creating $(VENV) with $$($(PYTHON) -c 'import sys; print(sys.executable)')"
	$(PYTHON) -m venv --clear $(VENV)

$(INSTALLED): $(REQUIREMENTS) | $(PY)
	@bash scripts/ensure-python.sh "$(PY)" || { echo "  $(VENV) was made with it: rm -rf $(VENV), then run make again." >&2; exit 1; }
	@bash scripts/ensure-system-packages.sh "$(PY)"
	@echo "==> installing requirements-dev.txt into $(VENV) (the first time takes a few minutes)"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(INSTALLED) ## Create .venv and install the Python packages (again only when requirements*.txt change)

assets: ## Install npm packages when package-lock.json changed; copy front-end assets to static/vendor/
	@bash scripts/ensure-node-assets.sh

run: install assets ## Migrate, train the quick model once, serve on 127.0.0.1:8000 (DEBUG on; PORT=8080 make run)
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	@if $(RUN_ENV) $(PY) manage.py help train_quick_estimator >/dev/null 2>&1 \
		&& [ ! -f "$(QUICK_MODEL)" ]; then \
		echo "==> training the quick estimator into $(QUICK_MODEL) (first run only, under a minute)"; \
		$(RUN_ENV) $(PY) manage.py train_quick_estimator; \
	fi
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install assets ## Lint, migration/schema/deploy checks, pytest on SQLite, then on MariaDB + Redis
	@PY="$(PY)" bash scripts/test-stages.sh

lint: install ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## ruff format, then ruff check --fix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrate: install ## Apply migrations (DATABASE_URL, or SQLite)
	DEBUG=1 $(PY) manage.py migrate --noinput

superuser: migrate ## Create an admin account for /admin/
	DEBUG=1 $(PY) manage.py createsuperuser

demo: migrate ## Load demo users and footprints (manage.py demo_load)
	@if DEBUG=1 $(PY) manage.py help demo_load >/dev/null 2>&1; then \
		DEBUG=1 $(PY) manage.py demo_load; \
	else \
		echo "make demo: manage.py demo_load arrives with the dashboard issue; nothing to load yet."; \
	fi

bench: install ## Benchmarks (load on MariaDB, pages on SQLite), then every ratio (benchmarks/run.sh)
	@PY="$(PY)" bash benchmarks/run.sh

clean: ## Remove var/ (trained model, mail), staticfiles/ and tool caches (keeps .venv and db.sqlite3)
	rm -rf var staticfiles .pytest_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -path ./node_modules -prune -o \
		-type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean ## clean, plus .venv, node_modules and static/vendor (db.sqlite3 is kept)
	rm -rf $(VENV) node_modules static/vendor
