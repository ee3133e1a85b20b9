# Partnership Hub — every set-up step lives here, so a clean clone needs only `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The suite runs on PostgreSQL and a real Redis; pytest-django creates its own test database.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/partnership_hub
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# Security lint: bandit fails on a medium or high finding in our code ([tool.bandit] in pyproject.toml);
# ruff's S rules run with the rest of `ruff check`.
SECURITY_LINT = $(BIN)/bandit -q -c pyproject.toml -r partnership organisations referrals demo manage.py \
  --severity-level medium

.PHONY: help install run serve test test-fast e2e chromium vendor screenshots worker beat benchmark-notifications lint lock clean

help:
	@echo "make run          set up (virtualenv, install, migrate, demo data) and serve on http://127.0.0.1:8000"
	@echo "make test         the whole test suite (PostgreSQL, Redis, headless Chromium)"
	@echo "make e2e          only the browser journeys"
	@echo "make screenshots  refresh the README screenshots from the running app"
	@echo "make worker       a Celery worker and beat against the local Redis"
	@echo "make benchmark-notifications  notifications a second through one worker, and what queueing adds to a request"
	@echo "make vendor       refresh GOV.UK Frontend and axe-core from the npm registry"
	@echo "make lock         re-pin constraints.txt from the current virtualenv"

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py runserver 127.0.0.1:8000

serve: install
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Debian's Chromium: Playwright cannot download its own browser on these machines.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: install chromium
	$(BIN)/lint-imports --no-cache
	$(SECURITY_LINT)
	$(BIN)/ruff check .
	DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -n 2 --dist loadgroup -q

test-fast: install
	$(BIN)/lint-imports --no-cache
	$(SECURITY_LINT)
	$(BIN)/ruff check .
	DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -q -m "not e2e"

e2e: install chromium
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -q -m e2e

screenshots: install chromium
	DATABASE_URL=$(TEST_DATABASE_URL) SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest -q tests/e2e/test_screenshots.py

# A worker with beat against the local Redis; run the web with the same broker to use it:
#   CELERY_BROKER_URL=redis://127.0.0.1:6379/0 make serve
LOCAL_BROKER_URL ?= redis://127.0.0.1:6379/0
worker: install
	CELERY_BROKER_URL=$(LOCAL_BROKER_URL) $(BIN)/celery -A partnership worker --beat --pool=solo \
	  --without-mingle --without-gossip --loglevel=INFO

# Notification throughput through one worker and the request overhead of the outbox, on PostgreSQL (a
# database of its own, created and migrated here) and the local Redis (database 12). It deletes what it
# creates, and fails when a target is missed.
BENCHMARK_DATABASE ?= partnership_hub_benchmark
BENCHMARK_BROKER_URL ?= redis://127.0.0.1:6379/12
benchmark-notifications: install
	@createdb -h 127.0.0.1 -U postgres $(BENCHMARK_DATABASE) 2>/dev/null || true
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCHMARK_DATABASE) $(BIN)/python manage.py migrate --noinput -v 0
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCHMARK_DATABASE) $(BIN)/python manage.py \
	  benchmark_notifications --broker $(BENCHMARK_BROKER_URL)

vendor:
	bash scripts/vendor.sh

lint: install
	$(BIN)/ruff check .

lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) staticfiles node_modules
