# Two commands: `make run` (demo system) and `make test` (every check).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PIP_FLAGS := --quiet --disable-pip-version-check

.PHONY: run test lint bench clean-demo messages

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(PIP_FLAGS) -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install $(PIP_FLAGS) -e '.[dev]'
	touch $@

# The demo turns two-factor login off (the login page says so) and runs with DEBUG.
run: export THRIVE_DEBUG ?= 1
run: export THRIVE_REQUIRE_2FA ?= 0
run: $(VENV)/.installed
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py init_keys
	$(PY) manage.py demo
	@echo "Thrive is at http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	$(PY) manage.py runserver --noreload 127.0.0.1:$(PORT)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: $(VENV)/.installed-dev lint
	THRIVE_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DATABASE_URL= $(PY) -m pytest -q
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$DATABASE_URL)"; \
		$(PY) -m pytest -q; \
	else echo "DATABASE_URL is not set: PostgreSQL run skipped"; fi

bench: $(VENV)/.installed-dev
	$(PY) bench/run.py
	$(PY) bench/casework.py
	$(PY) bench/hotline.py
	$(PY) bench/outcomes.py
	$(PY) bench/referrals.py
	$(PY) bench/directory.py
	$(PY) bench/suppression.py
	$(PY) bench/reports.py

messages: $(VENV)/.installed-dev
	THRIVE_DEBUG=1 $(PY) manage.py makemessages -l es --no-location --no-obsolete -i '.venv/*' -i 'var/*' -i 'bench/*'
	THRIVE_DEBUG=1 $(PY) manage.py compilemessages -i .venv
