#!/usr/bin/python3
"""Checks scenarios/schema/scenario.schema.json: it is a valid draft-07 schema, every scenario
file under scenarios/examples, scenarios/failing-examples and scenarios/conformance/checks
satisfies it, and snippets with typical mistakes are rejected. Run by ctest (scenario_schema)
with the repository root as argument; needs Debian's python3-jsonschema and python3-yaml.
"""

import json
import pathlib
import re
import sys

import jsonschema
import yaml


class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML 1.2 booleans, as the scenario loader and the YAML language server read them:
    only true/false (PyYAML's YAML 1.1 would also turn on/off/yes/no into booleans). Parsed by
    libyaml when PyYAML has it (the conformance checks are large)."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)

VALID_BASE = """
clients: [{name: a}]
steps:
  - publish: {client: a, topic: t, payload: x}
"""

# Each must be rejected: (what is wrong, YAML text).
WRONG = [
    ("unknown top-level key", VALID_BASE + "colour: blue\n"),
    ("unknown key in a client", "clients: [{name: a, nmae: b}]\nsteps: []\n"),
    ("unknown step kind", "steps:\n  - publsh: {client: a, topic: t}\n"),
    ("two step keys in one step", "steps:\n  - sleep: 1s\n    disconnect: a\n"),
    ("step without a step key", "steps:\n  - id: x\n"),
    ("payload with two forms", "steps:\n  - publish: {client: a, topic: t, payload: {text: x, hex: '00'}}\n"),
    ("payload match with two forms",
     "steps:\n  - expect: {client: a, topic: t, payload: {regex: x, json: {a: 1}}}\n"),
    ("unknown payload form", "steps:\n  - publish: {client: a, topic: t, payload: {base64: AA==}}\n"),
    ("duration without a unit", "steps:\n  - sleep: 5\n"),
    ("QoS 3", "steps:\n  - publish: {client: a, topic: t, qos: 3}\n"),
    ("steps and scenarios together",
     "steps: []\nscenarios: [{name: s, steps: []}]\n"),
    ("neither steps nor scenarios", "clients: [{name: a}]\n"),
    ("suite scenario without a name", "scenarios: [{steps: []}]\n"),
    ("publish without a topic", "steps:\n  - publish: {client: a, payload: x}\n"),
    ("expect with messages and a topic",
     "steps:\n  - expect: {client: a, topic: t, messages: [{topic: t}]}\n"),
    ("subscribe with topic and topics",
     "steps:\n  - subscribe: {client: a, topic: t, topics: [u]}\n"),
    ("readiness with two conditions",
     "components: [{name: c, command: x, ready: {log: up, port: 80}}]\nsteps: []\n"),
    ("unknown fault action", "steps:\n  - fault: {action: explode}\n"),
    ("hex with an odd number of digits", "steps:\n  - publish: {client: a, topic: t, payload: {hex: abc}}\n"),
    ("unknown signal", "components: [{name: c, command: x, stop_signal: SIGFOO}]\nsteps: []\n"),
    ("session setting on a raw client", "clients: [{name: c, raw: true, keep_alive: 10}]\nsteps: []\n"),
    ("send with packet and hex", "steps:\n  - send: {client: c, packet: {type: pingreq}, hex: c000}\n"),
    ("send with neither packet nor hex", "steps:\n  - send: {client: c}\n"),
    ("packet without a type", "steps:\n  - send: {client: c, packet: {packet_id: 1}}\n"),
    ("unknown packet type", "steps:\n  - expect_packet: {client: c, packet: {type: subak}}\n"),
    ("sending a malformed packet by type", "steps:\n  - send: {client: c, packet: {type: malformed}}\n"),
    ("raw hex with an odd number of digits", "steps:\n  - send: {client: c, hex: 'c0 0'}\n"),
    ("raw hex with an unknown placeholder", "steps:\n  - send: {client: c, hex: '30 {{length}} 00'}\n"),
    ("expect_packet without a packet", "steps:\n  - expect_packet: {client: c, within: 1s}\n"),
    ("expect_closed with an unknown key", "steps:\n  - expect_closed: {client: c, reason: [0x81]}\n"),
    ("malformed statement id", "statements: [MQTT-3.1.2]\nsteps: []\n"),
    ("unknown capability", "scenarios: [{name: s, requires: [qos3], steps: []}]\n"),
]

# Each must be accepted: forms the reference allows that the examples may not show.
RIGHT = [
    ("base", VALID_BASE),
    ("scalar connect and disconnect", "steps:\n  - connect: a\n  - disconnect: a\n"),
    ("numeric payload", "steps:\n  - publish: {client: a, topic: t, payload: 22}\n"),
    ("protocol versions", "defaults: {protocol: 3.1}\nclients: [{name: a, protocol: '3.1.1'}, {name: b, protocol: 5.0}]\nsteps: []\n"),
    ("seconds as integer or duration",
     "clients: [{name: a, session_expiry: 30, keep_alive: 1m}]\nsteps: []\n"),
    ("user properties as a list",
     "steps:\n  - publish: {client: a, topic: t, properties: {user_properties: [{name: k, value: 1}, {name: k, value: 2}]}}\n"),
    ("json_path existence", "steps:\n  - expect: {client: a, topic: t, payload: {json_path: $.a}}\n"),
    ("reason by name and number",
     "steps:\n  - connect: {client: a, expect_reason: not_authorized}\n  - subscribe: {client: a, topic: t, expect_reason: [0x80]}\n"),
    ("fault", "steps:\n  - fault: {action: drop, direction: out, packet: puback, count: 0}\n"),
    ("raw client steps",
     "clients: [{name: c, raw: true, protocol: 5}]\n"
     "scenarios:\n  - name: s\n    statements: [MQTT-3.8.4-1, MQTT-4.2-1]\n    requires: [wildcards, mqtt5]\n"
     "    steps:\n"
     "      - send: {client: c, packet: {type: connect, properties: {session_expiry_interval: 10}}}\n"
     "      - expect_packet: {client: c, packet: {type: connack, reason_code: {one_of: [0, 0x87]}}, next: true}\n"
     "      - send: {client: c, packet: {type: subscribe, packet_id: 7, verbatim_topics: true,"
     " subscriptions: [{topic_filter: a/#, qos: 1}]}}\n"
     "      - expect_no_packet: {client: c, duration: 500ms}\n"
     "      - expect_no_packet: {client: c, packet: {type: malformed}}\n"
     "      - send: {client: c, hex: '82 {{len}} 0008 {{topic a/b}} {{str x}} 03'}\n"
     "      - expect_closed: {client: c, within: 2s, reasons: [0x81, protocol_error]}\n"
     "      - expect_closed: c\n"),
]


def load(text):
    return yaml.load(text, Loader=Loader)


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    schema = json.loads((root / "scenarios/schema/scenario.schema.json").read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    failures = []

    def scenario_files(*folders):
        return sorted(
            p
            for folder in folders
            for p in (root / folder).rglob("*")
            if p.suffix in (".yaml", ".yml")
        )

    files = scenario_files("scenarios/examples", "scenarios/failing-examples")
    if not files:
        failures.append("no scenario files found under scenarios/examples")
    # The conformance checks use the raw-client parts; their first line may be a comment.
    checks = scenario_files("scenarios/conformance/checks")
    if not checks:
        failures.append("no scenario files found under scenarios/conformance/checks")
    for path in files + checks:
        text = path.read_text()
        if path in files and "yaml-language-server: $schema=" not in text.splitlines()[0]:
            failures.append(f"{path}: the first line is not the yaml-language-server modeline")
        for error in validator.iter_errors(load(text)):
            where = "/".join(str(p) for p in error.absolute_path) or "(top)"
            failures.append(f"{path}: {where}: {error.message}")
        print(f"checked {path.relative_to(root)}")

    for what, text in WRONG:
        if validator.is_valid(load(text)):
            failures.append(f"accepted, should be rejected: {what}")
    for what, text in RIGHT:
        for error in validator.iter_errors(load(text)):
            failures.append(f"rejected, should be accepted: {what}: {error.message}")
    print(f"checked {len(WRONG)} wrong and {len(RIGHT)} right snippets")

    for failure in failures:
        print("FAIL: " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
