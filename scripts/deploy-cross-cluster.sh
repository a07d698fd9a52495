#!/usr/bin/env bash
# Deploys the telemetry pipeline across Kubernetes clusters with the Helm chart:
#   edge cluster     streamers only        release telemetry-edge     values-edge-cluster.yaml
#   central cluster  collectors + gateway  release telemetry-central  values-central-cluster.yaml
#                    + PostgreSQL
#   shared cluster   (optional) the Redis both reach, when no --redis-host is given
# Both sides meet in a Redis stream. Passwords go into Kubernetes Secrets created with kubectl
# (read from stdin, never on a command line) and the chart references them (existingSecret).
set -euo pipefail

SCRIPT_DIR="$(cd "${BASH_SOURCE[0]%/*}" && pwd)"
ROOT_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
CHART="${CHART:-$ROOT_DIR/helm/telemetry-pipeline}"

NAMESPACE="${NAMESPACE:-telemetry-system}"
EDGE_CONTEXT="${EDGE_CONTEXT:-}"
CENTRAL_CONTEXT="${CENTRAL_CONTEXT:-}"
SHARED_CONTEXT="${SHARED_CONTEXT:-}"
REDIS_HOST="${REDIS_HOST:-}"
REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_PASSWORD="${REDIS_PASSWORD:-}"
REDIS_TLS="${REDIS_TLS:-false}"
DB_PASSWORD="${DB_PASSWORD:-}"
IMAGE_REPOSITORY="${IMAGE_REPOSITORY:-}"
IMAGE_TAG="${IMAGE_TAG:-}"
EDGE_RELEASE="${EDGE_RELEASE:-telemetry-edge}"
CENTRAL_RELEASE="${CENTRAL_RELEASE:-telemetry-central}"
SHARED_RELEASE="${SHARED_RELEASE:-telemetry-shared}"
HELM_TIMEOUT="${HELM_TIMEOUT:-10m}"
REDIS_SECRET="telemetry-redis-credentials"
DB_SECRET="telemetry-db-credentials"
DRY_RUN=false
WAIT=false
COMMAND=""

usage() {
  cat <<EOF
Usage: ${0##*/} [options] <command>

Commands:
  deploy-edge      streamers into the edge cluster (needs --edge-context, --redis-host)
  deploy-central   collectors, API gateway and PostgreSQL into the central cluster
                   (needs --central-context, --redis-host)
  deploy-shared    a Redis (LoadBalancer Service) into the shared cluster (needs --shared-context)
  deploy-all       deploy-shared (only with --shared-context and no --redis-host), then
                   deploy-central, then deploy-edge
  status           releases, pods and services in every context given

Options (environment variable in brackets):
  --edge-context CTX       kubectl context of the edge cluster [EDGE_CONTEXT]
  --central-context CTX    kubectl context of the central cluster [CENTRAL_CONTEXT]
  --shared-context CTX     kubectl context of the shared-infrastructure cluster [SHARED_CONTEXT]
  --redis-host HOST        Redis both clusters reach [REDIS_HOST]
  --redis-port PORT        its port (default 6379) [REDIS_PORT]
  --redis-password PASS    its password, stored in Secret $REDIS_SECRET [REDIS_PASSWORD];
                           without it that Secret must already exist
  --redis-tls              connect to Redis with TLS [REDIS_TLS=true]
  --db-password PASS       PostgreSQL password, stored in Secret $DB_SECRET [DB_PASSWORD];
                           without it the chart generates one
  --namespace NS           namespace in every cluster (default telemetry-system) [NAMESPACE]
  --image-repository REPO  pipeline image repository [IMAGE_REPOSITORY]
  --image-tag TAG          pipeline image tag (default: the chart's appVersion) [IMAGE_TAG]
  --wait                   let helm wait until the pods are ready
  --dry-run                print the kubectl/helm commands (passwords masked) and run nothing
  -h, --help               show this help

Release names: EDGE_RELEASE (telemetry-edge), CENTRAL_RELEASE (telemetry-central),
SHARED_RELEASE (telemetry-shared). Chart: CHART ($CHART).
EOF
}

die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

log() {
  printf '==> %s\n' "$*"
}

