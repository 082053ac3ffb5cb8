#!/usr/bin/env bash
# Browser figures (bench/browser.mjs) inside a private network namespace,
# like the browser tests. Needs web/dist and build/ (scripts/test makes both).
set -euo pipefail
cd "$(dirname "$0")/.."
exec unshare -n bash -c '
  ip link set lo up
  ip link add v0 type veth peer name v1
  ip addr add 10.213.0.1/24 dev v0
  ip addr add 10.213.0.2/24 dev v1
  ip link set v0 up
  ip link set v1 up
  ip route add default via 10.213.0.2 dev v0
  exec node bench/browser.mjs'
