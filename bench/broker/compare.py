#!/usr/bin/python3
"""Broker comparison: runs `mqtt-harness bench` against freshly started brokers, several rounds
each, and prints the median of every figure and the ratios between brokers.

Brokers: Debian mosquitto (always, with set_tcp_nodelay so both sides send small packets at
once) and the embedded broker (`mqtt-harness broker`) when the binary has that command.
Each broker is started anew for every case and round, on a port the kernel picks, and stopped
afterwards. Every run is bounded by --count and a timeout.

--transport picks the listener both brokers get and bench connects to: tcp (default), tls,
ws or wss (the embedded broker configured with `-c`, in the same words as mosquitto; TLS with a
CA and server certificate made here with openssl).

  bench/broker/compare.py [--binary build/release/harness/cli/mqtt-harness] [--rounds 3]
                          [--only NAME] [--json FILE] [--transport tcp|tls|ws|wss]
"""
import argparse
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# name, bench options, the figures to show (path in the JSON report, label, higher is better)
CASES = [
    ("fan-in QoS0 4->1 64B",
     ["--mode", "fan-in", "-n", "4", "-q", "0", "--count", "100000"],
     [(("receive_rate",), "recv msg/s", True)]),
    ("fan-out QoS0 1->8 64B",
     ["--mode", "fan-out", "-n", "8", "-q", "0", "--count", "50000"],
     [(("receive_rate",), "recv msg/s", True)]),
    ("QoS1 4 pairs window 64",
     ["--mode", "pairs", "-n", "4", "-q", "1", "--inflight", "64", "--count", "50000"],
     [(("receive_rate",), "recv msg/s", True), (("latency_us", "p99"), "p99 us", False)]),
    ("latency QoS0 4x2000 msg/s",
     ["--mode", "pairs", "-n", "4", "-q", "0", "--rate", "2000", "--count", "10000"],
     [(("latency_us", "p50"), "p50 us", False), (("latency_us", "p99"), "p99 us", False)]),
]
COMMON = [("lost",), "lost", False], [("cpu", "self_percent"), "bench cpu %", False], \
    [("cpu", "broker_percent"), "broker cpu %", False]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = process.stderr.read().strip() if process.stderr else ""
            raise RuntimeError(f"broker exited with status {process.returncode}: {errors}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)  # polling a port that is not open yet; bounded by the deadline
    raise RuntimeError(f"broker did not listen on {port} within {timeout} s")


SCHEMES = {"tcp": "mqtt", "tls": "mqtts", "ws": "ws", "wss": "wss"}


def make_certificates(workdir):
    """A CA and a server certificate for 127.0.0.1 (EC P-256), as PEM files in workdir."""
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=30)
    ca_key, ca = os.path.join(workdir, "ca.key"), os.path.join(workdir, "ca.pem")
    key, csr = os.path.join(workdir, "server.key"), os.path.join(workdir, "server.csr")
    cert, ext = os.path.join(workdir, "server.pem"), os.path.join(workdir, "server.ext")
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ca_key)
    openssl("req", "-x509", "-new", "-key", ca_key, "-subj", "/CN=bench CA", "-days", "2",
            "-out", ca)
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key)
    openssl("req", "-new", "-key", key, "-subj", "/CN=127.0.0.1", "-out", csr)
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
            "-days", "2", "-extfile", ext, "-out", cert)
    return {"ca": ca, "cert": cert, "key": key}


class Listener:
    """The listener both brokers are given for a transport, and how bench reaches it."""

    def __init__(self, transport, workdir):
        self.transport = transport
        self.certs = make_certificates(workdir) if transport in ("tls", "wss") else None

    def lines(self, port):
        lines = [f"listener {port} 127.0.0.1"]
        if self.transport in ("ws", "wss"):
            lines.append("protocol websockets")
        if self.certs:
            lines += [f"certfile {self.certs['cert']}", f"keyfile {self.certs['key']}"]
        if self.transport in ("ws", "wss"):
            # Debian's mosquitto 2.0.11 exits ("Unable to start any listening sockets") when
            # every listener is a websockets one: an unused MQTT listener beside it, for both.
            lines.append(f"listener {free_port()} 127.0.0.1")
        return "\n".join(lines) + "\n"

    def bench_options(self, port):
        url = f"{SCHEMES[self.transport]}://127.0.0.1:{port}"
        if self.transport in ("ws", "wss"):
            url += "/mqtt"
        return ["-L", url] + (["--cafile", self.certs["ca"]] if self.certs else [])


