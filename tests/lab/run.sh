#!/usr/bin/env bash
# Runs the network lab (tests/lab/*.test.mjs) inside a private network and
# mount namespace: the hub (bridge, server, coturn) lives in it, each phone
# and NAT router in a named namespace under a /run/netns of its own (a
# tmpfs), so nothing touches the host's network and everything vanishes
# when this exits. See tests/lab/net.mjs and ../shared/design/webrtc-testing.md.
#   tests/lab/run.sh                       every scenario
#   tests/lab/run.sh tests/lab/lan.test.mjs one
set -euo pipefail
cd "$(dirname "$0")/../.."
if (($#)); then files=("$@"); else files=(tests/lab/); fi
exec unshare -nm --propagation private bash -c '
  mkdir -p /run/netns
  mount -t tmpfs none /run/netns
  ip link set lo up
  export FC_LAB=1
  exec node --test --test-concurrency=1 --test-timeout=300000 "$@"' lab "${files[@]}"
