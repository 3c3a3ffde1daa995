# credit-scoring-kedro: everything runs through these targets (see README).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_ROOT ?= data
DEMO_CLIENTS ?= 20000
DEMO_SEED ?= 0
export KEDRO_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := 1
export CREDIT_DATA_ROOT := $(DATA_ROOT)
export PYTHONUNBUFFERED := 1
CREDIT_API_HOST ?= 127.0.0.1
CREDIT_API_PORT ?= 8000
DASHBOARD_PORT ?= 8501
export CREDIT_API_HOST CREDIT_API_PORT DASHBOARD_PORT
# Debian's chromium drives the real-browser tests (Playwright's own browsers are never downloaded)
CHROMIUM_INSTALL := command -v chromium >/dev/null || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium chromium-driver fonts-liberation)
# Debian's Java runtime for the optional Spark engine (pyspark 4 needs Java 17+; no jar is fetched at run time)
JAVA_INSTALL := command -v java >/dev/null || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openjdk-17-jre-headless)
SPARK_STAMP := $(VENV)/.installed-spark
# `make pipelines ENGINE=spark`: data engineering and batch scoring on Spark (local[2]), training on one machine
ENGINE ?= polars
# Kedro environment: empty = conf/base + conf/local (the demo data), full (the real data), test
KEDRO_ENV ?=
WORKFLOW := $(BIN)/python -m credit_scoring_kedro.workflow $(if $(KEDRO_ENV),--env $(KEDRO_ENV),)

.PHONY: java install-spark bench-spark credentials credentials-export credentials-user rotate-key help install run pipelines demo-data serve api dashboard browser test test-slow lint viz bench bench-scaling bench-api bench-dashboard docs mlflow purge-log drift simulate-traffic promote rollback clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 is required, found {sys.version.split()[0]} ($(PYTHON)); set PYTHON=/path/to/python3.11"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo ">> installing pinned dependencies into $(VENV) (about 2 minutes the first time)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24" wheel setuptools
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]' 2>&1 \
		| { grep -v "^WARNING: Location 'file:" || true; }
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the pinned dependencies

$(SPARK_STAMP): $(STAMP)
	@echo ">> installing the optional Spark engine (extra 'spark': pyspark) into $(VENV)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,spark]' 2>&1 \
		| { grep -v "^WARNING: Location 'file:" || true; }
	@touch $(SPARK_STAMP)

install-spark: $(SPARK_STAMP) java ## add the optional Spark engine: pyspark (extra `spark`) and Debian's Java 17

java: ## install Debian's Java 17 runtime for the Spark engine when no java is found (root)
	@$(JAVA_INSTALL) || echo "!! could not install Java: the Spark tests will be skipped"

demo-data: $(STAMP) ## generate the demo tables in data/01_raw when it holds none
	@if $(WORKFLOW) has-raw-data; then \
		echo ">> using the tables already in $(DATA_ROOT)/01_raw"; \
	else \
		echo ">> no Home Credit table in $(DATA_ROOT)/01_raw: generating demo data ($(DEMO_CLIENTS) clients, seed $(DEMO_SEED))"; \
		$(BIN)/python -m credit_scoring_kedro.demo_data --clients $(DEMO_CLIENTS) --seed $(DEMO_SEED); \
	fi

pipelines: demo-data $(if $(filter spark,$(ENGINE)),install-spark,) ## run the pipelines (skipped when data, conf and code are unchanged; FORCE=1 reruns; ENGINE=spark; KEDRO_ENV=full)
	$(WORKFLOW) pipelines --engine $(ENGINE) $(if $(FORCE),--force,)
	@$(WORKFLOW) summary

credentials: $(STAMP) ## create conf/local/credentials.yml (API keys with roles, the dashboard login) when missing
	@$(BIN)/python -m credit_scoring_kedro.serving.credentials init

credentials-export: credentials ## the dashboard host's secret file (its logins and manager key only), for deploy/compose.yaml
	@$(BIN)/python -m credit_scoring_kedro.serving.credentials export-dashboard conf/local/dashboard_credentials.yml

credentials-user: $(STAMP) ## add or reset a dashboard login (asks the password): make credentials-user USER_NAME=alice
	@$(BIN)/python -m credit_scoring_kedro.serving.credentials add-user $(or $(USER_NAME),$(USER))

rotate-key: $(STAMP) ## give an API key a new secret: make rotate-key KEY_NAME=scorer (then restart)
	@$(BIN)/python -m credit_scoring_kedro.serving.credentials rotate $(KEY_NAME)

run: pipelines ## install, generate demo data if needed, run the pipelines, then serve the API and the dashboard
	@$(BIN)/python -m credit_scoring_kedro.launcher

serve: $(STAMP) ## start the API and the dashboard together and print their URLs (Ctrl-C stops both)
	@$(BIN)/python -m credit_scoring_kedro.launcher

