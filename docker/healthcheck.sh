#!/bin/sh
# HEALTHCHECK of the image: GET /health on the port the container's process serves it on.
#   HEALTHCHECK_PORT             wins when set
#   streamer, collector, edge    the ops port (OPS_PORT, default 9090): these run no gateway
#   anything else                the gateway's port (GATEWAY_PORT, default 8080): all-in-one*,
#                                gateway, central
# The role is ROLE, else the name of the DESCRIPTOR file (conf/streamer.json -> streamer), else
# all-in-one; a custom descriptor without a gateway needs HEALTHCHECK_PORT.
set -eu

port="${HEALTHCHECK_PORT:-}"
if [ -z "$port" ]; then
  role="${ROLE:-}"
  if [ -z "$role" ]; then
    role="${DESCRIPTOR:-all-in-one.json}"
    role="${role##*/}"
    role="${role%.json}"
  fi
  case "$role" in
    streamer | collector | edge) port="${OPS_PORT:-9090}" ;;
    *) port="${GATEWAY_PORT:-8080}" ;;
  esac
fi
exec curl -fsS --max-time 4 -o /dev/null "http://127.0.0.1:$port/health"
