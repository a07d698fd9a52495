#!/usr/bin/env bash
# Checks a running API gateway: /health (liveness, {"status":"UP","checks":{}}), /ready (store
# and transport reachable: HTTP 200 and {"status":"UP","checks":{...}}; 503 while a check is down)
# and /api/v1/gpus (the REST API answers with JSON). Either give the gateway's URL, or let the
# script port-forward to the gateway Service of a Helm release (it then reads the bearer token from
# the release's chart-made Secret, and finds out whether the gateway serves HTTPS).
#   scripts/validate-health.sh --url http://127.0.0.1:8080 --token "$TOKEN"
#   scripts/validate-health.sh --namespace telemetry-system --release telemetry-pipeline
# Exits 0 when every check passes, 1 otherwise.
set -euo pipefail

URL="${GATEWAY_URL:-}"
NAMESPACE="${NAMESPACE:-telemetry-system}"
RELEASE="${RELEASE:-telemetry-pipeline}"
KUBE_CONTEXT="${KUBE_CONTEXT:-}"
LOCAL_PORT="${LOCAL_PORT:-18080}"
TIMEOUT="${TIMEOUT:-10}"
TOKEN="${GATEWAY_TOKEN:-}"
INSECURE="${INSECURE:-false}"
PF_PID=""

usage() {
  cat <<EOF
Usage: ${0##*/} [--url URL | --namespace NS --release NAME [--context CTX] [--local-port PORT]]

  --url URL          base URL of a running gateway, e.g. http://127.0.0.1:8080 [GATEWAY_URL]
  --namespace NS     namespace of the release (default telemetry-system) [NAMESPACE]
  --release NAME     Helm release that runs the gateway (default telemetry-pipeline) [RELEASE]
  --context CTX      kubectl context (default: the current one) [KUBE_CONTEXT]
  --local-port PORT  local end of the port-forward (default 18080) [LOCAL_PORT]
  --timeout SECONDS  per-request timeout (default 10) [TIMEOUT]
  --token TOKEN      bearer token for /api (default: read from the release's Secret) [GATEWAY_TOKEN]
  --insecure         accept any HTTPS certificate (curl -k) [INSECURE=true]
  -h, --help         show this help
EOF
}

die() {
  printf 'error: %s\n' "$*" >&2
  exit 2
}

need_value() {
  [[ $# -ge 2 && -n "$2" ]] || die "option $1 needs a value (see --help)"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --url) need_value "$@"; URL="$2"; shift 2 ;;
    --namespace | -n) need_value "$@"; NAMESPACE="$2"; shift 2 ;;
    --release) need_value "$@"; RELEASE="$2"; shift 2 ;;
    --context) need_value "$@"; KUBE_CONTEXT="$2"; shift 2 ;;
    --local-port) need_value "$@"; LOCAL_PORT="$2"; shift 2 ;;
    --timeout) need_value "$@"; TIMEOUT="$2"; shift 2 ;;
    --token) need_value "$@"; TOKEN="$2"; shift 2 ;;
    --insecure) INSECURE=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

command -v curl > /dev/null 2>&1 || die "curl not found on PATH"

cleanup() {
  if [[ -n "$PF_PID" ]]; then
    kill "$PF_PID" 2> /dev/null || true
    wait "$PF_PID" 2> /dev/null || true
  fi
}
trap cleanup EXIT

