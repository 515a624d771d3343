# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# PostgreSQL for the second test run; trust authentication on the local server.
TEST_POSTGRES_URL ?= postgres://$(shell id -un)@127.0.0.1:5432/mentoring
PYTEST_ARGS ?= -n 2

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@# The task worker makes review packs in the background; it stops with the server.
	$(PY) manage.py db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

test: lint
	@echo "== Test suite on SQLite =="
	$(PY) -m pytest $(PYTEST_ARGS)
	@if $(PY) -c "import psycopg, sys; psycopg.connect('$(TEST_POSTGRES_URL)'.rsplit('/', 1)[0] + '/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== Test suite on PostgreSQL =="; \
		DATABASE_URL=$(TEST_POSTGRES_URL) $(PY) -m pytest $(PYTEST_ARGS) || exit 1; \
		echo "Databases tested: SQLite and PostgreSQL"; \
	elif [ "$(REQUIRE_POSTGRES)" = "1" ]; then \
		echo "PostgreSQL is not reachable at $(TEST_POSTGRES_URL) and REQUIRE_POSTGRES=1"; exit 1; \
	else \
		echo "Databases tested: SQLite only (PostgreSQL not reachable at $(TEST_POSTGRES_URL))"; \
	fi

# Every benchmark runs, then one table of every figure and its target (bench/summary.py);
# the target fails if any figure missed its target. The page and load benchmarks make and
# drop their own databases on the PostgreSQL server of BENCH_POSTGRES_URL.
BENCH_RESULTS ?= var/bench/results.jsonl
BENCH_POSTGRES_URL ?= postgres://$(shell id -un)@127.0.0.1:5432/postgres

bench: install
	@mkdir -p $(dir $(BENCH_RESULTS)); rm -f $(BENCH_RESULTS); status=0; \
	export BENCH_RESULTS=$(BENCH_RESULTS) BENCH_POSTGRES_URL=$(BENCH_POSTGRES_URL); \
	for script in import_roster pdf pack_request sqlite_writers pages load; do \
		echo "== bench/$$script.py =="; started=$$(date +%s); \
		$(PY) bench/$$script.py || status=1; \
		echo "(bench/$$script.py took $$(( $$(date +%s) - started )) s)"; \
	done; \
	$(PY) bench/summary.py $(BENCH_RESULTS) || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
