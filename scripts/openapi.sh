#!/usr/bin/env bash
# Writes the gateway's OpenAPI 3.1 document without running the server.
#   scripts/openapi.sh [FILE]      FILE defaults to target/openapi.yaml; a .json name writes JSON
# The document is generated from the code's route table, exactly as the gateway serves it at
# /openapi.json and /openapi.yaml (with the default settings: no bearer authentication declared).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/openapi.yaml}"
mvn -B -q -o compile dependency:build-classpath -Dmdep.outputFile=target/openapi.classpath >/dev/null 2>&1 \
  || mvn -B -q compile dependency:build-classpath -Dmdep.outputFile=target/openapi.classpath >/dev/null
exec java -cp "target/classes:$(cat target/openapi.classpath)" org.gputelemetry.pipeline.gateway.OpenApiDocument "$out"
