# Thin entry points; the real work lives in the `careerstream` CLI and pytest.
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)

.PHONY: up down status test test-under-load lint bench tools contracts demo fuzz k8s-verify images

tools:
	@scripts/ensure-tools

up: tools                 ## start Kafka, PostgreSQL and every service
	uv run careerstream up

demo: up                  ## the full story: a simulated company over a year, then its metrics
	uv run careerstream simulate --employees 300 --months 12 --seed 42 --tenant demo

down:                     ## stop everything `make up` started
	uv run careerstream down

status:
	uv run careerstream status

test: tools               ## the whole test suite, on real Kafka and PostgreSQL
	uv run ruff check .
	uv run mypy .
	uv run pytest

test-under-load: tools    ## the suite 3 times in a row with every core kept busy (RUNS=n)
	scripts/test-under-load

fuzz: tools               ## fuzz every service's HTTP API longer than the test run does
	FUZZ_FULL=1 FUZZ_SEEDS=$${FUZZ_SEEDS:-1,2,3} FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-40} uv run pytest tests/fuzz -q

lint: tools
	uv run ruff check . && uv run ruff format --check . && uv run mypy .

bench: tools              ## every benchmark (see bench/RESULTS.md)
	uv run python -m bench.consume_pipeline
	uv run python -m bench.skills_matrix
	uv run python -m bench.matching
	uv run python -m bench.hris_latency --rate 500 --seconds 20
	uv run python -m bench.onboarding --employees 100000
	uv run python -m bench.console --employees 10000 --requests 30
	uv run python -m bench.notifications --employees 50000
	uv run python -m bench.learning_intake --requests 1500 --rounds 3

contracts: tools          ## regenerate contracts/schemas (refuses breaking changes) and contracts/asyncapi
	uv run careerstream contracts

k8s-verify: tools         ## the Helm chart against a real kube-apiserver (built from Go, with etcd)
	scripts/k8s-verify

images:                   ## every service's image, without a Docker engine (buildah, debootstrap)
	scripts/images
