#!/usr/bin/env bash
# Runs the browser tests inside a private network namespace with a LAN
# (scripts/in-lan-namespace): pages load from its LAN address, as phones
# do, over plain http. FC_BROWSER_TESTS names one file (or several);
# arguments go to node --test (--test-name-pattern=...).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck disable=SC2086 # several files may be named
exec scripts/in-lan-namespace node --test --test-concurrency=1 "$@" ${FC_BROWSER_TESTS:-tests/browser/}
