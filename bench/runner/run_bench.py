#!/usr/bin/python3
"""Runner benchmark: wall time of `mqtt-harness run` on many small scenarios and on one.

Generates COUNT small scenarios (two clients: subscribe, publish QoS 1, expect the message)
into a temporary folder, as one file each or as one suite (--suite), and times
`mqtt-harness run DIR -j JOBS` on the embedded broker (a broker per scenario) several rounds,
then the same scenarios against a Debian mosquitto started by this script (a fresh one per
round, on a port the kernel picks), and a single tutorial-like scenario alone, broker start and
process start included. Prints median, min and max of each and the ratio mosquitto/embedded.

Goals (issue): COUNT=100 with -j 2 on the embedded broker under 10 s; one scenario under 200 ms.

  bench/runner/run_bench.py [--binary build/release/harness/cli/mqtt-harness] [--rounds 5]
                            [--single-rounds 10] [--count 100] [--jobs 2] [--suite]
                            [--no-mosquitto] [--json FILE]
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "bench", "broker"))
from compare import free_port, wait_for_port  # noqa: E402  (shared with the broker comparison)

GOAL_MANY_S = 10.0
GOAL_SINGLE_S = 0.200

SCENARIO_STEPS = """\
clients:
  - name: subscriber
  - name: publisher
steps:
  - subscribe: {{client: subscriber, topic: "bench/{n}/#", qos: 1}}
  - publish: {{client: publisher, topic: "bench/{n}/reading", payload: "value {n}", qos: 1}}
  - expect: {{client: subscriber, topic: "bench/{n}/reading", payload: "value {n}", within: 5s}}
"""

SINGLE = """\
name: single
clients:
  - name: subscriber
  - name: publisher
steps:
  - subscribe: {client: subscriber, topic: example_topic}
  - publish: {client: publisher, topic: example_topic, payload: Time for a coffee}
  - expect: {client: subscriber, topic: example_topic, payload: Time for a coffee, within: 2s}
"""


def indent(text, by):
    return "".join(by + line if line.strip() else line for line in text.splitlines(True))


def write_scenarios(folder, count, suite):
    """COUNT scenarios in `folder`: one file each, or one suite file."""
    os.makedirs(folder)
    if suite:
        parts = ["name: bench-suite\nscenarios:\n"]
        for n in range(1, count + 1):
            parts.append(f"  - name: scenario {n:03d}\n" + indent(SCENARIO_STEPS.format(n=n), "    "))
        with open(os.path.join(folder, "suite.yaml"), "w") as f:
            f.write("".join(parts))
        return
    for n in range(1, count + 1):
        with open(os.path.join(folder, f"s{n:03d}.yaml"), "w") as f:
            f.write(f"name: scenario {n:03d}\n" + SCENARIO_STEPS.format(n=n))


def start_mosquitto(workdir):
    port = free_port()
    conf = os.path.join(workdir, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\n"
                "persistence false\n")
        if os.geteuid() == 0:
            f.write("user root\n")
    p = subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, p)
    except Exception:
        stop(p)
        raise
    return p, port


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def timed_run(binary, path, expected, extra):
    """Wall time in seconds of one `mqtt-harness run`; checks that all `expected` passed."""
    cmd = [binary, "run", path, "--no-color"] + extra
    started = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - started
    summary = f"{expected} scenario{'s' if expected != 1 else ''}: {expected} passed"
    if r.returncode != 0 or summary not in r.stdout:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout[-3000:]}\n"
                           f"{r.stderr[-2000:]}")
    # The runner's own figure (from its first scenario start to the last end), for reference.
    m = re.search(r"passed, .* in ([0-9.]+) s", r.stdout)
    return {"wall_s": seconds, "runner_s": float(m.group(1)) if m else None}


def stats(runs):
    walls = [r["wall_s"] for r in runs]
    return {"median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls),
            "runs": runs}


def show(label, s, goal=None):
    line = (f"  {label:34}{s['median_s']:>9.3f} s{s['min_s']:>9.3f} s{s['max_s']:>9.3f} s")
    if goal is not None:
        verdict = "met" if s["median_s"] < goal else "NOT met"
        line += f"   goal < {goal:g} s: {verdict}"
    print(line)
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary",
                        default=os.path.join(ROOT, "build/release/harness/cli/mqtt-harness"))
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the COUNT scenarios")
    parser.add_argument("--single-rounds", type=int, default=10,
                        help="rounds of the single scenario")
    parser.add_argument("--count", type=int, default=100, help="scenarios in the big run")
    parser.add_argument("--jobs", type=int, default=2, help="-j of the big run")
    parser.add_argument("--suite", action="store_true",
                        help="one suite file of COUNT scenarios instead of COUNT files")
    parser.add_argument("--no-mosquitto", action="store_true",
                        help="skip the comparison with Debian mosquitto")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"{args.binary} not found: build it with\n  cmake --preset release && "
                 "cmake --build --preset release --target mqtt-harness")

    with tempfile.TemporaryDirectory(prefix="runner-bench-") as workdir:
        many = os.path.join(workdir, "many")
        write_scenarios(many, args.count, args.suite)
        single = os.path.join(workdir, "single.yaml")
        with open(single, "w") as f:
            f.write(SINGLE)
        jobs = ["-j", str(args.jobs)]
        layout = "one suite" if args.suite else "one file each"
        print(f"{args.binary}\n{args.count} scenarios ({layout}), -j {args.jobs}; "
              f"{args.rounds} rounds; single scenario {args.single_rounds} rounds")
        print(f"\n  {'':34}{'median':>11}{'min':>11}{'max':>11}")

        timed_run(args.binary, single, 1, [])  # warm the page cache, not counted
        results = {}
        runs = [timed_run(args.binary, single, 1, []) for _ in range(args.single_rounds)]
        results["single_embedded"] = stats(runs)
        show("1 scenario, embedded", results["single_embedded"], GOAL_SINGLE_S)

        runs = [timed_run(args.binary, many, args.count, jobs) for _ in range(args.rounds)]
        results["many_embedded"] = stats(runs)
        show(f"{args.count} scenarios, embedded", results["many_embedded"], GOAL_MANY_S)

        if not args.no_mosquitto:
            runs = []
            for _ in range(args.rounds):
                process, port = start_mosquitto(workdir)
                try:
                    runs.append(timed_run(args.binary, many, args.count,
                                          jobs + ["--broker", f"mqtt://127.0.0.1:{port}"]))
                finally:
                    stop(process)
            results["many_mosquitto"] = stats(runs)
            show(f"{args.count} scenarios, mosquitto", results["many_mosquitto"])
            ratio = results["many_mosquitto"]["median_s"] / results["many_embedded"]["median_s"]
            results["ratio_mosquitto_over_embedded"] = ratio
            print(f"\n  mosquitto / embedded (median wall time): {ratio:.2f}x")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"binary": args.binary, "count": args.count, "jobs": args.jobs,
                       "suite": args.suite, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