need_value() {
  [[ $# -ge 2 && -n "$2" ]] || die "option $1 needs a value (see --help)"
}

parse_args() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --edge-context) need_value "$@"; EDGE_CONTEXT="$2"; shift 2 ;;
      --central-context) need_value "$@"; CENTRAL_CONTEXT="$2"; shift 2 ;;
      --shared-context) need_value "$@"; SHARED_CONTEXT="$2"; shift 2 ;;
      --redis-host) need_value "$@"; REDIS_HOST="$2"; shift 2 ;;
      --redis-port) need_value "$@"; REDIS_PORT="$2"; shift 2 ;;
      --redis-password) need_value "$@"; REDIS_PASSWORD="$2"; shift 2 ;;
      --redis-tls) REDIS_TLS=true; shift ;;
      --db-password) need_value "$@"; DB_PASSWORD="$2"; shift 2 ;;
      --namespace | -n) need_value "$@"; NAMESPACE="$2"; shift 2 ;;
      --image-repository) need_value "$@"; IMAGE_REPOSITORY="$2"; shift 2 ;;
      --image-tag) need_value "$@"; IMAGE_TAG="$2"; shift 2 ;;
      --wait) WAIT=true; shift ;;
      --dry-run) DRY_RUN=true; shift ;;
      -h | --help) usage; exit 0 ;;
      deploy-edge | deploy-central | deploy-shared | deploy-all | status)
        [[ -z "$COMMAND" ]] || die "give one command, got '$COMMAND' and '$1'"
        COMMAND="$1"; shift ;;
      *) die "unknown argument '$1' (see --help)" ;;
    esac
  done
  [[ -n "$COMMAND" ]] || { usage >&2; die "no command given"; }
  [[ "$REDIS_PORT" =~ ^[0-9]+$ ]] || die "--redis-port must be a number, got '$REDIS_PORT'"
}

# Prints a command the way a shell would read it back.
print_cmd() {
  local out="+"
  local arg
  for arg in "$@"; do
    out+=" $(printf '%q' "$arg")"
  done
  printf '%s\n' "$out"
}

# Runs a command, or only prints it with --dry-run.
run() {
  print_cmd "$@"
  if [[ "$DRY_RUN" == false ]]; then
    "$@"
  fi
}

# Fails with a clear message when helm or kubectl is missing (not needed for --dry-run).
require_tools() {
  [[ "$DRY_RUN" == true ]] && return 0
  command -v helm > /dev/null 2>&1 \
    || die "helm not found on PATH: install Helm 3 (https://helm.sh/docs/intro/install/) or use --dry-run"
  command -v kubectl > /dev/null 2>&1 \
    || die "kubectl not found on PATH: install it (https://kubernetes.io/docs/tasks/tools/) or use --dry-run"
}

# Fails unless kubectl knows the context.
require_context() {
  local ctx="$1" flag="$2"
  [[ -n "$ctx" ]] || die "$flag is required for $COMMAND"
  [[ "$DRY_RUN" == true ]] && return 0
  local known
  known="$(kubectl config get-contexts -o name)" || die "cannot list kubectl contexts"
  local name
  while IFS= read -r name; do
    [[ "$name" == "$ctx" ]] && return 0
  done <<< "$known"
  die "kubectl context '$ctx' ($flag) does not exist; known contexts: ${known//$'\n'/ }"
}

ensure_namespace() {
  local ctx="$1"
  printf '+ %s | %s\n' \
    "kubectl --context $(printf '%q' "$ctx") create namespace $(printf '%q' "$NAMESPACE") --dry-run=client -o yaml" \
    "kubectl --context $(printf '%q' "$ctx") apply -f -"
  if [[ "$DRY_RUN" == false ]]; then
    kubectl --context "$ctx" create namespace "$NAMESPACE" --dry-run=client -o yaml \
      | kubectl --context "$ctx" apply -f -
  fi
}

