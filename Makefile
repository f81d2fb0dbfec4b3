# SRO Journal — developer commands. Every target bootstraps .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_VAULT ?= demo-vault
export QT_QPA_FONTDIR := $(CURDIR)/resources/fonts

.PHONY: run test lint typecheck fmt bench faults screenshots dist clean system-libs mutation

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Shared libraries Qt needs even offscreen (a bare machine may lack them). Installs only when
# missing and only where apt-get is available and we are root; otherwise it just reports.
system-libs:
	@sh packaging/ensure-system-libs.sh

run: $(STAMP)
	@sh packaging/ensure-system-libs.sh --gui
	@test -d $(DEMO_VAULT) || $(BIN)/srojournal demo $(DEMO_VAULT) --today $$(date +%F)
	$(BIN)/srojournal --vault $(DEMO_VAULT)

test: $(STAMP) system-libs
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q tests
	$(MAKE) --no-print-directory lint typecheck

LINT_PATHS := src tests packaging tools $(wildcard benchmarks)

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff format $(LINT_PATHS)
	$(BIN)/ruff check --fix $(LINT_PATHS)

# Each main screen of the demo vault, light and dark, at 1280×800 and 1366×768, as PNG
# (docs/screenshots/).
screenshots: $(STAMP) system-libs
	@test -d $(DEMO_VAULT) || $(BIN)/srojournal demo $(DEMO_VAULT)
	QT_QPA_PLATFORM=offscreen $(BIN)/python tools/screenshots.py $(DEMO_VAULT) docs/screenshots

# One-folder desktop build (PyInstaller), then a smoke test of the frozen binary
# (docs/packaging.md: what the bundle leaves out, and its size).
dist: $(STAMP)
	@sh packaging/ensure-system-libs.sh --dist
	$(BIN)/python -m pip install --quiet 'pyinstaller>=6.10'
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller packaging/srojournal.spec
	sh packaging/strip_bundle.sh dist/srojournal
	sh packaging/smoke_test.sh dist/srojournal/srojournal
	@du -sh dist/srojournal | awk '{print "bundle size: " $$1}'

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache

bench: $(STAMP) system-libs
	$(BIN)/python benchmarks/run.py

faults: $(STAMP) system-libs
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.faults.campaign --full

# Mutation testing of the critical core (tests/mutation/run.py; not part of `make test`).
# MODULES="reporting/leakcheck.py srojournal.vault.keys" narrows the run; AGAIN=1 runs only the
# survivors of the last run again, against the current tests (the code must be unchanged).
# TESTS="tests/unit/test_wal.py" runs only those tests (quicker; the score is then a lower bound).
mutation: $(STAMP) system-libs
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.mutation.run $(if $(AGAIN),--again) \
		$(if $(TESTS),--tests "$(TESTS)") $(MODULES)
