# Autodiag: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run test test-fast venv system-deps lint format messages bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found): install python3.11 or run 'make PYTHON=/path/to/python3.11 ...'"; exit 2; }
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

venv: $(STAMP)

system-deps:
	@scripts/system-deps.sh $(DEPS)

run: $(STAMP)
	@scripts/system-deps.sh run
	@scripts/run.sh

test: $(STAMP)
	@scripts/system-deps.sh test
	@scripts/test.sh $(ARGS)

# The inner loop: no live Celery worker, no browser (a few seconds less than a minute).
test-fast: $(STAMP)
	@scripts/test.sh -m "not live_worker and not browser" $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(STAMP)
	$(VENV)/bin/python manage.py makemessages -l fr -l en --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*'
	$(VENV)/bin/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) staticfiles var db.sqlite3
