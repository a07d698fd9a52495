#!/usr/bin/env bash
# Runs the pipeline as separate local processes, one per instance, the way a cluster would:
# streamers, collectors and gateways (on ports 8080, 8081, ...) talking through the clustered
# transport (Hazelcast on 127.0.0.1), or through Redis with --redis. Collectors and gateways share
# one PostgreSQL: the one given with --db-host, else a throwaway one this script starts from the
# installed server programs (initdb, pg_ctl: Debian package postgresql, or PG_BIN=their directory).
# Every instance has its own id, PID file and log under logs/. A gateway on any port answers for all.
#
# Usage: scripts/scale-local.sh <command> [options]
#   start [--streamers N] [--collectors N] [--gateways N]   start (1 of each by default), or scale
#                                          the roles named to N (the others keep what they have)
#   status                                 each instance: pid, port, /ready
#   logs [ID] [-f]                          the last lines of every log, or one instance's (-f follows)
#   validate                               every instance ready, and every gateway lists the same GPUs
#   stop                                   stop every instance and what the script started
# Options of start:
#   --redis              streamers -> Redis Stream -> collectors (a local redis-server unless --redis-host)
#   --redis-host HOST    an existing Redis (with --redis-port, REDIS_PASSWORD in the environment)
#   --db-host HOST       an existing PostgreSQL (with --db-port, DB_NAME, DB_USER, DB_PASSWORD);
#                        without it a fresh one is started on 127.0.0.1:55432 and removed at stop
#   --rate N             rows/s per streamer worker (default 1250: the demo's pace)
#   --csv FILE           DCGM CSV to replay (default: the bundled sample)
#   --one-pass           replay the file once with its own timestamps instead of looping
# Environment: START_TIMEOUT seconds each instance has to answer /health (default 180; JVMs
# starting together on a small, busy machine can take a minute or more).
set -euo pipefail

ROOT_DIR="$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)"
cd "$ROOT_DIR"
LOGS="${LOGS_DIR:-$ROOT_DIR/logs}"
JAR="$ROOT_DIR/target/telemetry-pipeline.jar"
STATE="$LOGS/scale-local.env"
CLUSTER_NAME="${CLUSTER_NAME:-telemetry-local}"
JAVA_OPTS="${JAVA_OPTS:--Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"

usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; }
log() { printf 'scale-local: %s\n' "$*"; }
die() { printf 'scale-local: %s\n' "$*" >&2; exit 1; }

pid_file() { echo "$LOGS/$1.pid"; }
running() { local f; f="$(pid_file "$1")"; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }

# instance ids of a role that are running, in order
instances() {
  local f id
  for f in "$LOGS"/"$1"-*.pid; do
    [ -e "$f" ] || continue
    id="$(basename "$f" .pid)"
    if running "$id"; then echo "$id"; else rm -f "$f"; fi
  done | sort -t- -k2 -n
}

# whether something accepts connections on 127.0.0.1:PORT
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_http() {
  local url="$1" seconds="$2"
  for _ in $(seq 1 $((seconds * 2))); do
    curl -fsS --max-time 2 "$url" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}

