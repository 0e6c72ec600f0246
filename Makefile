# The district work-target tracker. `make run` to serve it, `make test` to test it.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Development defaults for `make run`; production sets its own environment (see README).
DEV_ENV := DEBUG=$${DEBUG:-1}
TEST_ENV := DEBUG=0 SECRET_KEY=test-only-secret-key STATIC_MANIFEST=0 SECURE_COOKIES=0

.PHONY: install install-dev run serve test lint format migrations-check ci clean bench backup restore loadtest

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput -v 0
	$(DEV_ENV) $(PY) manage.py load_seed
	$(DEV_ENV) $(PY) manage.py create_local_accounts
	@echo "Serving on http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Production server: gunicorn + whitenoise, settings from the environment (SECRET_KEY, ALLOWED_HOSTS,
# DATABASE_URL …, see README) and zhongyuan/gunicorn.conf.py. Migrates and collects static files first.
WORKERS ?= 2
serve: install
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py collectstatic --noinput -v 0
	$(VENV)/bin/gunicorn zhongyuan.wsgi -c zhongyuan/gunicorn.conf.py --workers $(WORKERS) --bind $${BIND:-127.0.0.1:$(PORT)} --access-logfile -

# A consistent copy of the database (pg_dump on PostgreSQL, SQLite's backup API on SQLite).
backup: install
	$(DEV_ENV) $(PY) manage.py backup_db $(FILE)

# Replace the database with a backup: make restore FILE=backups/....
restore: install
	@test -n "$(FILE)" || (echo "usage: make restore FILE=backups/<file>" && exit 2)
	$(DEV_ENV) $(PY) manage.py restore_db $(FILE)

# axe-core for the browser tests' accessibility checks, pinned in package-lock.json; injected
# into the test browser from node_modules, never fetched from a CDN.
# Without npm the accessibility test is skipped (CI installs npm and requires it).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund && touch $@; \
	else echo "npm not found: the accessibility browser test will be skipped"; fi

test: install-dev node_modules/axe-core/axe.min.js
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: install
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

ci: lint migrations-check test

# Benchmark on PostgreSQL (database zhongyuan_bench) with gunicorn and wrk, with the benchmark's own
# settings (bench.settings: production plus the bench app); writes bench/RESULTS.md. About 6 minutes.
bench: install
	$(PY) bench/run.py

# 32 clients for 60 s on the benchmark's server, viewing pages and submitting figures (LOAD_SECONDS,
# LOAD_CLIENTS); checks every acknowledged submission in the database; appends to bench/LOAD.md.
loadtest: install
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache node_modules