def start_mosquitto(workdir, listener):
    port = free_port()
    conf = os.path.join(workdir, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write(listener.lines(port) + "allow_anonymous true\nset_tcp_nodelay true\nuser root\n")
    p = subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    return p, port


def start_embedded(binary, workdir, listener):
    port = free_port()
    if listener.transport == "tcp":
        command = [binary, "broker", "-p", str(port)]
    else:
        conf = os.path.join(workdir, "embedded.conf")
        with open(conf, "w") as f:
            f.write(listener.lines(port) + "allow_anonymous true\n")
        command = [binary, "broker", "-c", conf]
    p = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return p, port


def has_embedded(binary):
    r = subprocess.run([binary, "--help"], capture_output=True, text=True)
    return any(line.split()[:1] == ["broker"] for line in r.stdout.splitlines())


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_case(binary, start, listener, options):
    process, port = start()
    try:
        wait_for_port(port, process)
        cmd = [binary, "bench", *listener.bench_options(port), "--broker-pid",
               str(process.pid), "--size", "64", "--drain", "3", "--json"] + options
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()}")
        return json.loads(r.stdout)
    finally:
        stop(process)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def connect_packet(client_id):
    """MQTT 3.1.1 CONNECT, clean session, keep alive 0 (idle forever)."""
    cid = client_id.encode()
    body = b"\x00\x04MQTT\x04\x02\x00\x00" + len(cid).to_bytes(2, "big") + cid
    return bytes([0x10, len(body)]) + body


def idle_connections(start, count):
    """Broker RSS growth per idle connection once `count` clients are connected."""
    process, port = start()
    sockets = []
    try:
        wait_for_port(port, process)
        before = rss_kb(process.pid)
        deadline = time.monotonic() + 120
        for k in range(count):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(connect_packet(f"idle-{k}"))
            sockets.append(s)
        for s in sockets:
            ack = b""
            while len(ack) < 4 and time.monotonic() < deadline:
                chunk = s.recv(4 - len(ack))
                if not chunk:
                    raise RuntimeError("broker closed an idle connection")
                ack += chunk
            if ack[:1] != b"\x20" or ack[3:4] != b"\x00":
                raise RuntimeError(f"unexpected CONNACK {ack!r}")
        after = rss_kb(process.pid)
        return {"connections": count, "rss_before_kb": before, "rss_after_kb": after,
                "bytes_per_connection": (after - before) * 1024 / count}
    finally:
        for s in sockets:
            s.close()
        stop(process)


def figure(report, path):
    for key in path:
        report = report.get(key) if isinstance(report, dict) else None
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, "build/release/harness/cli/mqtt-harness"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="run the cases whose name contains this")
    parser.add_argument("--json", help="also write every report to this file")
    parser.add_argument("--idle", type=int, default=5000,
                        help="idle connections for the memory case (0 skips it; tcp only)")
    parser.add_argument("--transport", choices=sorted(SCHEMES), default="tcp",
                        help="the brokers' listener and bench's connection (default tcp)")
    args = parser.parse_args()
    if args.transport != "tcp":
        args.idle = 0
    # Room for the idle connections in this process and in the brokers it starts.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, args.idle + 1024)), hard))

    workdir = tempfile.mkdtemp(prefix="broker-compare-")
    listener = Listener(args.transport, workdir)
    brokers = [("mosquitto", lambda: start_mosquitto(workdir, listener))]
    if has_embedded(args.binary):
        brokers.insert(0, ("embedded", lambda: start_embedded(args.binary, workdir, listener)))
    reports = {}
    for name, options, figures in CASES:
        if args.only and args.only not in name:
            continue
        for broker, start in brokers:
            runs = []
            for _ in range(args.rounds):  # brokers alternate within a case: same conditions
                runs.append(run_case(args.binary, start, listener, options))
            reports[(name, broker)] = runs
        print(f"\n{name} over {args.transport}  ({' '.join(options)}; median of {args.rounds})")
        shown = list(figures) + [tuple(c) for c in COMMON]
        header = f"  {'':14}" + "".join(f"{label:>14}" for _, label, _ in shown)
        print(header)
        medians = {}
        for broker, _ in brokers:
            row = []
            for path, label, _ in shown:
                values = [v for v in (figure(r, path) for r in reports[(name, broker)])
                          if v is not None]
                m = statistics.median(values) if values else None
                medians[(broker, label)] = m
                row.append(f"{m:>14.1f}" if m is not None else f"{'-':>14}")
            print(f"  {broker:14}" + "".join(row))
        if len(brokers) == 2:
            row = []
            for path, label, higher in figures:
                a, b = medians[("embedded", label)], medians[("mosquitto", label)]
                ok = a is not None and b not in (None, 0)
                row.append(f"{a / b:>13.2f}x" if ok else f"{'-':>14}")
            print(f"  {'ratio e/m':14}" + "".join(row))
        sys.stdout.flush()
    if args.idle and (not args.only or args.only in "idle memory"):
        print(f"\nmemory per idle connection ({args.idle} MQTT 3.1.1 connections, keep alive 0;"
              f" median of {args.rounds})")
        medians = {}
        for broker, start in brokers:
            runs = [idle_connections(start, args.idle) for _ in range(args.rounds)]
            reports[("idle", broker)] = runs
            medians[broker] = statistics.median(r["bytes_per_connection"] for r in runs)
            print(f"  {broker:14}{medians[broker]:>14.0f} bytes")
        if len(brokers) == 2:
            print(f"  {'ratio e/m':14}{medians['embedded'] / medians['mosquitto']:>13.2f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump([{"case": c, "broker": b, "runs": r} for (c, b), r in reports.items()], f,
                      indent=1)


if __name__ == "__main__":
    main()