# stops instance ID (SIGNAL, TERM by default, then KILL after 10 s)
stop_pid() {
  local id="$1" signal="${2:-TERM}" f pid
  f="$(pid_file "$id")"
  [ -f "$f" ] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$signal" "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

ensure_jar() {
  if [ ! -f "$JAR" ]; then
    log "building $JAR"
    mvn -B -q package -DskipTests
  fi
}

# --- shared services --------------------------------------------------------------------------

# the directory of PostgreSQL's server programs: PG_BIN, else the PATH, else the newest Debian one
postgres_bin() {
  local dir
  if [ -n "${PG_BIN:-}" ]; then
    [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && echo "$PG_BIN"
    return
  fi
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    # through a symbolic link to where its siblings (createdb) are
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return
  fi
  for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5 -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
  done
  return 1
}

# a fresh PostgreSQL cluster of its own on 127.0.0.1:$DB_PORT with role $DB_USER and database $DB_NAME
start_postgres() {
  if running postgres; then return 0; fi
  local bin dir run=()
  bin="$(postgres_bin)" || die "PostgreSQL's server programs (initdb, pg_ctl) are missing: install the Debian package" \
    "postgresql (scripts/provision-test-deps.sh does), set PG_BIN to their directory, or pass --db-host"
  if listening "$DB_PORT"; then
    die "port $DB_PORT is taken (another PostgreSQL, or a fleet started with another LOGS_DIR): pass --db-port or --db-host"
  fi
  log "starting PostgreSQL ($bin) on 127.0.0.1:$DB_PORT"
  [ -f "$LOGS/db-password" ] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$LOGS/db-password")
  if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root: run it as the user postgres (the Debian package creates
    # it), in a directory of its own, since it may not be able to enter $LOGS
    id postgres >/dev/null 2>&1 || die "as root, PostgreSQL runs as the user postgres, which does not exist: create it or pass --db-host"
    dir="$(mktemp -d "${TMPDIR:-/tmp}/scale-local-postgres.XXXXXX")"
    install -m 600 -o postgres "$LOGS/db-password" "$dir/password"
    chown postgres "$dir"
    run=(runuser -u postgres --)
  else
    dir="$LOGS/postgres"
    rm -rf "$dir"
    mkdir -p "$dir"
    install -m 600 "$LOGS/db-password" "$dir/password"
  fi
  echo "$dir" > "$LOGS/postgres.dir"
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U "$DB_USER" --pwfile="$dir/password" --auth=scram-sha-256 \
    -E UTF8 --locale=C > "$LOGS/postgres.log" 2>&1 || die "initdb failed; see $LOGS/postgres.log"
  # the socket goes to its own directory too: /var/run/postgresql may be another user's
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $DB_PORT -k $dir" start >> "$LOGS/postgres.log" 2>&1 \
    || die "PostgreSQL did not start; see $LOGS/postgres.log and $dir/server.log"
  head -n 1 "$dir/data/postmaster.pid" > "$(pid_file postgres)"
  local createdb="$bin/createdb"
  [ -x "$createdb" ] || createdb="$(command -v createdb)" || die "createdb (package postgresql-client) is missing"
  PGPASSWORD="$(cat "$LOGS/db-password")" "$createdb" -h 127.0.0.1 -p "$DB_PORT" -U "$DB_USER" "$DB_NAME" \
    >> "$LOGS/postgres.log" 2>&1 || die "could not create database $DB_NAME; see $LOGS/postgres.log"
}

# a fast shutdown (open sessions are ended), then the cluster's files go
stop_postgres() {
  if running postgres; then log "stopping postgres"; fi
  stop_pid postgres INT
  if [ -f "$LOGS/postgres.dir" ]; then
    rm -rf "$(cat "$LOGS/postgres.dir")"
    rm -f "$LOGS/postgres.dir"
  fi
}

start_redis() {
  if running redis; then return 0; fi
  command -v redis-server >/dev/null || die "redis-server is missing (scripts/provision-test-deps.sh installs it) or pass --redis-host"
  if listening "$REDIS_PORT"; then
    die "port $REDIS_PORT is taken (a Redis of the machine's own?): pass --redis-port or --redis-host"
  fi
  log "starting redis-server on 127.0.0.1:$REDIS_PORT (AOF on)"
  mkdir -p "$LOGS/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$LOGS/redis" --appendonly yes --save '' \
    --daemonize no > "$LOGS/redis.log" 2>&1 &
  echo $! > "$(pid_file redis)"
  for _ in $(seq 1 40); do listening "$REDIS_PORT" && return 0; sleep 0.25; done
  die "redis-server did not start; see $LOGS/redis.log"
}

# --- instances ---------------------------------------------------------------------------------

# the environment every instance gets (descriptor values overridden per EnvOverrides)
common_env() {
  local env=(CLUSTER_NAME="$CLUSTER_NAME" CLUSTER_MEMBERS=127.0.0.1 CLUSTER_INTERFACE=127.0.0.1
    DB_HOST="$DB_HOST" DB_PORT="$DB_PORT" DB_NAME="$DB_NAME" DB_USER="$DB_USER" DB_SSLMODE=disable)
  if [ -n "$DB_PASSWORD_FILE" ]; then env+=(DB_PASSWORD_FILE="$DB_PASSWORD_FILE"); fi
  if [ "$TRANSPORT" = redis ]; then env+=(REDIS_HOST="$REDIS_HOST" REDIS_PORT="$REDIS_PORT"); fi
  printf '%s\n' "${env[@]}"
}

launch() {
  local id="$1" conf="$2"; shift 2
  local env=()
  mapfile -t env < <(common_env)
  env+=(INSTANCE_ID="$id" "$@")
  # shellcheck disable=SC2086 # JAVA_OPTS holds several flags
  env "${env[@]}" java $JAVA_OPTS -jar "$JAR" -conf "$conf" > "$LOGS/$id.log" 2>&1 &
  echo $! > "$(pid_file "$id")"
  log "started $id (pid $!, log logs/$id.log)"
}

scale() {
  local role="$1" want="$2" have i id
  mapfile -t have < <(instances "$role")
  # remove the newest instances first
  for ((i = ${#have[@]} - 1; i >= want; i--)); do
    log "stopping ${have[$i]}"
    stop_pid "${have[$i]}"
  done
  for ((i = 1; i <= want; i++)); do
    id="$role-$i"
    running "$id" && continue
    case "$role" in
      streamer)
        local s=(TRANSPORT_TYPE="$TRANSPORT" STREAMER_RATE="$RATE" OPS_PORT=$((9100 + i)))
        [ -n "$CSV" ] && s+=(CSV_PATH="$CSV")
        [ "$ONE_PASS" = true ] && s+=(STREAMER_LOOP_MODE=false STREAMER_TIMESTAMP_MODE=source)
        # Redis has no membership to split by: a static split of the input, one share per streamer
        [ "$TRANSPORT" = redis ] && s+=(STREAMER_INSTANCE_INDEX=$((i - 1)) STREAMER_INSTANCE_COUNT="$want")
        launch "$id" conf/streamer.json "${s[@]}" ;;
      collector) launch "$id" conf/collector.json TRANSPORT_TYPE="$TRANSPORT" OPS_PORT=$((9200 + i)) ;;
      gateway) launch "$id" conf/gateway.json TRANSPORT_TYPE="$TRANSPORT" GATEWAY_PORT=$((8079 + i)) ;;
    esac
  done
}

count_or_one() {
  local n
  n="$(instances "$1" | wc -l)"
  if [ "$n" -gt 0 ]; then echo "$n"; else echo 1; fi
}

port_of() {
  case "$1" in
    streamer-*) echo $((9100 + ${1#streamer-})) ;;
    collector-*) echo $((9200 + ${1#collector-})) ;;
    gateway-*) echo $((8079 + ${1#gateway-})) ;;
  esac
}

cmd_start() {
  local streamers="" collectors="" gateways=""
  TRANSPORT=clustered RATE=1250 CSV="" ONE_PASS=false
  REDIS_HOST="" REDIS_PORT=6379 DB_HOST="" DB_PORT=""
  DB_NAME="${DB_NAME:-telemetry}" DB_USER="${DB_USER:-telemetry}" DB_PASSWORD_FILE=""
  if [ -f "$STATE" ]; then
    # shellcheck disable=SC1090 # written by an earlier start: keep its services and settings
    . "$STATE"
  fi
  while [ $# -gt 0 ]; do
    case "$1" in
      --streamers) streamers="$2"; shift 2 ;;
      --collectors) collectors="$2"; shift 2 ;;
      --gateways) gateways="$2"; shift 2 ;;
      --redis) TRANSPORT=redis; shift ;;
      --redis-host) TRANSPORT=redis; REDIS_HOST="$2"; shift 2 ;;
      --redis-port) REDIS_PORT="$2"; shift 2 ;;
      --db-host) DB_HOST="$2"; shift 2 ;;
      --db-port) DB_PORT="$2"; shift 2 ;;
      --rate) RATE="$2"; shift 2 ;;
      --csv) CSV="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
      --one-pass) ONE_PASS=true; shift ;;
      *) die "unknown option $1 (see --help)" ;;
    esac
  done
  # a role not named keeps the instances it has (1 of each on a first start)
  streamers="${streamers:-$(count_or_one streamer)}"
  collectors="${collectors:-$(count_or_one collector)}"
  gateways="${gateways:-$(count_or_one gateway)}"
  for n in "$streamers" "$collectors" "$gateways"; do
    if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -gt 10 ]; then die "instance counts are 0 to 10, got '$n'"; fi
  done
  command -v java >/dev/null || die "java is missing"
  command -v curl >/dev/null || die "curl is missing"
  mkdir -p "$LOGS"
  ensure_jar
  if [ -z "$DB_HOST" ]; then
    # the embedded server stays off 5432, where a PostgreSQL of the machine's own may listen
    DB_HOST=127.0.0.1 DB_PORT="${DB_PORT:-55432}"
    start_postgres
    DB_PASSWORD_FILE="$LOGS/db-password"
  elif [ -z "$DB_PASSWORD_FILE" ] && [ -n "${DB_PASSWORD:-}" ]; then
    # an existing server: its password reaches the instances as a file, never on a command line
    (umask 077 && printf '%s' "$DB_PASSWORD" > "$LOGS/db-password")
    DB_PASSWORD_FILE="$LOGS/db-password"
  fi
  DB_PORT="${DB_PORT:-5432}"
  if [ "$TRANSPORT" = redis ] && [ -z "$REDIS_HOST" ]; then
    REDIS_HOST=127.0.0.1
    start_redis
  fi
  cat > "$STATE" <<EOF