if [[ -z "$URL" ]]; then
  command -v kubectl > /dev/null 2>&1 || die "kubectl not found on PATH (or give --url)"
  kubectl_cmd=(kubectl --namespace "$NAMESPACE")
  [[ -n "$KUBE_CONTEXT" ]] && kubectl_cmd+=(--context "$KUBE_CONTEXT")
  service="$("${kubectl_cmd[@]}" get service \
    -l "app.kubernetes.io/instance=$RELEASE,app.kubernetes.io/component=api-gateway" \
    -o jsonpath='{.items[0].metadata.name}')" \
    || die "cannot list services in namespace $NAMESPACE"
  [[ -n "$service" ]] || die "release $RELEASE has no api-gateway Service in namespace $NAMESPACE"
  port="$("${kubectl_cmd[@]}" get service "$service" -o jsonpath='{.spec.ports[?(@.name=="http")].port}')"
  printf '==> port-forward svc/%s %s:%s\n' "$service" "$LOCAL_PORT" "$port"
  "${kubectl_cmd[@]}" port-forward "svc/$service" "$LOCAL_PORT:$port" > /dev/null &
  PF_PID=$!
  if [[ -z "$TOKEN" ]]; then
    # the chart-made Secret of apiGateway.auth (empty with auth off or an existingSecret)
    TOKEN="$("${kubectl_cmd[@]}" get secret \
      -l "app.kubernetes.io/instance=$RELEASE,app.kubernetes.io/component=api-gateway" \
      -o jsonpath='{.items[0].data.tokens}' 2> /dev/null | base64 -d 2> /dev/null | head -n 1 || true)"
  fi
  URL="http://127.0.0.1:$LOCAL_PORT"
  for _ in $(seq 1 30); do
    curl -s -o /dev/null --max-time 1 "$URL/health" && break
    # apiGateway.tls: the port-forward reaches the pod's own certificate, issued for another name
    if curl -sk -o /dev/null --max-time 1 "https://127.0.0.1:$LOCAL_PORT/health"; then
      URL="https://127.0.0.1:$LOCAL_PORT"
      INSECURE=true
      break
    fi
    kill -0 "$PF_PID" 2> /dev/null || die "kubectl port-forward exited"
    sleep 1
  done
fi
URL="${URL%/}"

failures=0
body_file="$(mktemp)"
trap 'rm -f "$body_file"; cleanup' EXIT

# check NAME PATH [json|up]: GET URL/PATH must answer 200, and with "json" a JSON body, with "up"
# a health report whose top-level "status" is "UP".
check() {
  local name="$1" path="$2" want="${3:-}"
  local code
  local opts=(-s -o "$body_file" -w '%{http_code}' --max-time "$TIMEOUT")
  [[ "$INSECURE" == true ]] && opts+=(-k)
  [[ -n "$TOKEN" && "$path" == /api/* ]] && opts+=(-H "Authorization: Bearer $TOKEN")
  code="$(curl "${opts[@]}" "$URL$path" || true)"
  local body
  body="$(head -c 300 "$body_file" | tr -d '\n')"
  if [[ "$code" != 200 ]]; then
    printf 'FAIL %-8s GET %s -> HTTP %s %s\n' "$name" "$path" "${code:-000}" "$body"
    [[ "$code" == 401 ]] && printf '     the API needs a bearer token: --token TOKEN (see the release notes: helm get notes %s)\n' "$RELEASE"
    failures=$((failures + 1))
    return 0
  fi
  if [[ "$want" == up ]]; then
    local status
    if command -v jq > /dev/null 2>&1; then
      status="$(jq -r '.status // empty' "$body_file" 2> /dev/null || true)"
    else
      # the report is {"status": ..., "checks": {...}}: the first "status" is the top-level one
      status="$(tr -d '\r\n' < "$body_file" | grep -o '"status" *: *"[^"]*"' | head -n 1 \
        | sed 's/.*"\([^"]*\)"$/\1/' || true)"
    fi
    if [[ "$status" != UP ]]; then
      printf 'FAIL %-8s GET %s -> HTTP 200 but status %s: %s\n' "$name" "$path" "${status:-missing}" "$body"
      failures=$((failures + 1))
      return 0
    fi
  fi
  if [[ "$want" == json ]]; then
    local first
    first="$(tr -d ' \t\r\n' < "$body_file" | head -c 1)"
    if [[ "$first" != "{" && "$first" != "[" ]]; then
      printf 'FAIL %-8s GET %s -> HTTP 200 but not JSON: %s\n' "$name" "$path" "$body"
      failures=$((failures + 1))
      return 0
    fi
  fi
  printf 'PASS %-8s GET %s -> HTTP 200 %s\n' "$name" "$path" "$body"
}

printf '==> checking %s\n' "$URL"
check health /health up
check ready /ready up
check gpus /api/v1/gpus json

if [[ "$failures" -gt 0 ]]; then
  printf '==> %d check(s) failed\n' "$failures"
  exit 1
fi
printf '==> all checks passed\n'
