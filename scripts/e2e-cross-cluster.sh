#!/usr/bin/env bash
# Cross-cluster run on real network namespaces, as three clusters would be:
#   edge    (streamer, conf/edge.json)           10.77.1.1 --veth-- 10.77.1.2  shared (Redis)
#   central (collector + gateway, PostgreSQL)    10.77.2.2 --veth-- 10.77.2.1  shared
# Streams one pass of the bundled sample (source timestamps, paced), cuts the edge<->shared link
# mid-stream (the edge spools to disk), restores it, and checks through the central gateway that
# every row arrived exactly once. Needs root (ip netns), redis-server, the built jar
# (target/telemetry-pipeline.jar) and the test classpath (embedded PostgreSQL from Maven).
# Namespaces, processes and files are removed on every exit path.
#
# Usage: scripts/e2e-cross-cluster.sh [--keep-logs DIR] [--cut-seconds N]
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="${E2E_PREFIX:-tpe2e}"
edge="$prefix-edge"; shared="$prefix-shared"; central="$prefix-central"
cut_seconds=6
keep_logs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --keep-logs) keep_logs="$2"; shift 2 ;;
    --cut-seconds) cut_seconds="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

log() { printf '%s e2e: %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { log "FAILED: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root for ip netns"
command -v ip >/dev/null || die "ip (iproute2) is missing: run scripts/provision-test-deps.sh"
command -v redis-server >/dev/null || die "redis-server is missing: run scripts/provision-test-deps.sh"
[ -f target/telemetry-pipeline.jar ] || die "target/telemetry-pipeline.jar is missing: mvn -B package -DskipTests"

work="$(mktemp -d /tmp/e2e-cross-cluster.XXXXXX)"
pids=()

cleanup() {
  local code=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for ns in "$edge" "$shared" "$central"; do ip netns del "$ns" 2>/dev/null || true; done
  if [ -n "$keep_logs" ]; then
    mkdir -p "$keep_logs"
    cp "$work"/*.log "$keep_logs"/ 2>/dev/null || true
  fi
  if [ $code -ne 0 ]; then
    for f in "$work"/*.log; do [ -f "$f" ] && { echo "----- $f (last 30 lines)"; tail -n 30 "$f"; }; done
  fi
  rm -rf "$work"
  exit $code
}
trap cleanup EXIT INT TERM

# --- three "clusters" joined through the shared one -------------------------------------------
for ns in "$edge" "$shared" "$central"; do
  ip netns del "$ns" 2>/dev/null || true
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip link add "$prefix-e0" type veth peer name "$prefix-s0"
ip link set "$prefix-e0" netns "$edge"
ip link set "$prefix-s0" netns "$shared"
ip link add "$prefix-c0" type veth peer name "$prefix-s1"
ip link set "$prefix-c0" netns "$central"
ip link set "$prefix-s1" netns "$shared"
ip -n "$edge" addr add 10.77.1.1/24 dev "$prefix-e0"
ip -n "$shared" addr add 10.77.1.2/24 dev "$prefix-s0"
ip -n "$shared" addr add 10.77.2.1/24 dev "$prefix-s1"
ip -n "$central" addr add 10.77.2.2/24 dev "$prefix-c0"
for pair in "$edge:$prefix-e0" "$shared:$prefix-s0" "$shared:$prefix-s1" "$central:$prefix-c0"; do
  ip -n "${pair%%:*}" link set "${pair#*:}" up
done
log "namespaces $edge / $shared / $central are up"

in_ns() { local ns="$1"; shift; ip netns exec "$ns" "$@"; }

# --- shared: Redis with AUTH and AOF ------------------------------------------------------------
redis_password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
printf '%s' "$redis_password" > "$work/redis-password"
mkdir -p "$work/redis"
in_ns "$shared" redis-server --bind 10.77.1.2 10.77.2.1 --port 6379 --protected-mode no \
  --requirepass "$redis_password" --appendonly yes --dir "$work/redis" --save '' > "$work/redis.log" 2>&1 &
pids+=($!)

# --- central: PostgreSQL (embedded binaries from Maven) on the namespace's loopback -------------
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$work/test.classpath" >/dev/null 2>&1 \
  || mvn -B -q dependency:build-classpath -Dmdep.outputFile="$work/test.classpath" >/dev/null
[ -d target/test-classes ] || mvn -B -q -DskipTests test-compile
classpath="target/test-classes:target/classes:$(cat "$work/test.classpath")"
db_password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
printf '%s' "$db_password" > "$work/db-password"
in_ns "$central" java -cp "$classpath" org.gputelemetry.pipeline.testutil.PostgresServerMain \
  --port 5432 --password-file "$work/db-password" --ready-file "$work/pg.ready" > "$work/postgres.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do [ -f "$work/pg.ready" ] && break; sleep 0.5; done
[ -f "$work/pg.ready" ] || die "PostgreSQL did not start"
log "Redis (shared) and PostgreSQL (central) are up"

# --- central: collectors + gateway ---------------------------------------------------------------
in_ns "$central" env INSTANCE_ID=central-0 REDIS_HOST=10.77.2.1 REDIS_PASSWORD_FILE="$work/redis-password" \
  DB_HOST=127.0.0.1 DB_PORT=5432 DB_SSLMODE=disable DB_PASSWORD_FILE="$work/db-password" GATEWAY_PORT=8080 \
  java -Xmx512m -jar target/telemetry-pipeline.jar -conf conf/central.json > "$work/central.log" 2>&1 &
pids+=($!)

api() { in_ns "$central" curl -sf --max-time 5 "http://10.77.2.2:8080$1"; }
for _ in $(seq 1 120); do api /ready >/dev/null 2>&1 && break; sleep 0.5; done
api /ready >/dev/null || die "central gateway not ready: $(api /ready || true)"
log "central gateway ready"

# --- edge: one paced pass of the sample in source-timestamp mode ---------------------------------
in_ns "$edge" env INSTANCE_ID=edge-0 REDIS_HOST=10.77.1.2 REDIS_PASSWORD_FILE="$work/redis-password" \
  SPOOL_DIR="$work/spool" STREAMER_LOOP_MODE=false STREAMER_TIMESTAMP_MODE=source STREAMER_RATE=100 \
  STREAMER_WORKERS=2 java -Xmx512m -jar target/telemetry-pipeline.jar -conf conf/edge.json > "$work/edge.log" 2>&1 &
edge_pid=$!
pids+=("$edge_pid")

# total samples the central gateway holds: sum of per-GPU telemetry counts
stored_samples() {
  local total=0 uuid count
  for uuid in $(api /api/v1/gpus | grep -o '"uuid":"[^"]*"' | cut -d'"' -f4); do
    count="$(api "/api/v1/gpus/$uuid/telemetry?limit=10000" | grep -o '"count":[0-9]*' | head -n1 | cut -d: -f2)"
    total=$((total + ${count:-0}))
  done
  echo "$total"
}

sleep 3
log "cutting the edge<->shared link for ${cut_seconds}s"
in_ns "$edge" ip link set "$prefix-e0" down
sleep "$cut_seconds"
spool_bytes="$(du -sb "$work/spool" 2>/dev/null | cut -f1)"
log "restoring the link (edge spool holds ${spool_bytes:-0} bytes)"
in_ns "$edge" ip link set "$prefix-e0" up
[ "${spool_bytes:-0}" -gt 0 ] || die "the edge did not spool while Redis was unreachable"

expected=2470
for _ in $(seq 1 120); do
  got="$(stored_samples)"
  [ "$got" -ge "$expected" ] && break
  sleep 1
done
gpus="$(api /api/v1/gpus | grep -o '"count":[0-9]*' | head -n1 | cut -d: -f2)"
log "central holds $got samples of $gpus GPUs"
[ "$gpus" = "247" ] || die "expected 247 GPUs, got $gpus"
[ "$got" = "$expected" ] || die "expected exactly $expected samples, got $got"
sleep 3
got="$(stored_samples)"
[ "$got" = "$expected" ] || die "after settling: expected exactly $expected samples, got $got"
log "OK: every row of the sample arrived exactly once across the cut link"