TRANSPORT=$TRANSPORT RATE=$RATE CSV='$CSV' ONE_PASS=$ONE_PASS
REDIS_HOST=$REDIS_HOST REDIS_PORT=$REDIS_PORT DB_HOST=$DB_HOST DB_PORT=$DB_PORT
DB_NAME=$DB_NAME DB_USER=$DB_USER DB_PASSWORD_FILE='$DB_PASSWORD_FILE'
EOF
  # collectors first (consumers exist before batches flow), streamers last
  scale collector "$collectors"
  scale gateway "$gateways"
  scale streamer "$streamers"
  local id
  for id in $(instances collector) $(instances gateway) $(instances streamer); do
    wait_http "http://127.0.0.1:$(port_of "$id")/health" "${START_TIMEOUT:-180}" || die "$id did not come up; see logs/$id.log"
  done
  log "running: $(instances streamer | wc -l) streamers, $(instances collector | wc -l) collectors, $(instances gateway | wc -l) gateways ($TRANSPORT transport)"
  for id in $(instances gateway); do log "  $id: http://127.0.0.1:$(port_of "$id")/ (API /api/v1, live /ws/telemetry)"; done
}

cmd_status() {
  local id port ready any=false
  for role in streamer collector gateway; do
    for id in $(instances "$role"); do
      any=true
      port="$(port_of "$id")"
      ready="$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$port/ready" || true)"
      printf '%-12s pid %-8s port %-5s ready %s\n' "$id" "$(cat "$(pid_file "$id")")" "$port" \
        "$([ "$ready" = 200 ] && echo yes || echo "no ($ready)")"
    done
  done
  for svc in postgres redis; do
    running "$svc" && printf '%-12s pid %s\n' "$svc" "$(cat "$(pid_file "$svc")")"
  done
  $any || log "no instances running"
}

