#!/usr/bin/env bash
# Installs what building and testing need, from Debian 12 packages and the
# npm registry (lockfiles committed). Idempotent: quick when all is there.
#   scripts/deps.sh build   what the server needs to build and run
#   scripts/deps.sh test    plus what the tests need (and the benchmark smoke run)
#   scripts/deps.sh bench   what bench/run needs
set -euo pipefail
cd "$(dirname "$0")/.."

want=(cmake ninja-build g++ pkg-config libboost1.81-dev libboost-json1.81-dev
      libboost-url1.81-dev libssl-dev libqrcodegencpp-dev libhiredis-dev nodejs npm)
if [[ "${1:-build}" == "test" || "${1:-build}" == "bench" ]]; then
    want+=(libgtest-dev clang libclang-rt-14-dev openssl chromium iproute2 util-linux valgrind
           iptables coturn redis-server haproxy)
fi

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from elsewhere than Debian on some machines.
if command -v node >/dev/null && command -v npm >/dev/null; then
    missing=("${missing[@]/nodejs}")
    missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]:-}"
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# coturn is for the network lab (tests/lab/), which starts its own
# turnserver in its own namespace; Debian ships the service disabled
# (/etc/default/coturn) and nothing here enables it.
# redis-server and haproxy are for the Redis client's and the cluster's
# tests (tests/unit/redis/, tests/cluster/, FC_NODES=3), which start their
# own on free loopback ports. Debian's packages ship services; where systemd
# starts them they listen on their default ports, which no test uses.

npm_ci() {
    if [[ ! -d "$1/node_modules" ]] || [[ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]]; then
        (cd "$1" && npm ci --no-audit --no-fund)
    fi
}
npm_ci web
if [[ "${1:-build}" == "test" || "${1:-build}" == "bench" ]]; then
    npm_ci tests
    npm_ci bench/reference
fi
