#!/usr/bin/env bash
# Installs or upgrades the whole pipeline in one Kubernetes cluster with
# helm/telemetry-pipeline/values-same-cluster.yaml: streamers, collectors and the API gateway on
# the clustered event bus, samples in the in-cluster PostgreSQL.
# A PostgreSQL password given here goes into a Secret created with kubectl (read from stdin)
# that the chart references; without one the chart generates a password once and keeps it.
set -euo pipefail

SCRIPT_DIR="$(cd "${BASH_SOURCE[0]%/*}" && pwd)"
ROOT_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
CHART="${CHART:-$ROOT_DIR/helm/telemetry-pipeline}"

NAMESPACE="${NAMESPACE:-telemetry-system}"
RELEASE="${RELEASE:-telemetry-pipeline}"
KUBE_CONTEXT="${KUBE_CONTEXT:-}"
IMAGE_REPOSITORY="${IMAGE_REPOSITORY:-}"
IMAGE_TAG="${IMAGE_TAG:-}"
DB_PASSWORD="${DB_PASSWORD:-}"
HELM_TIMEOUT="${HELM_TIMEOUT:-10m}"
DB_SECRET="telemetry-db-credentials"
EXTRA_VALUES=()
DRY_RUN=false
WAIT=false

usage() {
  cat <<EOF
Usage: ${0##*/} [options]

Runs: helm upgrade --install RELEASE helm/telemetry-pipeline -f values-same-cluster.yaml ...

Options (environment variable in brackets):
  --namespace NS           target namespace (default telemetry-system) [NAMESPACE]
  --release NAME           release name (default telemetry-pipeline) [RELEASE]
  --context CTX            kubectl context (default: the current one) [KUBE_CONTEXT]
  --image-repository REPO  pipeline image repository [IMAGE_REPOSITORY]
  --image-tag TAG          pipeline image tag (default: the chart's appVersion) [IMAGE_TAG]
  --db-password PASS       PostgreSQL password, stored in Secret $DB_SECRET [DB_PASSWORD]
  -f, --values FILE        extra values file applied after values-same-cluster.yaml (repeatable)
  --wait                   let helm wait until the pods are ready
  --dry-run                print the kubectl/helm commands (passwords masked) and run nothing
  -h, --help               show this help
EOF
}

die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

need_value() {
  [[ $# -ge 2 && -n "$2" ]] || die "option $1 needs a value (see --help)"
}

print_cmd() {
  local out="+"
  local arg
  for arg in "$@"; do
    out+=" $(printf '%q' "$arg")"
  done
  printf '%s\n' "$out"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --namespace | -n) need_value "$@"; NAMESPACE="$2"; shift 2 ;;
    --release) need_value "$@"; RELEASE="$2"; shift 2 ;;
    --context) need_value "$@"; KUBE_CONTEXT="$2"; shift 2 ;;
    --image-repository) need_value "$@"; IMAGE_REPOSITORY="$2"; shift 2 ;;
    --image-tag) need_value "$@"; IMAGE_TAG="$2"; shift 2 ;;
    --db-password) need_value "$@"; DB_PASSWORD="$2"; shift 2 ;;
    -f | --values) need_value "$@"; EXTRA_VALUES+=("$2"); shift 2 ;;
    --wait) WAIT=true; shift ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

kubectl_ctx=(kubectl)
helm_ctx=()
if [[ -n "$KUBE_CONTEXT" ]]; then
  kubectl_ctx+=(--context "$KUBE_CONTEXT")
  helm_ctx+=(--kube-context "$KUBE_CONTEXT")
fi

if [[ "$DRY_RUN" == false ]]; then
  command -v helm > /dev/null 2>&1 \
    || die "helm not found on PATH: install Helm 3 (https://helm.sh/docs/intro/install/) or use --dry-run"
  command -v kubectl > /dev/null 2>&1 \
    || die "kubectl not found on PATH: install it (https://kubernetes.io/docs/tasks/tools/) or use --dry-run"
  if [[ -n "$KUBE_CONTEXT" ]]; then
    kubectl config get-contexts -o name | grep -qxF -- "$KUBE_CONTEXT" \
      || die "kubectl context '$KUBE_CONTEXT' does not exist (kubectl config get-contexts)"
  fi
fi
for file in "${EXTRA_VALUES[@]}"; do
  [[ -f "$file" ]] || die "values file $file not found"
done

args=(upgrade --install "$RELEASE" "$CHART" "${helm_ctx[@]}"
  --namespace "$NAMESPACE" --create-namespace
  -f "$CHART/values-same-cluster.yaml")
for file in "${EXTRA_VALUES[@]}"; do
  args+=(-f "$file")
done
[[ -n "$IMAGE_REPOSITORY" ]] && args+=(--set-string "image.repository=$IMAGE_REPOSITORY")
[[ -n "$IMAGE_TAG" ]] && args+=(--set-string "image.tag=$IMAGE_TAG")
[[ "$WAIT" == true ]] && args+=(--wait --timeout "$HELM_TIMEOUT")

if [[ -n "$DB_PASSWORD" ]]; then
  args+=(--set-string "postgresql.auth.existingSecret=$DB_SECRET")
  printf '+ %s | %s\n' \
    "$(print_cmd "${kubectl_ctx[@]}" create namespace "$NAMESPACE" --dry-run=client -o yaml | cut -c3-)" \
    "$(print_cmd "${kubectl_ctx[@]}" apply -f - | cut -c3-)"
  printf "+ printf '%%s' '****' | %s | %s\n" \
    "$(print_cmd "${kubectl_ctx[@]}" --namespace "$NAMESPACE" create secret generic "$DB_SECRET" --from-file=password=/dev/stdin --dry-run=client -o yaml | cut -c3-)" \
    "$(print_cmd "${kubectl_ctx[@]}" --namespace "$NAMESPACE" apply -f - | cut -c3-)"
  if [[ "$DRY_RUN" == false ]]; then
    "${kubectl_ctx[@]}" create namespace "$NAMESPACE" --dry-run=client -o yaml | "${kubectl_ctx[@]}" apply -f -
    printf '%s' "$DB_PASSWORD" \
      | "${kubectl_ctx[@]}" --namespace "$NAMESPACE" create secret generic "$DB_SECRET" \
          --from-file=password=/dev/stdin --dry-run=client -o yaml \
      | "${kubectl_ctx[@]}" --namespace "$NAMESPACE" apply -f -
  fi
fi

print_cmd helm "${args[@]}"
if [[ "$DRY_RUN" == false ]]; then
  helm "${args[@]}"
  printf '\nNext: scripts/validate-health.sh --namespace %q --release %q%s\n' "$NAMESPACE" "$RELEASE" \
    "$([[ -n "$KUBE_CONTEXT" ]] && printf ' --context %q' "$KUBE_CONTEXT")"
else
  printf '==> dry run: nothing was changed\n'
fi