cmd_logs() {
  local id="" follow=false
  while [ $# -gt 0 ]; do
    case "$1" in
      -f) follow=true; shift ;;
      *) id="$1"; shift ;;
    esac
  done
  if [ -n "$id" ]; then
    [ -f "$LOGS/$id.log" ] || die "no log for '$id' in $LOGS"
    if $follow; then exec tail -n 50 -f "$LOGS/$id.log"; fi
    tail -n 50 "$LOGS/$id.log"
    return
  fi
  local f
  for f in "$LOGS"/*-[0-9]*.log; do
    [ -e "$f" ] || continue
    printf '==> %s <==\n' "$(basename "$f" .log)"
    grep -v ' DEBUG ' "$f" | tail -n 10
  done
}

# every instance answers /ready with 200 and every gateway reports the same GPU count (they share
# one store, so a gateway that differs reads another one or none); exits 1 naming what failed
cmd_validate() {
  local id port code body count counts=() failed=false any=false
  for role in streamer collector gateway; do
    for id in $(instances "$role"); do
      any=true
      port="$(port_of "$id")"
      code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$port/ready" || true)"
      if [ "$code" = 200 ]; then log "$id ready"; else log "$id NOT ready ($code)"; failed=true; fi
    done
  done
  $any || die "no instances running: make scale-local first"
  for id in $(instances gateway); do
    port="$(port_of "$id")"
    body="$(curl -fsS --max-time 5 "http://127.0.0.1:$port/api/v1/gpus" 2>/dev/null || true)"
    count="$(printf '%s' "$body" | sed -n 's/.*"count"[[:space:]]*:[[:space:]]*\([0-9][0-9]*\).*/\1/p' | head -n 1)"
    if [ -z "$count" ]; then log "$id: /api/v1/gpus did not answer with a count"; failed=true; continue; fi
    log "$id (port $port): $count GPUs"
    counts+=("$count")
  done
  if [ "${#counts[@]}" -gt 1 ] && [ "$(printf '%s\n' "${counts[@]}" | sort -u | wc -l)" -ne 1 ]; then
    log "the gateways disagree on the GPU count: ${counts[*]}"
    failed=true
  fi
  if $failed; then exit 1; fi
  log "scaling valid"
}

cmd_stop() {
  local id
  for role in streamer gateway collector; do
    for id in $(instances "$role"); do log "stopping $id"; stop_pid "$id"; done
  done
  if running redis; then log "stopping redis"; fi
  stop_pid redis
  stop_postgres
  rm -f "$STATE"
}

[ $# -ge 1 ] || { usage; exit 2; }
command="$1"; shift
case "$command" in
  start) cmd_start "$@" ;;
  status) cmd_status ;;
  logs) cmd_logs "$@" ;;
  validate) cmd_validate ;;
  stop) cmd_stop ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
