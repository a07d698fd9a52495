#!/usr/bin/env bash
# Cross-cluster run on real network namespaces, as three clusters would be:
#   edge    (streamer, conf/edge.json)           10.77.1.1 --veth-- 10.77.1.2  shared (Redis)
#   central (collector + gateway, PostgreSQL)    10.77.2.2 --veth-- 10.77.2.1  shared
# Phase 1: the edge streams one pass of the bundled sample (source timestamps, paced); the central
#   gateway must then hold exactly its 2470 samples of 247 GPUs.
# Phase 2: a second edge run streams a copy of the sample whose timestamps are shifted by
#   --shift-seconds (default one day; written into the work dir), and the edge<->shared link is cut
#   for --cut-seconds while it streams (the edge spools to disk), then restored. The gateway must
#   then hold exactly 2 x 2470 samples of the same 247 GPUs, 2470 in each pass's time window:
#   nothing lost, nothing doubled.
# Needs root (ip netns), redis-server, the built jar (target/telemetry-pipeline.jar) and the test
# classpath (embedded PostgreSQL from Maven). Namespaces, processes and files are removed on every
# exit path.
#
# Usage: scripts/e2e-cross-cluster.sh [--keep-logs DIR] [--cut-seconds N] [--shift-seconds N]
set -euo pipefail
cd "$(dirname "$0")/.."

# names unique to this run (interface names stay within 15 characters), so two runs never meet
prefix="${E2E_PREFIX:-tp$$}"
edge="$prefix-edge"; shared="$prefix-shared"; central="$prefix-central"
cut_seconds=6
shift_seconds=86400
keep_logs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --keep-logs | --cut-seconds | --shift-seconds)
      [ $# -ge 2 ] || { echo "option $1 needs a value" >&2; exit 2; }
      case "$1" in
        --keep-logs) keep_logs="$2" ;;
        --cut-seconds) cut_seconds="$2" ;;
        --shift-seconds) shift_seconds="$2" ;;
      esac
      shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

