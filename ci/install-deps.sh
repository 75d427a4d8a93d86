#!/usr/bin/env bash
# Installs every Debian package that building, testing, fuzzing and benchmarking need, and MQTT.js
# (the npm package pinned in tests/broker_interop/mqttjs/package-lock.json) for the WebSocket
# interop tests. Idempotent: when everything is present it only checks and returns.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    build-essential cmake ninja-build ccache pkg-config
    libboost1.81-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
    googletest libgtest-dev libgmock-dev libbenchmark-dev libssl-dev openssl
    clang-14 libfuzzer-14-dev libclang-rt-14-dev
    libpugixml-dev libxml2-utils python3-jsonschema
    mosquitto mosquitto-clients python3-paho-mqtt
    chromium
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Node.js and npm only where they are not on PATH: a machine may have them from elsewhere (e.g. a
# nodejs package of another origin that bundles npm and conflicts with Debian's npm package).
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages present, node and npm on PATH"
else
    echo "install-deps: installing ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -q
    "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# MQTT.js at the version of the committed lock file; `npm ls` fails when it is missing or differs.
mqttjs=tests/broker_interop/mqttjs
if (cd "$mqttjs" && npm ls --depth=0 >/dev/null 2>&1); then
    echo "install-deps: MQTT.js present in $mqttjs/node_modules"
else
    echo "install-deps: installing MQTT.js into $mqttjs/node_modules"
    (cd "$mqttjs" && npm ci --no-audit --no-fund)
fi