# Creates or updates a Secret with key "password"; the value travels on stdin only.
apply_secret() {
  local ctx="$1" name="$2" password="$3"
  printf "+ printf '%%s' '****' | %s | %s\n" \
    "kubectl --context $(printf '%q' "$ctx") --namespace $(printf '%q' "$NAMESPACE") create secret generic $name --from-file=password=/dev/stdin --dry-run=client -o yaml" \
    "kubectl --context $(printf '%q' "$ctx") --namespace $(printf '%q' "$NAMESPACE") apply -f -"
  if [[ "$DRY_RUN" == false ]]; then
    printf '%s' "$password" \
      | kubectl --context "$ctx" --namespace "$NAMESPACE" create secret generic "$name" \
          --from-file=password=/dev/stdin --dry-run=client -o yaml \
      | kubectl --context "$ctx" --namespace "$NAMESPACE" apply -f -
  fi
}

# Without a password on the command line the Secret must already be there.
require_secret() {
  local ctx="$1" name="$2" hint="$3"
  print_cmd kubectl --context "$ctx" --namespace "$NAMESPACE" get secret "$name" -o name
  if [[ "$DRY_RUN" == false ]]; then
    kubectl --context "$ctx" --namespace "$NAMESPACE" get secret "$name" -o name > /dev/null \
      || die "Secret $name is missing in $ctx/$NAMESPACE: pass $hint or create it first"
  fi
}

redis_secret() {
  local ctx="$1"
  if [[ -n "$REDIS_PASSWORD" ]]; then
    apply_secret "$ctx" "$REDIS_SECRET" "$REDIS_PASSWORD"
  else
    require_secret "$ctx" "$REDIS_SECRET" "--redis-password"
  fi
}

# helm upgrade --install with the options every release shares; extra arguments are appended.
helm_install() {
  local release="$1" ctx="$2" values="$3"
  shift 3
  local args=(upgrade --install "$release" "$CHART"
    --kube-context "$ctx" --namespace "$NAMESPACE" --create-namespace
    -f "$CHART/$values")
  [[ -n "$IMAGE_REPOSITORY" ]] && args+=(--set-string "image.repository=$IMAGE_REPOSITORY")
  [[ -n "$IMAGE_TAG" ]] && args+=(--set-string "image.tag=$IMAGE_TAG")
  [[ "$WAIT" == true ]] && args+=(--wait --timeout "$HELM_TIMEOUT")
  run helm "${args[@]}" "$@"
}

redis_values() {
  printf '%s\n' --set-string "externalRedis.host=$REDIS_HOST" \
    --set "externalRedis.port=$REDIS_PORT" \
    --set-string "externalRedis.existingSecret=$REDIS_SECRET" \
    --set "externalRedis.tls.enabled=$REDIS_TLS"
}

deploy_shared() {
  require_context "$SHARED_CONTEXT" --shared-context
  log "Shared Redis -> context $SHARED_CONTEXT, release $SHARED_RELEASE"
  ensure_namespace "$SHARED_CONTEXT"
  if [[ -n "$REDIS_PASSWORD" ]]; then
    apply_secret "$SHARED_CONTEXT" "$REDIS_SECRET" "$REDIS_PASSWORD"
  fi
  local args=(--set streamer.enabled=false --set collector.enabled=false
    --set apiGateway.enabled=false --set postgresql.enabled=false
    --set redis.enabled=true --set-string redis.service.type=LoadBalancer)
  if [[ -n "$REDIS_PASSWORD" ]]; then
    args+=(--set-string "redis.auth.existingSecret=$REDIS_SECRET")
  fi
  helm_install "$SHARED_RELEASE" "$SHARED_CONTEXT" values.yaml "${args[@]}"
  local selector="app.kubernetes.io/instance=$SHARED_RELEASE,app.kubernetes.io/component=redis"
  local get_secret=(kubectl --context "$SHARED_CONTEXT" --namespace "$NAMESPACE" get secret
    -l "$selector" -o 'jsonpath={.items[0].data.password}')
  local get_address=(kubectl --context "$SHARED_CONTEXT" --namespace "$NAMESPACE" get service
    -l "$selector" -o 'jsonpath={.items[0].status.loadBalancer.ingress[0].ip}{.items[0].status.loadBalancer.ingress[0].hostname}')
  if [[ -z "$REDIS_PASSWORD" ]]; then
    # The chart generated the password: the edge and central clusters need the same one.
    print_cmd "${get_secret[@]}"
  fi
  print_cmd "${get_address[@]}"
  if [[ "$DRY_RUN" == true ]]; then
    REDIS_PASSWORD="${REDIS_PASSWORD:-generated-by-$SHARED_RELEASE}"
    REDIS_HOST="${REDIS_HOST:-<load-balancer-address-of-$SHARED_RELEASE-redis>}"
    return 0
  fi
  if [[ -z "$REDIS_PASSWORD" ]]; then
    local secret
    secret="$("${get_secret[@]}")"
    [[ -n "$secret" ]] || die "cannot read the generated Redis password of release $SHARED_RELEASE"
    REDIS_PASSWORD="$(printf '%s' "$secret" | base64 --decode)"
  fi
  log "Waiting for the load-balancer address of the shared Redis"
  local address="" i
  for ((i = 0; i < 60; i++)); do
    address="$("${get_address[@]}")"
    [[ -n "$address" ]] && break
    sleep 5
  done
  [[ -n "$address" ]] || die "the shared Redis Service got no load-balancer address in 5 minutes; pass --redis-host"
  REDIS_HOST="$address"
  log "Shared Redis reachable at $REDIS_HOST:$REDIS_PORT"
}

