# paper-graph: `make test` and `make run` set up everything they need (venv, Neo4j jars, Airflow home).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BOOT ?= python3.11
VENV        := .venv
PY          := $(VENV)/bin/python
SHARED      ?= $(abspath ../shared)
SOURCES     ?=
DATE        ?=
PYTEST_ARGS ?=
BENCH_BOLT_PORT ?= 27688
BENCH_HTTP_PORT ?= 27475
BENCH_PAPERS ?= 5000
BENCH_BULK_PAPERS ?= all
BENCH_LOAD_ARGS ?= # e.g. --only-bulk: the bulk import alone, by phase (a quick loop)
SCALE_BOLT_PORT ?= 27689
SCALE_HTTP_PORT ?= 27476
INCREMENT_PAPERS ?= 30000
INCREMENT_NEW ?= 50
EXECUTOR    ?= local
REDIS_PORT  ?= 6379

export PAPER_GRAPH_SHARED ?= $(SHARED)
# Airflow's components find each other as `airflow ...` commands
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export AIRFLOW_HOME ?= $(CURDIR)/var/airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__PARALLELISM ?= 4
export PAPER_GRAPH_CONFIG ?= $(CURDIR)/config/pipeline.toml

.PHONY: help install lock chromium redis neo4j-install neo4j-start neo4j-stop neo4j-status airflow run test test-fast lint format eval vocab train bench bench-load bench-increment scale docs clean

help: ## list targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check "$$(grep -E '^uv==' requirements.lock)"
	@$(VENV)/bin/uv pip sync -q --python $(PY) requirements.lock
	@$(VENV)/bin/uv pip install -q --python $(PY) --no-deps -e .
	@touch $@
	@echo "venv ready: $(VENV)"

install: $(VENV)/.installed neo4j-install ## create .venv from the lock file and resolve the Neo4j jars (idempotent)

lock: ## re-resolve requirements.lock from pyproject.toml
	$(VENV)/bin/uv pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

neo4j-install: $(VENV)/.installed ## resolve Neo4j server + Browser jars from Maven Central into .neo4j/lib
	@$(VENV)/bin/paper-graph neo4j install

neo4j-start: neo4j-install ## start the local Neo4j (Bolt 127.0.0.1:7687, Browser http://127.0.0.1:7474/browser/)
	@$(VENV)/bin/paper-graph neo4j start

neo4j-stop: ## stop the local Neo4j
	@$(VENV)/bin/paper-graph neo4j stop

neo4j-status: ## is the local Neo4j up?
	@$(VENV)/bin/paper-graph neo4j status

airflow: install $(if $(filter celery,$(EXECUTOR)),redis) ## Airflow's API server (http://127.0.0.1:8080, AIRFLOW__API__PORT), scheduler, DAG processor, triggerer on loopback (EXECUTOR=celery: + Redis on REDIS_PORT and two Celery workers); Ctrl-C stops them all
	@mkdir -p $(AIRFLOW_HOME)
	@$(VENV)/bin/paper-graph neo4j start >/dev/null
	@$(PY) -m paper_graph.local.airflow --executor $(EXECUTOR) $(if $(filter celery,$(EXECUTOR)),--redis-port $(REDIS_PORT))

run: install ## set up, start Neo4j, run ingest + graph load for a date (SOURCES=dump:../shared/seeds DATE=YYYY-MM-DD)
	@$(PY) scripts/run_pipeline.py $(if $(SOURCES),--sources "$(SOURCES)") $(if $(DATE),--date $(DATE))

chromium: ## Debian's headless Chromium + chromedriver, for the tests that use a page as a person does
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  echo "installing Debian's chromium and chromium-driver (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

