#!/usr/bin/env bash
# Checks that pipeline processes reach their store and transport, through their own /ready
# endpoint, whose body is the pipeline's readiness report (ops/Readiness.java):
#   {"status":"UP","checks":{"store":{"status":"UP","type":"postgres"},
#                            "transport":{"status":"DOWN","error":"redis transport not connected"},...}}
#   --url URL   ask one gateway directly; its store and transport checks must be UP
#   otherwise   exec into every streamer, collector and gateway pod of a Helm release and ask
#               each one on 127.0.0.1 (gateway: http port, others: ops port), so the answer is
#               the pod's own view of Redis / Hazelcast / PostgreSQL from inside the cluster
# Cross-cluster: run it once per context (make validate-connectivity does).
# Exits 0 when every check passes, 1 otherwise.
set -euo pipefail

URL="${GATEWAY_URL:-}"
NAMESPACE="${NAMESPACE:-telemetry-system}"
RELEASE="${RELEASE:-telemetry-pipeline}"
KUBE_CONTEXT="${KUBE_CONTEXT:-}"
EXPECT="${EXPECT:-store,transport}"
TIMEOUT="${TIMEOUT:-10}"

usage() {
  cat <<EOF
Usage: ${0##*/} [--url URL] [--namespace NS] [--release NAME] [--context CTX] [--expect IDS]

  --url URL          base URL of a running gateway, e.g. http://127.0.0.1:8080 [GATEWAY_URL]
  --namespace NS     namespace of the release (default telemetry-system) [NAMESPACE]
  --release NAME     Helm release whose pods are checked (default telemetry-pipeline) [RELEASE]
  --context CTX      kubectl context (default: the current one) [KUBE_CONTEXT]
  --expect IDS       health checks that must be present and UP with --url
                     (default store,transport) [EXPECT]
  --timeout SECONDS  per-request timeout (default 10) [TIMEOUT]
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
    --expect) need_value "$@"; EXPECT="$2"; shift 2 ;;
    --timeout) need_value "$@"; TIMEOUT="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

failures=0

# Prints "name status [error]" for every check in a /ready body: each member of its "checks"
# object is {"status": "UP"|"DOWN", ...detail}, a failed one with "error".
checks_of() {
  local body="$1"
  if command -v jq > /dev/null 2>&1; then
    printf '%s' "$body" | jq -r '(.checks // {}) | to_entries[]
      | "\(.key) \(.value.status // "UNKNOWN") \(.value.error // "")"' 2> /dev/null || true
    return 0
  fi
  # Without jq: the checks are the flat {...} objects after "checks", each after its "name":.
  local rest obj id status error
  rest="$(printf '%s' "$body" | tr -d '\r\n')"
  [[ "$rest" == *'"checks"'* ]] || return 0
  rest="${rest#*\"checks\"}"
  while IFS= read -r obj; do
    id="$(printf '%s' "$obj" | sed 's/^"\([^"]*\)".*/\1/')"
    status="$(printf '%s' "$obj" | grep -o '"status" *: *"[^"]*"' | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/' || true)"
    error="$(printf '%s' "$obj" | grep -o '"error" *: *"[^"]*"' | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/' || true)"
    if [[ -n "$id" ]]; then
      printf '%s %s %s\n' "$id" "${status:-UNKNOWN}" "$error"
    fi
  done < <(printf '%s' "$rest" | grep -o '"[A-Za-z0-9_.-]*" *: *{[^{}]*}' || true)
  return 0
}

# judge WHO HTTP_CODE BODY EXPECTED_IDS: reports every check of one /ready answer.
judge() {
  local who="$1" code="$2" body="$3" expected="$4"
  local listed id status ok=true
  listed="$(checks_of "$body")"
  if [[ "$code" != 200 ]]; then
    ok=false
  fi
  while read -r id status error; do
    [[ -n "$id" ]] || continue
    printf '     %-10s %s%s\n' "$id" "$status" "${error:+ ($error)}"
    [[ "$status" == UP ]] || ok=false
  done <<< "$listed"
  local want
  IFS=',' read -r -a want <<< "$expected"
  for id in "${want[@]}"; do
    [[ -n "$id" ]] || continue
    if ! grep -q "^$id " <<< "$listed"; then
      printf '     %-10s missing from /ready\n' "$id"
      ok=false
    fi
  done
  if [[ "$ok" == true ]]; then
    printf 'PASS %s (HTTP %s)\n' "$who" "$code"
  else
    printf 'FAIL %s (HTTP %s) %s\n' "$who" "${code:-000}" "$(printf '%s' "$body" | head -c 300 | tr -d '\n')"
    failures=$((failures + 1))
  fi
}

if [[ -n "$URL" ]]; then
  command -v curl > /dev/null 2>&1 || die "curl not found on PATH"
  URL="${URL%/}"
  body_file="$(mktemp)"
  trap 'rm -f "$body_file"' EXIT
  code="$(curl -s -o "$body_file" -w '%{http_code}' --max-time "$TIMEOUT" "$URL/ready" || true)"
  printf '==> %s/ready\n' "$URL"
  judge "gateway $URL" "$code" "$(cat "$body_file")" "$EXPECT"
else
  command -v kubectl > /dev/null 2>&1 || die "kubectl not found on PATH (or give --url)"
  kubectl_cmd=(kubectl --namespace "$NAMESPACE")
  [[ -n "$KUBE_CONTEXT" ]] && kubectl_cmd+=(--context "$KUBE_CONTEXT")
  selector="app.kubernetes.io/instance=$RELEASE,app.kubernetes.io/component in (streamer,collector,api-gateway)"
  pods="$("${kubectl_cmd[@]}" get pods -l "$selector" --field-selector=status.phase=Running \
    -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.labels.app\.kubernetes\.io/component}{"\n"}{end}')" \
    || die "cannot list pods in namespace $NAMESPACE${KUBE_CONTEXT:+ (context $KUBE_CONTEXT)}"
  [[ -n "$pods" ]] || die "no running pipeline pods of release $RELEASE in namespace $NAMESPACE${KUBE_CONTEXT:+ (context $KUBE_CONTEXT)}"
  printf '==> release %s in namespace %s%s\n' "$RELEASE" "$NAMESPACE" "${KUBE_CONTEXT:+, context $KUBE_CONTEXT}"
  while read -r pod component; do
    [[ -n "$pod" ]] || continue
    port_name=ops
    expected=transport
    if [[ "$component" == api-gateway ]]; then
      port_name=http
      expected=store,transport
    elif [[ "$component" == collector ]]; then
      expected=store,transport
    fi
    port="$("${kubectl_cmd[@]}" get pod "$pod" \
      -o jsonpath="{.spec.containers[0].ports[?(@.name==\"$port_name\")].containerPort}")"
    out="$("${kubectl_cmd[@]}" exec "$pod" -c "$component" -- \
      curl -s --max-time "$TIMEOUT" -w '\n%{http_code}' "http://127.0.0.1:$port/ready" 2>&1 || true)"
    code="${out##*$'\n'}"
    body="${out%$'\n'*}"
    judge "$component $pod" "$code" "$body" "$expected"
  done <<< "$pods"
fi

if [[ "$failures" -gt 0 ]]; then
  printf '==> %d check(s) failed\n' "$failures"
  exit 1
fi
printf '==> connectivity ok\n'
