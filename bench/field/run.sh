#!/usr/bin/env bash
# Field figures (bench/field/field.mjs) on the network lab, inside the same
# kind of private namespace as tests/lab/run.sh. Needs web/dist and build/
# (scripts/test makes both).
#   bench/field/run.sh                 print the figures (JSON)
#   bench/field/run.sh --write         and record them: bench/field/results/<date>.json,
#                                      the "On the network lab" table in docs/benchmarks.md
#   bench/field/run.sh --only=cut,turn some of them (join cut roam turn storage: also sync)
#   RUNS=5 CUT_MS=20000               the defaults
set -euo pipefail
cd "$(dirname "$0")/../.."
exec unshare -nm --propagation private bash -c '
  mkdir -p /run/netns
  mount -t tmpfs none /run/netns
  ip link set lo up
  export FC_LAB=1
  exec node bench/field/field.mjs "$@"' field "$@"
