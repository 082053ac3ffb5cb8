#!/usr/bin/env bash
# bench/crypto/run.mjs inside a private network namespace, as the browser
# tests run: pages at 127.0.0.1 are a secure context (WebCrypto), pages at
# the namespace's LAN address are not (noble). Needs web/dist and build/.
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
  export FC_LAN_HOST=10.213.0.1
  exec node bench/crypto/run.mjs "$@"' bash "$@"
