#!/bin/sh
# Entrypoint of the telemetry-pipeline image: picks the deployment descriptor, then runs the jar.
#   DESCRIPTOR=/path/to.json  runs that descriptor (the Helm chart mounts one per component)
#   ROLE=<name>               runs the bundled descriptor conf/<name>.json: streamer, collector,
#                             gateway, edge, central, all-in-one, all-in-one-postgres (whatever
#                             src/main/resources/conf/ holds)
#   neither                   runs conf/all-in-one.json (every role in one JVM, memory store)
# Both at once is an error. Environment variables still override descriptor values (EnvOverrides;
# e.g. ROLES=collector,gateway changes the roles of whichever descriptor runs). Arguments given
# to `docker run` go to the launcher. APP_HOME (default /app) holds the jar and conf/.
set -eu

app_home="${APP_HOME:-/app}"
conf="$app_home/conf"

fail() {
  printf 'telemetry-pipeline: %s\n' "$*" >&2
  exit 2
}

# The names ROLE accepts: the bundled descriptors, without .json.
bundled() {
  for f in "$conf"/*.json; do
    [ -f "$f" ] || continue
    f="${f##*/}"
    printf ' %s' "${f%.json}"
  done
}

descriptor="${DESCRIPTOR:-}"
role="${ROLE:-}"
if [ -n "$descriptor" ] && [ -n "$role" ]; then
  fail "DESCRIPTOR=$descriptor and ROLE=$role are both set: give one"
fi
if [ -n "$role" ]; then
  case "$role" in
    *[!A-Za-z0-9_-]*) fail "ROLE=$role is not a descriptor name; bundled:$(bundled)" ;;
  esac
  descriptor="$conf/$role.json"
  [ -f "$descriptor" ] || fail "ROLE=$role has no bundled descriptor ($descriptor); bundled:$(bundled)"
fi
descriptor="${descriptor:-$conf/all-in-one.json}"
[ -f "$descriptor" ] || fail "descriptor $descriptor does not exist"

# exec: java becomes PID 1 and receives SIGTERM, so verticles stop cleanly.
# JAVA_OPTS is a list of JVM flags: it is split on spaces on purpose.
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -jar "$app_home/telemetry-pipeline.jar" -conf "$descriptor" "$@"
