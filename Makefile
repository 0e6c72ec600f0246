# The district work-target tracker. `make run` to serve it, `make test` to test it.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Development defaults for `make run`; production sets its own environment (see README).
DEV_ENV := DEBUG=$${DEBUG:-1}
TEST_ENV := DEBUG=0 SECRET_KEY=test-only-secret-key STATIC_MANIFEST=0 SECURE_COOKIES=0

.PHONY: install install-dev run test lint format migrations-check ci seed accounts clean bench

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

test: install-dev
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

# Load test on PostgreSQL (database zhongyuan_bench) with gunicorn and wrk; writes bench/RESULTS.md.
bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
