# Two commands for a fresh machine: `make run` (set up, then launch every demo) and
# `make test` (set up, then run the test suite). Both install the package non-editable into
# .venv, exactly as a user's `pip install .` would.
PYTHON ?= python3
VENV ?= .venv
SOURCES := pyproject.toml $(shell find showcase apps models -type f ! -path '*__pycache__*' 2>/dev/null)

.PHONY: run test lint clean

run: $(VENV)/.installed
	$(VENV)/bin/showcase launch

# Two workers; tests that share a server (the `hub` and `spaces` groups, or one module's
# fixtures) stay in one worker (--dist loadgroup, groups set in tests/conftest.py).
test: $(VENV)/.installed
	$(VENV)/bin/pytest -n 2 --dist loadgroup

# The rule set is in pyproject.toml ([tool.ruff]).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

$(VENV)/.installed: $(SOURCES)
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet ".[test]"
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info

readme:
	$(VENV)/bin/python -m showcase.demo_table --write README.md
