# Two commands matter on a fresh machine: `make demo` and `make test`. Both set themselves up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
export DBT_PROFILES_DIR := $(CURDIR)
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
# The `warehouse` command's default, absolute: dbt's saved parse (made by `setup`) stays valid for it.
export WAREHOUSE_DUCKDB_PATH ?= $(CURDIR)/data/warehouse.duckdb
# WAREHOUSE_ENGINE=spark adds dbt-spark and pyspark (the `spark` dependency group; needs Java 17+).
# `make test` always has them: its engine-equality test refreshes a sample on Spark too.
SYNC_GROUPS = $(if $(filter spark,$(WAREHOUSE_ENGINE))$(WITH_SPARK),--group spark,)
RUN = $(UV) run --frozen $(SYNC_GROUPS)

.PHONY: help setup browser java demo test dev lint docs docs-serve metrics clean bench bench-spark bench-sessions bench-customers

help:
	@echo "make demo   sample data, a full refresh and a KPI summary (sets everything up)"
	@echo "make test   set up, lint (make lint) and run the test suite"
	@echo "make dev    Dagster UI on http://127.0.0.1:3000"
	@echo "make lint   ruff and sqlfluff"
	@echo "make docs   dbt docs (catalog of the built warehouse): open target/static_index.html, or make docs-serve"
	@echo "make metrics  ask the semantic layer (MetricFlow) for KPIs by week, from the demo warehouse"
	@echo "make bench  scale benchmark: 1M / 10M / 50M events and 50M of history (hours; SIZES='1m 10m' for fewer)"
	@echo "make bench-spark  the same refreshes on a local Spark session (1M; SPARK_SIZES to change)"
	@echo "make clean  remove data/, target/ and logs/"

# uv comes from PyPI (the only registry some machines reach), into the user's ~/.local/bin.
$(UV):
	python3 -m pip install --user --quiet uv

# --compile-bytecode: this machine sets PYTHONDONTWRITEBYTECODE, so without it every process
# (each refresh, each dbt run) compiled Dagster's and dbt's sources again: ~10 s per refresh.
# --inexact: a plain `make lint` or `make demo` keeps the `spark` group an earlier setup installed
# (an exact sync removed pyspark under a Spark refresh running beside it).
setup: $(UV) java
	$(UV) sync --frozen --inexact --compile-bytecode $(SYNC_GROUPS)
	mkdir -p $(DAGSTER_HOME)
	$(RUN) python -c "from orchestration.transform.dbt_parse import prepare_dbt_manifest; prepare_dbt_manifest()"

demo: setup
	$(RUN) warehouse demo

# The KPI report, the Dagster UI and the docs site are tested in a real headless browser, which
# playwright drives: Debian's Chromium
# (the registry's playwright browsers are out of reach on some machines). Installed only when
# missing, as root or through sudo; otherwise the message says what to install.
# WAREHOUSE_SKIP_BROWSER_TESTS=1 skips the browser tests instead (tests/browser.py).
BROWSERS := chromium chromium-browser google-chrome
browser:
	@if [ "$${WAREHOUSE_SKIP_BROWSER_TESTS:-}" = 1 ]; then exit 0; fi; \
	for name in $(BROWSERS); do command -v $$name >/dev/null 2>&1 && exit 0; done; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; \
	else \
	  echo "make test: the browser tests (KPI report, Dagster UI, docs site) need Chromium, which is not installed." >&2; \
	  echo "  Install Debian's package as root: apt-get install chromium" >&2; \
	  echo "  (or run 'make test' as root / with password-less sudo, which installs it;" >&2; \
	  echo "  WAREHOUSE_SKIP_BROWSER_TESTS=1 make test skips them)" >&2; \
	  exit 1; \
	fi; \
	echo "installing Debian's chromium for the browser tests (apt-get) ..."; \
	$$sudo apt-get update -q >/dev/null && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null

