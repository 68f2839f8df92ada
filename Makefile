# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test setup bench soak translations screenshots clean-venv

## run: set up if needed, import the shipped corpus on an empty data directory, serve on 127.0.0.1:5000
run: $(VENV)/.installed
	$(BIN)/hrba serve

## test: set up with the test extras and the services the tests use, run the whole suite
test: $(VENV)/.installed-test
	@sh .ci/services
	@sh .ci/browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## setup: install, then migrate, import and index without serving
setup: $(VENV)/.installed
	$(BIN)/hrba setup

## bench: the search benchmarks (relevance on the development queries, then speed); prints figures
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/relevance.py
	$(BIN)/python benchmarks/search_speed.py $(BENCH_ARGS)

## soak: the reliability runs (about 30 min): load (50 readers, 60 s, without and with think
## time), 10,000 hostile requests, 30 kill -9 trials of each kind; each prints its figures
soak: $(VENV)/.installed-test
	$(BIN)/python benchmarks/load.py $(LOAD_ARGS)
	$(BIN)/python benchmarks/load.py --think 1 $(LOAD_ARGS)
	$(BIN)/python benchmarks/hostile_queries.py
	$(BIN)/python benchmarks/crash.py

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	@rm -rf $(VENV)
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV); sh .ci/system-packages venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml $(wildcard webapp/translations/*/LC_MESSAGES/messages.po)
	$(BIN)/python -m pip install --quiet -e '.[postgres,redis]'
	$(BIN)/pybabel -q compile -d webapp/translations
	@touch $@

$(VENV)/.installed-test: $(BIN)/python setup.cfg pyproject.toml $(wildcard webapp/translations/*/LC_MESSAGES/messages.po)
	$(BIN)/python -m pip install --quiet -e '.[test,postgres,redis]'
	$(BIN)/pybabel -q compile -d webapp/translations
	@touch $@ $(VENV)/.installed

## translations: extract the interface's messages into webapp/translations/messages.pot and update the catalogues
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F webapp/translations/babel.cfg -k _ -k gettext -k ngettext:1,2 \
		--no-location --omit-header --sort-output -o webapp/translations/messages.pot .
	$(BIN)/pybabel update --ignore-obsolete -w 100 -d webapp/translations -i webapp/translations/messages.pot
	$(BIN)/pybabel -q compile -d webapp/translations

## screenshots: take the README's screenshots again (tests/browser/screenshots/) with Debian's Chromium
screenshots: $(VENV)/.installed-test
	@sh .ci/browser
	$(BIN)/python -m tests.browser.screenshots

clean-venv:
	rm -rf $(VENV)
