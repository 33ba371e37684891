# Set-up and everyday commands. `make reports` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-for-tests

.PHONY: reports test golden docs pictures bench clean

## Install, then render every incident record under incidents/ into output/.
reports: $(STAMP)
	$(BIN)/postmortem build

## Install with the test tools, then check the layers, style and types, and run every test.
test: $(STAMP) $(TEST_STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check postmortem tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto

## Regenerate the golden files in tests/golden/ after an intended change of output.
golden: $(STAMP)
	$(BIN)/python tests/regenerate_golden.py

## Build the documentation site into site/ (mkdocs, strict: a broken link fails it).
docs: $(STAMP)
	$(BIN)/mkdocs build --strict

## Render the README's pictures (docs/images/) from the AP-HP record; needs pdftoppm.
pictures: $(STAMP)
	$(BIN)/python scripts/render_pictures.py

## Measure postmortem on this machine (about ten minutes) and write docs/performance.md.
## Not part of the tests. pandoc, for the route it is compared with, is installed as root.
bench: $(STAMP)
	scripts/install-system-packages --bench
	$(BIN)/python benchmarks/suite.py

$(STAMP): pyproject.toml scripts/install-system-packages
	scripts/install-system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,docs]'
	touch $(STAMP)

# What only the tests need beside the Python packages: Chromium for the browser tests.
$(TEST_STAMP): $(STAMP)
	scripts/install-system-packages --tests
	touch $(TEST_STAMP)

clean:
	rm -rf $(VENV) site output/*.md output/*.html output/*.pdf output/*.json output/*.csv \
		output/.postmortem-build.*
