# Fresh machine: `make backtest` (set up + offline backtest of the pack) or `make test` (set up + all tests).
# Set-up is idempotent: a venv in .venv with the pack, its pinned Freqtrade and the Rust wheel.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.ftpack-installed
LOCKS := requirements.lock requirements-runtime.lock
UV_VERSION := 0.13.8
export PATH := $(HOME)/.cargo/bin:$(PATH)

RUST_SOURCES := $(shell find rust_ext -path rust_ext/target -prune -o -type f \( -name '*.rs' -o -name '*.py' -o -name '*.pyi' -o -name '*.toml' \) -print)
TIER_CONFIGS := $(sort $(wildcard user_data/config/backtest-tier*.json))

.PHONY: setup lock browser faketime replay backtest evaluate bench evidence results test test-fast lint typecheck

setup: $(STAMP)

# Exactly the versions of requirements.lock (hashes checked), then the pack and the Rust wheel
# built against them without fetching anything else. A lock older than the dependency lists in
# pyproject.toml / rust_ext/pyproject.toml stops here: run `make lock` and commit it.
$(STAMP): pyproject.toml rust_ext/pyproject.toml $(LOCKS) $(RUST_SOURCES)
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required (set PYTHON=...)"'
	$(PYTHON) scripts/lock.py check
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PYTHON) scripts/lock.py pick pip > $(VENV)/pip.lock
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(VENV)/pip.lock
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pip install --quiet --force-reinstall --no-deps \
	  --no-build-isolation ./rust_ext
	$(BIN)/python -m pip check
	touch $@

## Re-resolve every Python dependency (after changing pyproject.toml or rust_ext/pyproject.toml,
## e.g. after a merge) into requirements.lock and requirements-runtime.lock, with hashes, for
## CPython 3.11 on linux x86_64; then `make setup` installs them and they are committed.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(BIN)/python scripts/lock.py write

## Headless Chromium (Debian's package) and FreqUI 3.1.1 from ../shared/frequi in the venv, for the
## browser tests. FreqUI is on no registry and is GPL: it is installed from the shared build, never
## committed.
FREQUI_SRC ?= ../shared/frequi/dist
FREQUI_DIR := $(VENV)/lib/python3.11/site-packages/freqtrade/rpc/api_server/ui/installed
browser: setup
	command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	test -f $(FREQUI_DIR)/.uiversion || { test -d $(FREQUI_SRC) || { echo "FreqUI build not found in $(FREQUI_SRC)"; exit 1; }; \
	  mkdir -p $(FREQUI_DIR) && cp -r $(FREQUI_SRC)/. $(FREQUI_DIR)/ && echo 3.1.1 > $(FREQUI_DIR)/.uiversion; }