log() { printf '%s e2e: %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { log "FAILED: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root for ip netns"
command -v ip >/dev/null || die "ip (iproute2) is missing: run scripts/provision-test-deps.sh"
command -v redis-server >/dev/null || die "redis-server is missing: run scripts/provision-test-deps.sh"
[ -f target/telemetry-pipeline.jar ] || die "target/telemetry-pipeline.jar is missing: mvn -B package -DskipTests"
[[ "$cut_seconds" =~ ^[0-9]+$ && "$shift_seconds" =~ ^[0-9]+$ ]] || die "--cut-seconds and --shift-seconds take whole seconds"

sample=src/main/resources/sample/dcgm_metrics_20250718_134233.csv
rows=2470       # data rows of the sample, each a distinct (GPU, metric, timestamp)
gpu_count=247
[ "$(tail -n +2 "$sample" | grep -c .)" = "$rows" ] || die "$sample no longer holds $rows rows"

work="$(mktemp -d /tmp/e2e-cross-cluster.XXXXXX)"

# Whether PID is a live process (an exited child stays a zombie until reaped: not alive).
alive() {
  local state
  state="$(ps -o stat= -p "$1" 2>/dev/null || true)"
  [ -n "$state" ] && [ "${state#Z}" = "$state" ]
}

# stop PID...: SIGTERM, up to 15 s to exit, then SIGKILL.
stop() {
  local pid left
  [ $# -gt 0 ] || return 0
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 30); do
    left=0
    for pid in "$@"; do if alive "$pid"; then left=1; fi; done
    [ "$left" -eq 0 ] && return 0
    sleep 0.5
  done
  for pid in "$@"; do kill -9 "$pid" 2>/dev/null || true; done
}

cleanup() {
  local code=$? ns pid all=()
  # Every process this script starts runs inside one of its namespaces, so these are exactly
  # them (with PostgreSQL's server processes), and never a recycled PID of someone else's.
  for ns in "$edge" "$shared" "$central"; do
    while read -r pid; do
      if [ -n "$pid" ]; then all+=("$pid"); fi
    done < <(ip netns pids "$ns" 2>/dev/null || true)
  done
  stop "${all[@]}"
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
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the second pass's input: the sample with every timestamp moved by shift_seconds -----------
# Every row of the sample has one of a few distinct timestamps (RFC 3339, whole seconds, UTC);
# each is mapped with date(1), then awk rewrites the first column. Rows, GPUs and metrics stay.
tail -n +2 "$sample" | cut -d, -f1 | tr -d '"' | sort -u > "$work/timestamps"
while read -r ts; do
  [[ "$ts" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] || die "unexpected timestamp '$ts' in $sample"
  printf '%s %s\n' "$ts" "$(date -u -d "@$(( $(date -u -d "$ts" +%s) + shift_seconds ))" +%Y-%m-%dT%H:%M:%SZ)"
done < "$work/timestamps" > "$work/timestamp-map"
awk -v map="$work/timestamp-map" '
  BEGIN { while ((getline line < map) > 0) { split(line, p, " "); to[p[1]] = p[2] } }
  NR == 1 { print; next }
  {
    i = index($0, ","); ts = substr($0, 1, i - 1); gsub(/"/, "", ts)
    if (!(ts in to)) { print "unmapped timestamp " ts > "/dev/stderr"; exit 1 }
    print "\"" to[ts] "\"" substr($0, i)
  }' "$sample" > "$work/sample-shifted.csv"
pass1_first="$(head -n 1 "$work/timestamp-map" | cut -d' ' -f1)"
pass1_last="$(tail -n 1 "$work/timestamp-map" | cut -d' ' -f1)"
pass2_first="$(head -n 1 "$work/timestamp-map" | cut -d' ' -f2)"
pass2_last="$(tail -n 1 "$work/timestamp-map" | cut -d' ' -f2)"
[ "$(date -u -d "$pass2_first" +%s)" -gt "$(date -u -d "$pass1_last" +%s)" ] \
  || die "--shift-seconds $shift_seconds is shorter than the sample's span: the two passes would overlap"
log "pass 1 spans $pass1_first..$pass1_last, pass 2 (shifted copy) $pass2_first..$pass2_last"

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

# Foreground commands only: a background job is started with `ip netns exec ... &` directly, so
# that $! is the process itself (ip netns exec and env exec into it), not a subshell whose
# child would outlive a kill.
in_ns() { local ns="$1"; shift; ip netns exec "$ns" "$@"; }

# --- shared: Redis with AUTH and AOF ------------------------------------------------------------
redis_password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
printf '%s' "$redis_password" > "$work/redis-password"
mkdir -p "$work/redis"
ip netns exec "$shared" redis-server --bind 10.77.1.2 10.77.2.1 --port 6379 --protected-mode no \
  --requirepass "$redis_password" --appendonly yes --dir "$work/redis" --save '' > "$work/redis.log" 2>&1 &

# --- central: PostgreSQL (embedded binaries from Maven) on the namespace's loopback -------------
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$work/test.classpath" >/dev/null 2>&1 \
  || mvn -B -q dependency:build-classpath -Dmdep.outputFile="$work/test.classpath" >/dev/null
[ -d target/test-classes ] || mvn -B -q -DskipTests test-compile
classpath="target/test-classes:target/classes:$(cat "$work/test.classpath")"
db_password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
printf '%s' "$db_password" > "$work/db-password"
ip netns exec "$central" java -cp "$classpath" org.gputelemetry.pipeline.testutil.PostgresServerMain \
  --port 5432 --password-file "$work/db-password" --ready-file "$work/pg.ready" > "$work/postgres.log" 2>&1 &
for _ in $(seq 1 120); do [ -f "$work/pg.ready" ] && break; sleep 0.5; done
[ -f "$work/pg.ready" ] || die "PostgreSQL did not start"
log "Redis (shared) and PostgreSQL (central) are up"

# --- central: collectors + gateway ---------------------------------------------------------------
ip netns exec "$central" env INSTANCE_ID=central-0 REDIS_HOST=10.77.2.1 REDIS_PASSWORD_FILE="$work/redis-password" \
  DB_HOST=127.0.0.1 DB_PORT=5432 DB_SSLMODE=disable DB_PASSWORD_FILE="$work/db-password" GATEWAY_PORT=8080 \
  java -Xmx512m -jar target/telemetry-pipeline.jar -conf conf/central.json > "$work/central.log" 2>&1 &

api() { in_ns "$central" curl -sf --max-time 5 "http://10.77.2.2:8080$1"; }
for _ in $(seq 1 120); do api /ready >/dev/null 2>&1 && break; sleep 0.5; done
api /ready >/dev/null || die "central gateway not ready: $(api /ready || true)"
log "central gateway ready"

# start_edge NAME CSV SPOOL_DIR: one paced pass of CSV (source timestamps) from the edge namespace,
# its ops endpoint on 127.0.0.1:9090 there; sets edge_pid.
start_edge() {
  local name="$1" csv="$2" spool="$3"
  ip netns exec "$edge" env INSTANCE_ID="$name" REDIS_HOST=10.77.1.2 REDIS_PASSWORD_FILE="$work/redis-password" \
    SPOOL_DIR="$spool" CSV_PATH="$csv" STREAMER_LOOP_MODE=false STREAMER_TIMESTAMP_MODE=source \
    STREAMER_RATE=100 STREAMER_WORKERS=2 OPS_ENABLED=true OPS_PORT=9090 \
    java -Xmx512m -jar target/telemetry-pipeline.jar -conf conf/edge.json > "$work/$name.log" 2>&1 &
  edge_pid=$!
}

# Samples the central gateway holds, summed over its GPUs' telemetry; with START END only those
# whose timestamp is in [START, END].
# One curl fetches every GPU's page (a process per GPU inside the namespace would take minutes);
# each page carries one top-level "count" (samples have none).
stored_samples() {
  local window="" urls=() uuid total=0 count
  [ $# -eq 2 ] && window="&start_time=$1&end_time=$2"
  for uuid in $(api /api/v1/gpus | grep -o '"uuid":"[^"]*"' | cut -d'"' -f4 || true); do
    urls+=("http://10.77.2.2:8080/api/v1/gpus/$uuid/telemetry?limit=10000$window")
  done
  [ ${#urls[@]} -gt 0 ] || { echo 0; return; }
  for count in $(in_ns "$central" curl -sf --max-time 60 "${urls[@]}" | grep -o '"count":[0-9]*' | cut -d: -f2 || true); do
    total=$((total + count))
  done
  echo "$total"
}

stored_gpus() { api /api/v1/gpus | grep -o '"count":[0-9]*' | head -n1 | cut -d: -f2 || true; }

# expect_exactly N WHAT: waits (up to 3 minutes) until the gateway holds N samples, then checks
# that it holds exactly N of exactly gpu_count GPUs, and still N a few seconds later.
expect_exactly() {
  local want="$1" what="$2" got gpus deadline=$((SECONDS + 180))
  while :; do
    got="$(stored_samples)"
    if [ "$got" -ge "$want" ] || [ "$SECONDS" -ge "$deadline" ]; then break; fi
    sleep 1
  done
  gpus="$(stored_gpus)"
  log "$what: central holds $got samples of ${gpus:-?} GPUs"
  [ "$gpus" = "$gpu_count" ] || die "$what: expected $gpu_count GPUs, got ${gpus:-none}"
  [ "$got" = "$want" ] || die "$what: expected exactly $want samples, got $got"
  sleep 3
  got="$(stored_samples)"
  [ "$got" = "$want" ] || die "$what: after settling, expected exactly $want samples, got $got"
}

# --- phase 1: one pass of the sample, link up ------------------------------------------------------
start_edge edge-0 "$PWD/$sample" "$work/spool-1"
expect_exactly "$rows" "after pass 1"
stop "$edge_pid"
log "pass 1 complete: edge-0 stopped"

# --- phase 2: the shifted copy, with the edge<->shared link cut for a while -----------------------
start_edge edge-1 "$work/sample-shifted.csv" "$work/spool-2"
edge_ready() { in_ns "$edge" curl -sf --max-time 2 http://127.0.0.1:9090/ready >/dev/null 2>&1; }
for _ in $(seq 1 120); do edge_ready && break; sleep 0.5; done
edge_ready || die "edge-1 not ready (ops /ready on 127.0.0.1:9090 in $edge)"
sleep 2
log "cutting the edge<->shared link for ${cut_seconds}s while edge-1 streams"
in_ns "$shared" ip link set "$prefix-s0" down
sleep "$cut_seconds"
spool_bytes="$(du -sb "$work/spool-2" 2>/dev/null | cut -f1 || true)"
log "restoring the link (edge-1's spool holds ${spool_bytes:-0} bytes)"
in_ns "$shared" ip link set "$prefix-s0" up
[ "${spool_bytes:-0}" -gt 0 ] || die "the edge did not spool while Redis was unreachable"

expect_exactly "$((2 * rows))" "after pass 2 and the cut"
first="$(stored_samples "$pass1_first" "$pass1_last")"
second="$(stored_samples "$pass2_first" "$pass2_last")"
log "pass 1 window holds $first samples, pass 2 window $second"
[ "$first" = "$rows" ] || die "pass 1's window holds $first samples, expected $rows"
[ "$second" = "$rows" ] || die "pass 2's window holds $second samples, expected $rows"
log "OK: every row of both passes arrived exactly once, the second across a cut link"
