# The one list of daily commands. `make run` and `make test` work from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint check-deploy fmt worker bench setup migrate demo superuser clean

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
test: $(STAMP)
	$(BIN)/python -m pytest

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

## bench: render the notices of N demo-like schools, then publish, sign, seal and verify an
## agreement for them, in one process each, and print the figures; then time public pages
## under gunicorn while 12 clients flood the verifier
bench: $(STAMP)
	$(BIN)/python scripts/bench_notices.py --schools $(or $(SCHOOLS),120)
	$(BIN)/python scripts/bench_agreements.py --schools $(or $(SCHOOLS),120)
	$(BIN)/python scripts/bench_verifier.py

clean:
	rm -rf $(VENV) db.sqlite3 media
