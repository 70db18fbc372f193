# The one list of daily commands. `make run` and `make test` work from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint check-deploy fmt worker bench loadtest setup migrate demo superuser clean

$(STAMP): pyproject.toml
	@./scripts/system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## run: set up, migrate, load the demo registry, create a staff login and serve on 127.0.0.1:8000
run: export DJANGO_DEBUG ?= true
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: $(STAMP)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py ensure_staff_user
	$(BIN)/python manage.py render_documents --sync
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: set up and run the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
## in TEST_PROCESSES processes (default 2, one per core; a test file stays in one process)
TEST_PROCESSES ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/bandit -ll -ii -q -r governance agreements notices processors scripts

## check-deploy: `manage.py check --deploy` with production values; any warning fails
check-deploy: $(STAMP)
	./scripts/check_deploy.sh

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: $(STAMP)
	$(BIN)/celery -A governance worker --beat --loglevel=info

## bench: every row of the performance table against its limit (a warm bare WeasyPrint in as
## many processes), in one run of its own world (throwaway database, own Redis and Celery
## worker), as ratios; SCHOOLS=N scales rows 1-4 (default 40), SOAK=N renders N more PDFs for
## the memory row; then public pages under gunicorn while 12 clients flood the verifier; then
## the table
bench: $(STAMP)
	@rows=$$(mktemp -d) && trap 'rm -rf "$$rows"' EXIT && \
	$(BIN)/python scripts/bench_pipeline.py --schools $(or $(SCHOOLS),40) \
		$(if $(SOAK),--soak $(SOAK)) --json "$$rows/rows.json" && \
	$(BIN)/python scripts/bench_verifier.py && \
	$(BIN)/python scripts/bench_pipeline.py --table "$$rows/rows.json"

## loadtest: gunicorn (2 sync workers) on a throwaway world of 250 more demo-like schools; for
## the notice page, a PDF, search, the portal home and the verifier, each after a static file, a
## bounded load on loopback (DURATION seconds a page, default 10; CONNECTIONS, default 8);
## prints req/s, p50/p95/p99 and each page's ratio to a static file loaded just before it.
## About 4-5 minutes; options: python scripts/loadtest.py -h
loadtest: $(STAMP)
	$(BIN)/python scripts/loadtest.py --schools $(or $(SCHOOLS),250) \
		--seconds $(or $(DURATION),10) --connections $(or $(CONNECTIONS),8)

clean:
	rm -rf $(VENV) db.sqlite3 media
