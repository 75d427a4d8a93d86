#!/usr/bin/env bash
# exec/s of the codec_decode fuzz target beside two baselines built the same way (ASan + UBSan +
# coverage): an empty target (libFuzzer's ceiling on this machine) and a bare decoder (framing
# + decode_body, no oracle, no custom mutator). Each runs SECONDS from the same seeds and
# dictionary, one after the other, in a fresh corpus.
# Usage: bench/fuzz/decoder_exec_rate.sh [BUILD_DIR (default build/fuzz)] [SECONDS (20)]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/fuzz}
seconds=${2:-20}
work=$(mktemp -d "${TMPDIR:-/tmp}/exec-rate.XXXXXX")
trap 'rm -rf "$work"' EXIT

rate() {  # NAME FUZZER: prints "NAME exec/s runs"
    local name=$1 fuzzer=$2
    FUZZ_WORK_DIR=$work/$name bash fuzz/run-fuzzer.sh "$fuzzer" fuzz/codec_decode/seeds.txt \
        fuzz/codec_decode/mqtt.dict "$seconds" >/dev/null
    local runs per_sec
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name/fuzz.log")
    per_sec=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$name/fuzz.log")
    printf '%-14s %10s exec/s  %10s runs\n' "$name" "$per_sec" "$runs"
}

echo "== ${seconds}s each, load average $(cut -d' ' -f1-3 /proc/loadavg)"
rate empty "$build/fuzz/empty_fuzzer"
rate bare_decode "$build/fuzz/bare_decode_fuzzer"
rate codec_decode "$build/fuzz/codec_decode_fuzzer"
