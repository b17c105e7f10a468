# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test install bench clean migration messages

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

## make test: install test dependencies, check the layers (import-linter contracts of pyproject.toml),
## and run the whole suite (SQLite, or PostgreSQL when NAVETTE_TEST_DATABASE_URL is set); browser
## tests need /usr/bin/chromium (CI installs it)
test: install
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

## make bench: the benchmarks of bench/, written to bench/RESULTS.md
bench: install
	@command -v wrk >/dev/null || echo "wrk missing (apt-get install -y wrk): the slower Python load generator will be used"
	$(BIN)/python -m bench.run

## make messages: extract the msgids of Python and templates, merge them into the fr/en/de catalogs
messages: install
	$(BIN)/python -m drafting.catalogs update

clean:
	rm -rf $(VENV) var .pytest_cache build dist *.egg-info

## make migration MESSAGE="what changes": a new migration on top of the last one, generated from the
## models (read it, and write by hand what autogenerate can't compare, e.g. DESC index columns)
migration: install
	@test -n "$(MESSAGE)" || { echo 'usage: make migration MESSAGE="what changes"'; exit 2; }
	rm -f /tmp/navette-migration-$$$$.db
	$(BIN)/python -c "import sys; from alembic import command; from drafting.migrate import alembic_config; \
	config = alembic_config('sqlite:////tmp/navette-migration-$$$$.db'); command.upgrade(config, 'head'); \
	command.revision(config, message=sys.argv[1], autogenerate=True)" "$(MESSAGE)"
	rm -f /tmp/navette-migration-$$$$.db