deploy_central() {
  require_context "$CENTRAL_CONTEXT" --central-context
  [[ -n "$REDIS_HOST" ]] || die "--redis-host (or REDIS_HOST) is required for deploy-central"
  log "Central cluster -> context $CENTRAL_CONTEXT, release $CENTRAL_RELEASE"
  ensure_namespace "$CENTRAL_CONTEXT"
  redis_secret "$CENTRAL_CONTEXT"
  local args
  mapfile -t args < <(redis_values)
  if [[ -n "$DB_PASSWORD" ]]; then
    apply_secret "$CENTRAL_CONTEXT" "$DB_SECRET" "$DB_PASSWORD"
    args+=(--set-string "postgresql.auth.existingSecret=$DB_SECRET")
  fi
  helm_install "$CENTRAL_RELEASE" "$CENTRAL_CONTEXT" values-central-cluster.yaml "${args[@]}"
}

deploy_edge() {
  require_context "$EDGE_CONTEXT" --edge-context
  [[ -n "$REDIS_HOST" ]] || die "--redis-host (or REDIS_HOST) is required for deploy-edge"
  log "Edge cluster -> context $EDGE_CONTEXT, release $EDGE_RELEASE"
  ensure_namespace "$EDGE_CONTEXT"
  redis_secret "$EDGE_CONTEXT"
  local args
  mapfile -t args < <(redis_values)
  helm_install "$EDGE_RELEASE" "$EDGE_CONTEXT" values-edge-cluster.yaml "${args[@]}"
}

status_of() {
  local ctx="$1" release="$2"
  [[ -n "$ctx" ]] || return 0
  require_context "$ctx" "context of $release"
  log "$release in context $ctx"
  run helm status "$release" --kube-context "$ctx" --namespace "$NAMESPACE" || true
  run kubectl --context "$ctx" --namespace "$NAMESPACE" get pods,services,pvc \
    -l "app.kubernetes.io/instance=$release" -o wide || true
}

main() {
  parse_args "$@"
  case "$COMMAND" in
    deploy-edge)
      require_tools
      deploy_edge ;;
    deploy-central)
      require_tools
      deploy_central ;;
    deploy-shared)
      require_tools
      deploy_shared ;;
    deploy-all)
      require_tools
      [[ -n "$EDGE_CONTEXT" ]] || die "--edge-context is required for deploy-all"
      [[ -n "$CENTRAL_CONTEXT" ]] || die "--central-context is required for deploy-all"
      if [[ -z "$REDIS_HOST" && -n "$SHARED_CONTEXT" ]]; then
        deploy_shared
      fi
      deploy_central
      deploy_edge ;;
    status)
      require_tools
      [[ -n "$EDGE_CONTEXT$CENTRAL_CONTEXT$SHARED_CONTEXT" ]] \
        || die "status needs at least one of --edge-context, --central-context, --shared-context"
      status_of "$SHARED_CONTEXT" "$SHARED_RELEASE"
      status_of "$CENTRAL_CONTEXT" "$CENTRAL_RELEASE"
      status_of "$EDGE_CONTEXT" "$EDGE_RELEASE" ;;
  esac
  if [[ "$DRY_RUN" == true ]]; then
    log "dry run: nothing was changed"
  fi
}

main "$@"
