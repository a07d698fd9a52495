#!/usr/bin/env bash
# The project's test command: provisions the OS packages the suite needs, then runs every test
# (unit, integration against real PostgreSQL/Redis/Hazelcast on 127.0.0.1, Helm, browser) and
# builds the jar. Extra arguments go to Maven, e.g. scripts/test.sh -Dtest='Memory*'.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/provision-test-deps.sh
exec mvn -B verify "$@"
