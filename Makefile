# Build, run, test, package and deploy the GPU telemetry pipeline.
# Deployment targets call the scripts in scripts/; contexts and passwords come from the
# environment (EDGE_CONTEXT, CENTRAL_CONTEXT, SHARED_CONTEXT, REDIS_HOST, REDIS_PASSWORD,
# DB_PASSWORD), never from the make command line. DRY_RUN=1 prints the commands instead.

SHELL := /bin/bash
.DEFAULT_GOAL := help

CHART       ?= helm/telemetry-pipeline
NAMESPACE   ?= telemetry-system
RELEASE     ?= telemetry-pipeline
EDGE_RELEASE    ?= telemetry-edge
CENTRAL_RELEASE ?= telemetry-central
IMAGE       ?= telemetry-pipeline
IMAGE_TAG   ?= 1.0.0
JAR         ?= target/telemetry-pipeline.jar
CONF        ?=
BENCH       ?= inprocess
BENCH_ARGS  ?=
DRY_RUN     ?=

DRY_RUN_FLAG := $(if $(DRY_RUN),--dry-run,)
IMAGE_FLAGS  := --image-repository $(IMAGE) --image-tag $(IMAGE_TAG)
VALUES_FILES := values.yaml values-same-cluster.yaml values-edge-cluster.yaml values-central-cluster.yaml
# The edge and central files need a Redis password source to render, as an install does: name the
# Secret scripts/deploy-cross-cluster.sh creates (harmless for the other files, which use no external Redis).
HELM_CHECK_SETS := --set-string externalRedis.existingSecret=telemetry-redis-credentials

export NAMESPACE EDGE_RELEASE CENTRAL_RELEASE

.PHONY: help build run test test-unit bench docker-build helm-lint helm-template \
        helm-install-same-cluster helm-install-cross-cluster-edge \
        helm-install-cross-cluster-central helm-install-cross-cluster-all \
        validate-same-cluster validate-health validate-cross-cluster validate-connectivity \
        scale-local scale-streamers scale-collectors scale-gateways scale-status scale-logs \
        scale-stop validate-scaling

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-36s %s\n", $$1, $$2}'

## ---- Build and run -------------------------------------------------------------------------

build: ## Build the fat jar (target/telemetry-pipeline.jar)
	mvn -B package -DskipTests

run: ## Run the jar (all roles on the embedded defaults; CONF=path/to/descriptor.json to pick one)
	java -jar $(JAR) $(if $(CONF),-conf $(CONF),)

test: ## Run the whole test suite: unit, integration (real servers on 127.0.0.1) and e2e
	scripts/test.sh

test-unit: ## Run the unit tests only (mvn test: no servers, no jar)
	mvn -B test

bench: ## Run a benchmark: BENCH=inprocess (default), postgres, websocket or rest; BENCH_ARGS for its options
	scripts/bench.sh $(BENCH) $(BENCH_ARGS)

docker-build: ## Build the image $(IMAGE):$(IMAGE_TAG) from docker/Dockerfile
	docker build -f docker/Dockerfile -t $(IMAGE):$(IMAGE_TAG) .

## ---- Local scaling (separate processes, scripts/scale-local.sh) --------------------------

INSTANCES           ?= 1
STREAMER_INSTANCES  ?= $(INSTANCES)
COLLECTOR_INSTANCES ?= $(INSTANCES)
API_GW_INSTANCES    ?= $(INSTANCES)
SCALE_ARGS          ?=

scale-local: ## INSTANCES of each role (default 1); gateways on 8080, 8081, ...; SCALE_ARGS=--redis etc.
	scripts/scale-local.sh start --streamers $(STREAMER_INSTANCES) --collectors $(COLLECTOR_INSTANCES) --gateways $(API_GW_INSTANCES) $(SCALE_ARGS)

scale-streamers: ## Scale the streamers to STREAMER_INSTANCES (the other roles keep theirs)
	scripts/scale-local.sh start --streamers $(STREAMER_INSTANCES) $(SCALE_ARGS)

scale-collectors: ## Scale the collectors to COLLECTOR_INSTANCES
	scripts/scale-local.sh start --collectors $(COLLECTOR_INSTANCES) $(SCALE_ARGS)