# Spark runs on a JVM: Java 17 or newer, from Debian (default-jre-headless) when missing, as root
# or through password-less sudo; otherwise the message says what to install. Only when Spark is
# wanted (WAREHOUSE_ENGINE=spark, or `make test`).
# WAREHOUSE_SKIP_SPARK_TESTS=1 skips the Spark test of `make test` instead.
java:
	@if [ -z "$(SYNC_GROUPS)" ]; then exit 0; fi; \
	version=$$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1); \
	if [ -n "$$version" ] && [ "$$version" -ge 17 ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; \
	else \
	  echo "Spark needs Java 17 or newer, which is not installed (found: $${version:-none})." >&2; \
	  echo "  Install Debian's package as root: apt-get install default-jre-headless" >&2; \
	  echo "  (WAREHOUSE_SKIP_SPARK_TESTS=1 make test skips the Spark test)" >&2; \
	  exit 1; \
	fi; \
	echo "installing Debian's Java runtime for Spark (apt-get) ..."; \
	$$sudo apt-get update -q >/dev/null && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-jre-headless >/dev/null

# Lint first: it fails in a couple of minutes where the suite takes many more.
test: export WITH_SPARK = $(if $(filter 1,$(WAREHOUSE_SKIP_SPARK_TESTS)),,1)
test: setup browser lint
	$(RUN) pytest

dev: setup
	$(RUN) dagster dev -h 127.0.0.1 -p 3000 -m orchestration.definitions

# sqlfluff renders each model with dbt itself (the dbt templater: the project's own macros, vars
# and adapter, not imitations of them). Some macros read seed rules while compiling
# (macros/seed_rules.sql), so lint compiles against a DuckDB file of its own holding only the seeds,
# made again only when a seed changes: it works from a fresh clone and never opens the working
# warehouse (which a refresh may hold). Its dbt target folder is its own too, so the saved parse in
# target/ stays the one `setup` made. A model dbt cannot compile is skipped by sqlfluff with only a
# warning; lint fails on that, or it would pass without having read the model.
LINT_DIR := $(CURDIR)/target/lint
LINT_DBT_ENV := WAREHOUSE_DUCKDB_PATH=$(LINT_DIR)/seeds.duckdb DBT_TARGET_PATH=$(LINT_DIR)

$(LINT_DIR)/seeds.duckdb: dbt_project.yml profiles.yml $(wildcard seeds/*) | setup
	mkdir -p $(LINT_DIR)
	rm -f $@
	$(LINT_DBT_ENV) $(RUN) dbt seed --quiet || { rm -f $@; exit 1; }

lint: setup $(LINT_DIR)/seeds.duckdb
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	set -o pipefail; $(LINT_DBT_ENV) $(RUN) sqlfluff lint dbt_project/models --processes 2 2>&1 \
		| tee $(LINT_DIR)/sqlfluff.log
	@if grep -q "Skipped file" $(LINT_DIR)/sqlfluff.log; then \
		echo "make lint: sqlfluff skipped the models above, which dbt could not compile" >&2; exit 1; fi

# --static also writes target/static_index.html, the site with the manifest and catalog inside it:
# it opens from the file (no server), which is how tests/test_docs_site.py reads it.
docs: setup
	$(RUN) dbt docs generate --static

docs-serve: docs
	$(RUN) dbt docs serve --host 127.0.0.1 --port 8080

# An analyst's first questions to the semantic layer: the metrics it knows, then a few KPIs by week
# (METRICS / GROUP_BY to ask others, e.g. GROUP_BY=metric_time__month,session__channel_group).
# mf reads dbt's saved parse (target/, which `setup` keeps current) and profiles.yml, so it asks the
# warehouse at WAREHOUSE_DUCKDB_PATH: the one `make demo` builds. dbt opens that file read-write,
# so not while a refresh (or `make dev`'s run) is writing it.
METRICS ?= sessions,conversion_rate,nps
GROUP_BY ?= metric_time__week
comma := ,
metrics: setup
	@if [ ! -f "$(WAREHOUSE_DUCKDB_PATH)" ]; then \
		echo "make metrics: no warehouse at $(WAREHOUSE_DUCKDB_PATH); build the demo first: make demo" >&2; \
		exit 1; fi
	$(RUN) mf list metrics
	$(RUN) mf query --metrics $(METRICS) --group-by $(GROUP_BY) --order $(firstword $(subst $(comma), ,$(GROUP_BY)))

SIZES ?= 1m 10m 50m 50m-history
bench: setup
	$(RUN) python bench/bench_scale.py --sizes $(SIZES)

# The same refreshes on a local Spark session (contract §7; bench/README.md compares them).
bench-spark: export WITH_SPARK = 1
bench-spark: setup
	$(RUN) python bench/bench_scale.py --sizes $(or $(SPARK_SIZES),1m) --engine spark

bench-sessions: setup
	$(RUN) python bench/bench_sessions.py --sizes 1m 10m

clean:
	rm -rf data target logs

bench-customers: setup
	$(RUN) python bench/bench_customers.py --sizes 100k 1m
