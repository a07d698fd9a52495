#!/usr/bin/env bash
# Installs the OS packages the test suite needs and Maven cannot provide: redis-server (Redis
# transport tests, TLS included), openssl (test certificates), chromium + chromium-driver
# (dashboard browser test), ShellCheck (script lint), iproute2 (network namespaces), postgresql
# (the server programs scripts/scale-local.sh starts its PostgreSQL with, and so its e2e test) and
# prometheus (its promtool checks the simulator's OpenMetrics output).
# The other tests' PostgreSQL comes from Maven (embedded binaries), Helm from helm-java.
# Idempotent: installs only what is missing. Needs root or passwordless sudo for apt-get.
set -euo pipefail

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
# Debian keeps initdb and pg_ctl off the PATH, under /usr/lib/postgresql/<version>/bin
command -v pg_ctl >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || need+=(postgresql)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "provision-test-deps: missing ${need[*]} and not root; install them with apt-get" >&2
    exit 1
  fi
fi

echo "provision-test-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# the Debian packages start a system redis on 6379 and a Prometheus on 9090; tests need neither
# (they start their own redis on free ports, and run promtool only)
if command -v systemctl >/dev/null 2>&1; then
  "${sudo[@]}" systemctl disable --now redis-server >/dev/null 2>&1 || true
  "${sudo[@]}" systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
