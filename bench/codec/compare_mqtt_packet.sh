#!/usr/bin/env bash
# Compares our codec with mqtt-packet (the parser of MQTT.js) on the same byte stream: N
# back-to-back 64-byte MQTT 3.1.1 PUBLISH packets, fed to each parser in 65,000-byte chunks.
# The two sides take turns for ROUNDS rounds of REPETITIONS runs each, so that both see the
# same machine conditions; the best run of each side counts. Prints both rates and the ratio
# ours/theirs; the goal is 10x.
#
# Usage: bench/codec/compare_mqtt_packet.sh
# Environment:
#   PACKETS=1000000     packets in the stream
#   ROUNDS=3            turns of each side
#   REPETITIONS=3       runs per turn
#   SKIP_BUILD=1        use the existing release build instead of configuring and building
#   STREAM_FILE=PATH    where to write the stream (default: in the release build folder)
# Needs cmake, ninja, node and npm (reaching the npm registry unless mqtt-packet is installed).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
packets="${PACKETS:-1000000}"
rounds="${ROUNDS:-3}"
repetitions="${REPETITIONS:-3}"
build_dir="$root/build/release"
bench="$build_dir/bench/codec/codec_bench"
stream_file="${STREAM_FILE:-$build_dir/bench/codec/publish_stream.bin}"
json_file="$build_dir/bench/codec/stream_result.json"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    (cd "$root" && cmake --preset release && cmake --build --preset release --target codec_bench)
fi
[ -x "$bench" ] || { echo "compare: $bench is missing; build the release preset" >&2; exit 1; }

# mqtt-packet at the version package.json pins, in bench/codec/node_modules.
wanted="$(node -p "require('$here/package.json').dependencies['mqtt-packet']")"
installed="$(node -p "try { require('$here/node_modules/mqtt-packet/package.json').version } catch { '' }")"
if [ "$installed" != "$wanted" ]; then
    (cd "$here" && npm install --no-save --no-audit --no-fund)
fi

# field NAME TEXT: the value of NAME=... in TEXT's key=value lines.
field() { sed -n "s/^$1=//p" <<<"$2" | head -n 1; }

# Both parsers must have seen the bytes that were written, and found every packet in them.
check() {
    if [ "$2" != "$3" ] || [ "$2" != "$4" ]; then
        echo "compare: $1 differs: written '$2', mqtt-packet '$3', ours '$4'" >&2
        exit 1
    fi
}

# run_ours: our stream benchmark on the file; key=value lines of its best repetition.
run_ours() {
    local log
    log="$("$bench" --stream-file="$stream_file" \
        --benchmark_filter='^stream/' --benchmark_repetitions="$repetitions" \
        --benchmark_out="$json_file" --benchmark_out_format=json 2>&1 >/dev/null)"
    sed -n 's/^codec_bench: stream .*fnv1a32=\([0-9a-f]*\).*/fnv1a32=\1/p' <<<"$log"
    # shellcheck disable=SC2016  # JavaScript, not shell
    node -e '
        const r = require(process.argv[1]).benchmarks.filter((b) => b.run_type === "iteration");
        if (r.length === 0 || r.some((b) => b.error_occurred)) {
            console.error("compare: the stream benchmark failed"); process.exit(1);
        }
        const best = r.reduce((a, b) => (b.items_per_second > a.items_per_second ? b : a));
        console.log(`packets=${best.packets}`);
        console.log(`bytes=${best.stream_bytes}`);
        console.log(`packets_per_second=${best.items_per_second}`);
        console.log(`mb_per_second=${best.bytes_per_second / 1e6}`);
    ' "$json_file"
}

echo "== writing $packets packets to $stream_file"
written="$("$bench" --write-stream="$stream_file" --stream-packets="$packets")"
echo "$written"
echo "== mqtt-packet $wanted on node $(node --version) and codec_bench, taking turns:" \
     "$rounds rounds of $repetitions runs each"

best_ours=0 best_ours_mb=0 best_theirs=0 best_theirs_mb=0
for round in $(seq 1 "$rounds"); do
    theirs="$(node "$here/mqtt_packet_parse.js" "$stream_file" "$repetitions")"
    ours="$(run_ours)"
    check bytes "$(field bytes "$written")" "$(field bytes "$theirs")" "$(field bytes "$ours")"
    check fnv1a32 "$(field fnv1a32 "$written")" "$(field fnv1a32 "$theirs")" \
        "$(field fnv1a32 "$ours")"
    check packets "$(field packets "$written")" "$(field packets "$theirs")" \
        "$(field packets "$ours")"
    read -r best_ours best_ours_mb best_theirs best_theirs_mb < <(awk \
        -v op="$(field packets_per_second "$ours")" -v om="$(field mb_per_second "$ours")" \
        -v tp="$(field packets_per_second "$theirs")" -v tm="$(field mb_per_second "$theirs")" \
        -v bop="$best_ours" -v bom="$best_ours_mb" -v btp="$best_theirs" -v btm="$best_theirs_mb" \
        -v round="$round" '
        BEGIN {
            printf "round %d: ours %10.0f packets/s, mqtt-packet %8.0f packets/s, ratio %.2fx\n",
                   round, op, tp, op / tp > "/dev/stderr"
            if (op > bop) { bop = op; bom = om }
            if (tp > btp) { btp = tp; btm = tm }
            print bop, bom, btp, btm
        }')
done

echo
echo "== same $(field bytes "$written") bytes (fnv1a32 $(field fnv1a32 "$written")," \
     "$(field packets "$written") packets, 65,000-byte chunks); best of $((rounds * repetitions)) runs each"
awk -v op="$best_ours" -v om="$best_ours_mb" -v tp="$best_theirs" -v tm="$best_theirs_mb" '
    BEGIN {
        printf "ours (frame_reader + decode_body): %12.0f packets/s %9.1f MB/s\n", op, om
        printf "mqtt-packet parser               : %12.0f packets/s %9.1f MB/s\n", tp, tm
        ratio = op / tp
        verdict = (ratio >= 10) ? "met" : "NOT met"
        printf "ratio ours/theirs                : %12.2fx (goal 10x: %s)\n", ratio, verdict
    }'
