#!/usr/bin/env bash
# Browser figures (bench/browser.mjs) inside a private network namespace,
# like the browser tests. Needs web/dist and build/ (scripts/test makes both).
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/in-lan-namespace node bench/browser.mjs
