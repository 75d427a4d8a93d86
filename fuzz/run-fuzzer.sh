#!/usr/bin/env bash
# Runs a libFuzzer target for a bounded time: turns a hex seed file (one input per line, #
# comments) into a fresh work corpus, fuzzes with a dictionary, prints libFuzzer's final stats
# and exits non-zero when the fuzzer found a crash, leak, timeout or oracle failure.
#
# usage: run-fuzzer.sh FUZZER_BINARY SEEDS_TXT DICT SECONDS [extra libFuzzer args...]
#   SECONDS 0 means no time limit (use it with -runs=N, e.g. -runs=0 to only replay the seeds).
#   FUZZ_WORK_DIR  where corpus/, artifacts/ and fuzz.log go (default: a new mktemp -d dir).
#                  corpus/ is recreated on every run; artifacts/ (crash inputs) is kept.
set -euo pipefail

if [ "$#" -lt 4 ]; then
    echo "usage: $0 FUZZER_BINARY SEEDS_TXT DICT SECONDS [extra libFuzzer args...]" >&2
    exit 2
fi
fuzzer=$1
seeds=$2
dict=$3
seconds=$4
shift 4

[ -x "$fuzzer" ] || { echo "run-fuzzer: $fuzzer is not an executable" >&2; exit 2; }
[ -r "$seeds" ] || { echo "run-fuzzer: cannot read seeds $seeds" >&2; exit 2; }
[ -r "$dict" ] || { echo "run-fuzzer: cannot read dictionary $dict" >&2; exit 2; }
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "run-fuzzer: SECONDS must be a number" >&2; exit 2; }

if [ -n "${FUZZ_WORK_DIR:-}" ]; then
    work=$FUZZ_WORK_DIR
    mkdir -p "$work"
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX")
fi
corpus=$work/corpus
artifacts=$work/artifacts
log=$work/fuzz.log
rm -rf "$corpus"
mkdir -p "$corpus" "$artifacts"

# Hex lines to files, in pure bash (xxd is not always installed).
count=0
line_no=0
while IFS= read -r line || [ -n "$line" ]; do
    line_no=$((line_no + 1))
    line=${line//[[:space:]]/}
    [ -z "$line" ] && continue
    [ "${line:0:1}" = "#" ] && continue
    if [[ ! "$line" =~ ^([0-9a-fA-F]{2})+$ ]]; then
        echo "run-fuzzer: $seeds:$line_no: not an even-length hex string" >&2
        exit 2
    fi
    escaped=""
    for ((i = 0; i < ${#line}; i += 2)); do
        escaped+="\\x${line:i:2}"
    done
    count=$((count + 1))
    printf '%b' "$escaped" >"$(printf '%s/seed-%03d' "$corpus" "$count")"
done <"$seeds"
echo "run-fuzzer: $count seeds from $seeds into $corpus"

args=(
    -dict="$dict"
    -artifact_prefix="$artifacts/"
    -print_final_stats=1
    -timeout=25
)
[ "$seconds" -gt 0 ] && args+=(-max_total_time="$seconds")
args+=("$@" "$corpus")

echo "run-fuzzer: $fuzzer ${args[*]}"
before=$(ls -A "$artifacts")
status=0
"$fuzzer" "${args[@]}" >"$log" 2>&1 || status=$?

# The whole log is in $log; show the start, the last progress line and the final stats.
grep -E '^Dictionary:|^INFO: (Seed:|seed corpus)|^#[0-9]+[[:space:]]+INITED' "$log" || true
grep -E '^#[0-9]+[[:space:]]' "$log" | grep -vE 'INITED|DONE' | tail -n 1 || true
grep -E '^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs|^stat::' "$log" || true

if [ "$status" -ne 0 ]; then
    echo "run-fuzzer: FAILED with exit status $status; end of $log:" >&2
    tail -n 120 "$log" >&2
    new=$(comm -13 <(echo "$before") <(ls -A "$artifacts") || true)
    for f in $new; do
        echo "run-fuzzer: reproducer $artifacts/$f" >&2
        od -An -tx1 -v "$artifacts/$f" | tr -d ' \n' | head -c 4096 >&2
        echo >&2
        echo "run-fuzzer: replay with: $fuzzer $artifacts/$f" >&2
    done
    exit "$status"
fi
echo "run-fuzzer: OK (log $log)"
