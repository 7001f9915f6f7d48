# Two commands on a fresh clone: `make run` and `make test`. Both reuse .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench install install-test install-bench lint format lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Hashed locks, one per set of extras (requirements/*.txt, written by `make lock`):
# an install takes exactly what was tested, nothing unpinned slips in.
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements/base.txt
	$(PIP) install --quiet --require-hashes -r requirements/base.txt
	$(PIP) install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements/test.txt
	$(PIP) install --quiet --require-hashes -r requirements/test.txt
	@touch $@

$(VENV)/.installed-bench: $(VENV)/.installed requirements/bench.txt
	$(PIP) install --quiet --require-hashes -r requirements/bench.txt
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Our Vietnamese catalogue (locale/), compiled by a standard-library script:
# `compilemessages` needs GNU gettext, which a fresh machine may not have.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
%.mo: %.po
	$(PYTHON) locale/msgfmt.py

# A developer's copy: DEBUG on and the published key (production sets a secret).
run: export DJANGO_DEVELOPMENT ?= true
run: $(VENV)/.installed $(MO_FILES)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Cổng thi đang chạy tại http://$(HOST):$(PORT)/  (dừng: Ctrl+C)"
	@# The background worker builds long exports; it stops with the server.
	$(BIN)/python manage.py db_worker --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-test $(MO_FILES)
	$(BIN)/python -m pytest

# The deadline-rush benchmark (bench/README.md). BENCH_ARGS="--size small" for a quick run;
# set DATABASE_URL and REDIS_URL to measure on PostgreSQL and Redis.
bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Rewrite the hashed locks from pyproject.toml, keeping the pinned versions it still
# allows (pip-compile --upgrade-package NAME moves one).
LOCK := $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links
lock: $(VENV)/.installed-test
	$(LOCK) --output-file requirements/base.txt pyproject.toml
	$(LOCK) --extra test --output-file requirements/test.txt pyproject.toml
	$(LOCK) --extra bench --output-file requirements/bench.txt pyproject.toml

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