## libfaketime (Debian's faketime package): runs a replay's bot on the replay clock.
faketime:
	ls /usr/lib/*/faketime/libfaketimeMT.so.1 >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq faketime >/dev/null; }

## Market replay demo: a tier's stock dry-run bot on a recorded day, FreqUI on 127.0.0.1:UI_PORT,
## e.g. `make replay TIER=tier2 DAY=2025-08-19 SPEED=60` (README "Market replay"). Ctrl-C stops it.
TIER ?= tier2
DAY ?= 2025-08-19
TIME ?= 00:00
SPEED ?= 60
UI_PORT ?= 8080
replay: browser faketime
	$(BIN)/ftpack-replay run --tier $(TIER) --day $(DAY) --time $(TIME) --speed $(SPEED) --ui-port $(UI_PORT) $(REPLAY_ARGS)

## The main job: a fixed-parameter walk-forward evaluation of every tier on the bundled real data
## (reports in user_data/evaluation/bundled/), then the stored full-history evidence.
backtest: setup
	@test -n "$(TIER_CONFIGS)" || { echo "no user_data/config/backtest-tier*.json"; exit 1; }
	for config in $(TIER_CONFIGS); do $(BIN)/python -m ftpack.evaluate -c $$config --profile bundled \
	  --output-dir user_data/evaluation/bundled --no-evidence || exit 1; done
	$(BIN)/python -m ftpack.evaluate.show

## The full evaluation: every tier re-tuned fold by fold over the development history in
## ../shared/data; writes user_data/evidence/*.json (the live gate reads them), the HTML reports
## in user_data/evaluation/ and the README results section.
evaluate: setup
	for config in $(TIER_CONFIGS); do nice -n 15 $(BIN)/python -m ftpack.evaluate -c $$config \
	  --profile full || exit 1; done
	$(BIN)/python -m ftpack.results_readme

## Speed, measured in one run each on this machine, into results/bench.md: flowbook against
## Freqtrade's converter and a NumPy reference; each tier's backtest against SampleStrategy; the
## evaluator's process pool against one process, and its overhead over its backtests.
bench: setup
	mkdir -p results
	{ echo "### Speed benchmarks"; echo; \
	  echo "Measured by \`make bench\` on $$(date -u +%F) on this machine ($$(nproc) cores), real data:"; echo; \
	  echo '```'; \
	  echo '$$ .venv/bin/python bench/bench_orderflow.py'; $(BIN)/python bench/bench_orderflow.py; \
	  echo '$$ .venv/bin/python bench/bench_orderbook.py'; $(BIN)/python bench/bench_orderbook.py; \
	  echo '$$ .venv/bin/python bench/bench_tier3_decision.py --samples 200'; \
	  $(BIN)/python bench/bench_tier3_decision.py --samples 200 2>/dev/null; \
	  for run in "backtest-tier1.json --timerange 20250315-20250420 --fee 0" \
	             "backtest-tier2.json --timerange 20250801-20251001" \
	             "backtest-tier3.json --timerange 20250605-20250624 --sample-timeframe 1m"; do \
	    set -- $$run; config=user_data/config/$$1; shift; \
	    echo "\$$ .venv/bin/python bench/bench_backtest_vs_sample.py --config $$config $$*"; \
	    $(BIN)/python bench/bench_backtest_vs_sample.py --config $$config "$$@"; done; \
	  echo '$$ .venv/bin/python bench/bench_evaluate.py'; $(BIN)/python bench/bench_evaluate.py; \
	  echo '```'; echo; } > results/bench.md.tmp
	mv results/bench.md.tmp results/bench.md

## FreqAI walk-forward evidence (retrains every window): each ML tier with and without its inputs.
evidence: setup
	$(BIN)/python -m ftpack.ml_evidence --config user_data/config/freqai-spot.json --baseline user_data/config/backtest-tier2.json
	$(BIN)/python -m ftpack.ml_evidence --config user_data/config/freqai-futures.json --baseline user_data/config/backtest-tier3.json

## Regenerate results/ and the README results section from the evidence files, fresh benchmarks
## and the FreqAI evidence (run `make evaluate` first for fresh evidence).
results: bench evidence
	$(BIN)/python -m ftpack.results_readme

lint: setup
	$(BIN)/ruff check .

## mypy over ftpack/, risk_protections/ and flowbook's Python ([tool.mypy] in pyproject.toml).
typecheck: setup
	$(BIN)/mypy

## All tests: ruff, mypy, the Rust crate's cargo tests, then pytest (unit, property, real offline
## runs, servers, the browser and the replayed bots) on two workers. Each test file runs on one
## worker, so that its module fixtures (a shared backtest, a webserver) serve all its tests, and the
## replayed bots' scenarios (one xdist_group) run one at a time (tests/conftest.py).
test: setup browser faketime lint typecheck
	cd rust_ext && cargo test --quiet
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

## The unit loop: everything not marked slow (no Freqtrade runs, processes or servers).
test-fast: setup lint
	$(BIN)/python -m pytest -q -m "not slow"