redis: ## Debian's redis-server, the Celery broker of the CeleryExecutor test and `make airflow EXECUTOR=celery`
	@command -v redis-server >/dev/null || { \
	  echo "installing Debian's redis-server (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

test: install chromium redis ## all tests (real Neo4j, real Airflow, real Chromium, local HTTP server)
	@$(VENV)/bin/pytest $(PYTEST_ARGS)

test-fast: install ## the quick loop: everything but the slow tests
	@$(VENV)/bin/pytest -m "not slow" $(PYTEST_ARGS)

lint: $(VENV)/.installed ## ruff check + format check
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed ## apply ruff fixes and formatting
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

eval: install ## score entity extraction: ../shared/eval (seed000 dev, seed000b held out), SciREX held-out split, TDMSci test
	@echo "== seed000 (dev) =="
	@$(PY) -m extract.nlp.evaluate --shared $(SHARED) --seed seed000 --no-details
	@echo "== seed000b (held-out: report, never tune on it) =="
	@$(PY) -m extract.nlp.evaluate --shared $(SHARED) --seed seed000b --no-details
	@$(PY) -m extract.nlp.evaluate_public --shared $(SHARED)

vocab: install ## derive extract/nlp/patterns/vocab/*.jsonl from ../shared/vocab (reproducible)
	@$(PY) -m extract.nlp.vocab.build --shared $(SHARED)

train: install ## train pg_span_classifier with spacy train (fixed seed) and write extract/nlp/weights (reads ../shared/train, ../shared/corpus)
	@$(PY) -m extract.nlp.train --shared $(SHARED)

bench: install ## extraction and loader throughput figures (reads ../shared/corpus)
	@$(PY) -m paper_graph.bench.extract --shared $(SHARED) --limit 20000 --repeat 3
	@$(PY) -m paper_graph.bench.extract --shared $(SHARED) --limit 20000 --repeat 3 --n-process 2 --no-reference
	@$(PY) -m paper_graph.bench.snapshot --papers 100000
	@$(MAKE) --no-print-directory bench-load

bench-load: install ## loader figures only: batched UNWIND and one MERGE per row (BENCH_PAPERS), bulk import (BENCH_BULK_PAPERS)
	@$(VENV)/bin/paper-graph neo4j start --instance bench --bolt-port $(BENCH_BOLT_PORT) --http-port $(BENCH_HTTP_PORT) >/dev/null
	@NEO4J_URI=bolt://127.0.0.1:$(BENCH_BOLT_PORT) NEO4J_INSTANCE=bench NEO4J_BOLT_PORT=$(BENCH_BOLT_PORT) \
	  NEO4J_HTTP_PORT=$(BENCH_HTTP_PORT) $(PY) -m paper_graph.bench.load --papers $(BENCH_PAPERS) \
	  --bulk-papers $(BENCH_BULK_PAPERS) --wipe $(BENCH_LOAD_ARGS); \
	  status=$$?; $(VENV)/bin/paper-graph neo4j stop --instance bench >/dev/null; exit $$status

bench-increment: install ## a daily increment (INCREMENT_NEW papers) into a bulk-loaded graph of INCREMENT_PAPERS (a number or all), by step, with PROFILE
	@$(VENV)/bin/paper-graph neo4j start --instance bench --bolt-port $(BENCH_BOLT_PORT) --http-port $(BENCH_HTTP_PORT) >/dev/null
	@NEO4J_URI=bolt://127.0.0.1:$(BENCH_BOLT_PORT) NEO4J_INSTANCE=bench NEO4J_BOLT_PORT=$(BENCH_BOLT_PORT) \
	  NEO4J_HTTP_PORT=$(BENCH_HTTP_PORT) $(PY) -m paper_graph.bench.increment --papers $(INCREMENT_PAPERS) \
	  --new $(INCREMENT_NEW) --profile; \
	  status=$$?; $(VENV)/bin/paper-graph neo4j stop --instance bench >/dev/null; exit $$status

scale: install ## extract + snapshot + graph load over the 115k-paper corpus, per step against spacy.blank("en") in the same run, with peak memory (SCALE_LIMIT=N)
	@$(PY) -m paper_graph.bench.scale --shared $(SHARED) $(if $(SCALE_LIMIT),--limit $(SCALE_LIMIT)) \
	  --bolt-port $(SCALE_BOLT_PORT) --http-port $(SCALE_HTTP_PORT)

docs: $(VENV)/.installed ## regenerate docs/SCHEMA.md from graph/schema.py
	@$(PY) -m graph.schema_docs

clean: ## stop servers, remove venv, jars, data
	-@$(VENV)/bin/paper-graph neo4j stop-all 2>/dev/null
	rm -rf $(VENV) .neo4j var
