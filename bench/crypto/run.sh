#!/usr/bin/env bash
# bench/crypto/run.mjs inside a private network namespace, as the browser
# tests run: pages at 127.0.0.1 are a secure context (WebCrypto), pages at
# the namespace's LAN address are not (noble). Needs web/dist and build/.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec scripts/in-lan-namespace node bench/crypto/run.mjs "$@"
