#!/usr/bin/env bash
# Runs the browser tests inside a private network namespace: Chromium only
# gathers ICE host candidates when there is a non-loopback interface with
# a default route (see ../shared/design/webrtc-testing.md). The veth pair
# exists only inside the namespace; no traffic leaves it.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec unshare -n bash -c '
  ip link set lo up
  ip link add v0 type veth peer name v1
  ip addr add 10.213.0.1/24 dev v0
  ip addr add 10.213.0.2/24 dev v1
  ip link set v0 up
  ip link set v1 up
  ip route add default via 10.213.0.2 dev v0
  # Pages load from this LAN address, as phones do: plain http, not a
  # secure context (tests/support/browser.mjs).
  export FC_LAN_HOST=10.213.0.1
  exec node --test --test-concurrency=1 ${FC_BROWSER_TESTS:-tests/browser/}'