api: $(STAMP) credentials ## serve the scoring API with gunicorn on http://127.0.0.1:8000/api/v1 (docs: /api/v1/docs)
	$(BIN)/python -m gunicorn -c api/gunicorn.conf.py api.wsgi:app

dashboard: $(STAMP) credentials ## start the Streamlit dashboard on http://127.0.0.1:8501 (it needs the API: make api)
	CREDIT_API_KEY=$${CREDIT_API_KEY:-$$($(BIN)/python -m credit_scoring_kedro.serving.credentials key dashboard)} \
	$(BIN)/streamlit run dashboard/app.py --server.headless true --server.address $(CREDIT_API_HOST) \
		--server.port $(DASHBOARD_PORT) --browser.gatherUsageStats false

browser: ## install Debian's chromium for the real-browser tests when it is missing (root)
	@$(CHROMIUM_INSTALL) || echo "!! could not install chromium: the real-browser tests will be skipped"

test: $(STAMP) $(SPARK_STAMP) browser java ## install what the tests need and run them (slow full-size tests excluded)
	$(BIN)/python -m pytest -m "not slow"

test-slow: $(STAMP) ## the opt-in full-size tests
	$(BIN)/python -m pytest -m slow

lint: $(STAMP) ## ruff
	$(BIN)/ruff check src tests benchmarks api dashboard tools

viz: $(STAMP) ## build the kedro-viz static site into build/ (view: .venv/bin/python -m http.server -d build)
	$(BIN)/kedro viz build

bench: $(STAMP) ## time ingestion + features at 1/4, 1/2 and full size (generates full-size data once)
	$(BIN)/python benchmarks/bench_data_engineering.py

bench-spark: install-spark ## data engineering + batch scoring, Spark local[2] vs polars at 1x and 2x the full size (docs/scaling.md)
	$(BIN)/python benchmarks/bench_spark.py $(if $(SCALES),--scales $(SCALES),)

bench-scaling: $(STAMP) ## every pipeline at 1x, 2x and 4x the full size: wall, CPU, peak memory (docs/scaling.md; hours)
	$(BIN)/python benchmarks/bench_scaling.py $(if $(SCALES),--scales $(SCALES),)

bench-api: $(STAMP) ## latency and throughput of the API under gunicorn (BENCH_ROOT: a data root with trained outputs)
	$(BIN)/python benchmarks/bench_api.py --root $(or $(BENCH_ROOT),$(DATA_ROOT)) --locust

bench-dashboard: $(STAMP) browser ## time every dashboard page from the click to its painted content, in chromium
	$(BIN)/python benchmarks/bench_dashboard.py

docs: $(STAMP) ## refresh docs/methodology.md's results table and figures from the latest run
	$(BIN)/python -m credit_scoring_kedro.reporting.methodology_doc

mlflow: $(STAMP) ## the MLflow UI on the project's store (http://127.0.0.1:5000)
	$(BIN)/mlflow ui --backend-store-uri $${MLFLOW_TRACKING_URI:-sqlite:///mlflow.db} --host 127.0.0.1 --port 5000

purge-log: $(STAMP) ## delete prediction-log and access-audit rows older than the retention (DAYS=N, DRY_RUN=1)
	$(BIN)/python -m credit_scoring_kedro.serving.prediction_log purge \
		$(if $(DAYS),--older-than-days $(DAYS),) $(if $(DRY_RUN),--dry-run,)

drift: $(STAMP) ## rerun monitoring: drift report, logged-traffic windows, realised performance, alerts (STRICT=1: exit code 3 on an alert)
	$(BIN)/kedro run --pipelines monitoring $(if $(KEDRO_ENV),--env $(KEDRO_ENV),) \
		$(if $(STRICT),--params monitoring.traffic.strict=true,)

simulate-traffic: $(STAMP) credentials ## demo loop: send a seeded, growingly shifted stream through the running API (make run), write its outcomes (DECISIONS=N)
	$(BIN)/python -m credit_scoring_kedro.monitoring.traffic_simulator \
		--url http://$(CREDIT_API_HOST):$(CREDIT_API_PORT)/api/v1 $(if $(DECISIONS),--decisions $(DECISIONS),)

promote: $(STAMP) ## give the champion alias to registry version VERSION (make promote VERSION=3), then POST /admin/reload
	@$(BIN)/python -m credit_scoring_kedro.modeling.registry_cli promote --version "$(VERSION)"

rollback: $(STAMP) ## give the champion alias back to the previous champion, then POST /admin/reload
	@$(BIN)/python -m credit_scoring_kedro.modeling.registry_cli rollback

clean: ## remove generated outputs, the MLflow store and registry (keeps data/01_raw and .venv)
	find $(DATA_ROOT) -mindepth 2 -type f ! -name .gitkeep ! -path '$(DATA_ROOT)/01_raw/*' -delete
	rm -rf build mlruns mlflow.db   # the registry (bundles included) and data/06_models/registry_cache go together
