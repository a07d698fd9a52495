#!/usr/bin/env bash
# Writes a seeded, realistic DCGM fleet to a file: the bundled sample's CSV (the streamer's
# source-mode input) or OpenMetrics for promtool tsdb create-blocks-from openmetrics.
#   scripts/generate-fleet.sh --gpus 247 --seconds 600 --out target/fleet.csv
#   scripts/generate-fleet.sh --gpus 10000 --seconds 3600 --format openmetrics --out target/fleet.om
# Runs org.gputelemetry.pipeline.simulate.GenerateFleet from the built jar (JAR, default
# target/telemetry-pipeline.jar; build it with mvn -DskipTests package). --help lists the options.
set -euo pipefail
cd "$(dirname "$0")/.."

JAR="${JAR:-target/telemetry-pipeline.jar}"

usage() {
  cat <<EOF
Usage: ${0##*/} --gpus N --seconds N --out FILE [--gpus-per-host N | --hosts N] [--interval 1s]
       [--seed S] [--start 2025-07-18T20:00:00Z] [--metrics LIST] [--model h100|a100]
       [--host-prefix P] [--format csv|openmetrics]

Writes a seeded, realistic DCGM fleet (same options, same bytes) with the jar at \$JAR
(default target/telemetry-pipeline.jar). The options in full:
EOF
}

for arg in "$@"; do
  if [ "$arg" = "-h" ] || [ "$arg" = "--help" ]; then
    usage
    if [ -e "$JAR" ] && command -v java >/dev/null 2>&1; then
      java -cp "$JAR" org.gputelemetry.pipeline.simulate.GenerateFleet --help | sed 1,2d
    else
      echo "  (build the jar for the full list: mvn -DskipTests package)"
    fi
    exit 0
  fi
done

[ -e "$JAR" ] || { echo "error: $JAR not found; build it with: mvn -DskipTests package" >&2; exit 2; }
command -v java >/dev/null 2>&1 || { echo "error: java not found on PATH" >&2; exit 2; }
exec java -cp "$JAR" org.gputelemetry.pipeline.simulate.GenerateFleet "$@"
