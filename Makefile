# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test install bench clean migration

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

## make run: install, migrate the embedded database, load the demo bill, serve on http://127.0.0.1:8000
run: install
	$(BIN)/navette db upgrade
	$(BIN)/navette demo
	$(BIN)/navette serve --host 127.0.0.1 --port 8000

## make test: install test dependencies and run the whole suite (SQLite, or PostgreSQL when
## NAVETTE_TEST_DATABASE_URL is set); browser tests need /usr/bin/chromium (CI installs it)
test: install
	$(BIN)/python -m pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

## make bench: the benchmarks of bench/, written to bench/RESULTS.md
bench: install
	@command -v wrk >/dev/null || echo "wrk missing (apt-get install -y wrk): the slower Python load generator will be used"
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var .pytest_cache build dist *.egg-info

## make migration: (before the first release) regenerate migrations/versions/0001 from the models
migration: install
	rm -f migrations/versions/0001_initial_schema.py /tmp/navette-migration-$$$$.db
	$(BIN)/python -c "from alembic import command; from drafting.migrate import alembic_config; \
	command.revision(alembic_config('sqlite:////tmp/navette-migration-$$$$.db'), message='initial schema', autogenerate=True, rev_id='0001')"
	rm -f /tmp/navette-migration-$$$$.db