scale-gateways: ## Scale the gateways to API_GW_INSTANCES (ports 8080, 8081, ...)
	scripts/scale-local.sh start --gateways $(API_GW_INSTANCES) $(SCALE_ARGS)

scale-status: ## Each local instance: pid, port, /ready
	scripts/scale-local.sh status

scale-logs: ## The last lines of logs/streamer-*.log, logs/collector-*.log, logs/gateway-*.log
	scripts/scale-local.sh logs

scale-stop: ## Stop every local instance and the servers scale-local started
	scripts/scale-local.sh stop

validate-scaling: ## Every local instance ready, every gateway lists the same GPUs
	scripts/scale-local.sh validate

## ---- Helm chart ----------------------------------------------------------------------------

helm-lint: ## helm lint --strict the chart with each values file
	@for f in $(VALUES_FILES); do \
	  echo "==> helm lint --strict -f $(CHART)/$$f"; \
	  helm lint --strict $(CHART) -f $(CHART)/$$f $(HELM_CHECK_SETS) || exit 1; \
	done

helm-template: ## Render every mode into target/helm/<values file>
	@mkdir -p target/helm
	@for f in $(VALUES_FILES); do \
	  echo "==> target/helm/$$f"; \
	  helm template $(RELEASE) $(CHART) --namespace $(NAMESPACE) -f $(CHART)/$$f $(HELM_CHECK_SETS) > target/helm/$$f || exit 1; \
	done

## ---- Same-cluster deployment ---------------------------------------------------------------

helm-install-same-cluster: ## Install/upgrade everything in the current cluster (values-same-cluster.yaml)
	scripts/helm-install-same-cluster.sh --namespace $(NAMESPACE) --release $(RELEASE) $(IMAGE_FLAGS) $(DRY_RUN_FLAG)

validate-same-cluster: ## Pods of the same-cluster release, their /ready, and the gateway's endpoints
	kubectl get pods --namespace $(NAMESPACE) -l app.kubernetes.io/instance=$(RELEASE)
	scripts/validate-connectivity.sh --namespace $(NAMESPACE) --release $(RELEASE)
	scripts/validate-health.sh --namespace $(NAMESPACE) --release $(RELEASE)

validate-health: ## /health, /ready and /api/v1/gpus of the gateway (GATEWAY_URL=... to skip port-forward)
	scripts/validate-health.sh --namespace $(NAMESPACE) --release $(RELEASE)

## ---- Cross-cluster deployment --------------------------------------------------------------

helm-install-cross-cluster-edge: ## Streamers into EDGE_CONTEXT (needs REDIS_HOST)
	scripts/deploy-cross-cluster.sh $(IMAGE_FLAGS) $(DRY_RUN_FLAG) deploy-edge

helm-install-cross-cluster-central: ## Collectors, gateway, PostgreSQL into CENTRAL_CONTEXT (needs REDIS_HOST)
	scripts/deploy-cross-cluster.sh $(IMAGE_FLAGS) $(DRY_RUN_FLAG) deploy-central

helm-install-cross-cluster-all: ## Shared Redis (SHARED_CONTEXT, no REDIS_HOST), central, then edge
	scripts/deploy-cross-cluster.sh $(IMAGE_FLAGS) $(DRY_RUN_FLAG) deploy-all

validate-cross-cluster: ## Releases, pods and services in EDGE_CONTEXT and CENTRAL_CONTEXT
	scripts/deploy-cross-cluster.sh status

validate-connectivity: ## /ready of every pod in both clusters (Redis, PostgreSQL reachable)
	@test -n "$$EDGE_CONTEXT" -o -n "$$CENTRAL_CONTEXT" || { echo "set EDGE_CONTEXT and/or CENTRAL_CONTEXT"; exit 2; }
	@if [ -n "$$CENTRAL_CONTEXT" ]; then \
	  scripts/validate-connectivity.sh --context "$$CENTRAL_CONTEXT" --namespace $(NAMESPACE) --release $(CENTRAL_RELEASE) || exit 1; \
	fi
	@if [ -n "$$EDGE_CONTEXT" ]; then \
	  scripts/validate-connectivity.sh --context "$$EDGE_CONTEXT" --namespace $(NAMESPACE) --release $(EDGE_RELEASE) || exit 1; \
	fi
