// Tests of load.hpp on valid files: a single scenario and a suite load into the expected model
// values (defaults applied, durations and protocols converted, paths resolved, suite parts
// inherited), and scenario files are found in folders.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <filesystem>

#include "harness/scenario/load.hpp"
#include "support/temp_dir.hpp"

namespace harness::scenario {
namespace {

using namespace std::chrono_literals;
using test_support::temp_dir;

std::string dump(const load_result& result) {
    std::string text;
    for (const diagnostic& error : result.errors)
        text += error.to_string() + "\n";
    return text;
}

template <class Body>
const Body& body_of(const scenario& s, std::size_t index) {
    return std::get<Body>(s.steps.at(index).body);
}

TEST(Load, SingleScenarioFileLoadsEveryPart) {
    temp_dir dir("load-test");
    dir.write("reading.bin", "abc");
    const std::string path = dir.file("telemetry.yaml");
    const std::string text = R"(name: telemetry round trip
description: a sensor reports, the backend answers
tags: [smoke, telemetry]
variables:
  device: dev-1
  limit: 5
defaults:
  timeout: 1.5s
  qos: 1
  protocol: "3.1.1"
clients:
  - name: sensor
    client_id: "sensor-{{device}}"
    session_expiry: 30
    keep_alive: 2m
    will:
      topic: status/{{device}}
      payload: offline
      retain: true
      delay: 10s
  - name: backend
    protocol: 5
    clean_start: false
    connect: false
    tls: {ca_file: certs/ca.pem, insecure: true}
components:
  - name: bridge
    command: [./bridge, --url, "{{broker.url}}"]
    env: {LEVEL: debug}
    ready: {log: "ready on port \\d+"}
    stop_signal: SIGINT
    stop_grace: 500ms
stand_ins:
  - name: echo
    client: backend
    on: {topic: "cmd/+", payload: {json_path: {path: "$.id", equals: 7}}}
    publish:
      topic: "reply/{{trigger.levels[1]}}"
      payload: {json: {id: "{{trigger.json.id}}", ok: true, n: 3, r: 1.5, z: null, s: "true"}}
    delay: 100ms
background:
  - client: sensor
    topic: noise/{{seq}}
    rate: 2.5
steps:
  - connect: backend
  - subscribe: {client: backend, topics: ["data/#", {topic: "alerts/+", qos: 2, no_local: true}]}
  - id: send
    publish: {client: sensor, topic: "data/{{device}}", payload: {file: reading.bin}, repeat: 3}
  - expect:
      client: backend
      topic: data/+
      payload: {regex: "^a.c$"}
      count: 3
      within: 2s
      latency: 250ms
      after: send
  - expect_none: {client: backend, topic: alerts/#, for: 300ms}
  - wait_log: {component: bridge, pattern: "forwarded \\d+"}
  - fault: {action: delay, direction: out, packet: puback, client: sensor, delay: 1s, count: 0}
  - sleep: 1m
  - disconnect: {client: sensor, abrupt: true}
)";
    const load_result result = load_text(text, path);
    ASSERT_TRUE(result.ok()) << dump(result);
    EXPECT_EQ(result.file.path, path);
    EXPECT_EQ(result.file.suite_name, "telemetry round trip");
    ASSERT_EQ(result.file.scenarios.size(), 1u);
    const scenario& s = result.file.scenarios[0];
    EXPECT_EQ(s.name, "telemetry round trip");
    EXPECT_EQ(s.file, path);
    EXPECT_EQ(s.where.line, 1);
    EXPECT_EQ(s.description, "a sensor reports, the backend answers");
    EXPECT_EQ(s.tags, (std::vector<std::string>{"smoke", "telemetry"}));
    EXPECT_EQ(s.variables.at("device"), "dev-1");
    EXPECT_EQ(s.variables.at("limit"), "5");
    EXPECT_EQ(s.defaults.timeout, milliseconds{1500});
    EXPECT_EQ(s.defaults.qos, 1);
    EXPECT_EQ(s.defaults.version, 4);

    ASSERT_EQ(s.clients.size(), 2u);
    const client_spec& sensor = s.clients[0];
    EXPECT_EQ(sensor.name, "sensor");
    EXPECT_EQ(sensor.where.line, 12);
    EXPECT_EQ(sensor.where.column, 5);
    EXPECT_EQ(sensor.version, 4);  // defaults.protocol
    EXPECT_EQ(sensor.client_id, "sensor-{{device}}");
    EXPECT_EQ(sensor.session_expiry, 30u);
    EXPECT_EQ(sensor.keep_alive, 120);
    ASSERT_TRUE(sensor.will);
    EXPECT_EQ(sensor.will->message.topic, "status/{{device}}");
    EXPECT_EQ(sensor.will->message.payload.text, "offline");
    EXPECT_TRUE(sensor.will->message.retain);
    EXPECT_EQ(sensor.will->delay_interval, 10u);
    const client_spec& backend = s.clients[1];
    EXPECT_EQ(backend.version, 5);
    EXPECT_FALSE(backend.clean_start);
    EXPECT_FALSE(backend.auto_connect);
    ASSERT_TRUE(backend.tls);
    EXPECT_EQ(backend.tls->ca_file, (dir.path() / "certs/ca.pem").string());
    EXPECT_TRUE(backend.tls->insecure);

    ASSERT_EQ(s.components.size(), 1u);
    const component_spec& bridge = s.components[0];
    EXPECT_FALSE(bridge.shell);
    EXPECT_EQ(bridge.command, (std::vector<std::string>{"./bridge", "--url", "{{broker.url}}"}));
    EXPECT_EQ(bridge.working_dir, dir.path().string());
    ASSERT_EQ(bridge.env.size(), 1u);
    EXPECT_EQ(bridge.env[0], (std::pair<std::string, std::string>{"LEVEL", "debug"}));
    ASSERT_TRUE(bridge.ready);
    EXPECT_EQ(bridge.ready->on, readiness_spec::kind::log_line);
    EXPECT_EQ(bridge.ready->pattern, "ready on port \\d+");
    EXPECT_EQ(bridge.ready->timeout, milliseconds{1500});  // defaults.timeout
    EXPECT_EQ(bridge.stop_signal, 2);
    EXPECT_EQ(bridge.stop_grace, 500ms);

    ASSERT_EQ(s.stand_ins.size(), 1u);
    const stand_in_spec& echo = s.stand_ins[0];
    EXPECT_EQ(echo.client, "backend");
    EXPECT_EQ(echo.trigger.topic_filter, "cmd/+");
    EXPECT_EQ(echo.trigger.payload.how, payload_match::kind::json_path);
    EXPECT_EQ(echo.trigger.payload.path, "$.id");
    EXPECT_EQ(echo.trigger.payload.json, boost::json::value(7));
    EXPECT_FALSE(echo.trigger.payload.path_exists_only);
    EXPECT_EQ(echo.subscribe_qos, 1);
    ASSERT_EQ(echo.replies.size(), 1u);
    EXPECT_EQ(echo.replies[0].topic, "reply/{{trigger.levels[1]}}");
    EXPECT_EQ(echo.replies[0].payload.form, payload_spec::kind::json);
    EXPECT_EQ(echo.replies[0].payload.json,
              boost::json::parse(
                  R"({"id":"{{trigger.json.id}}","ok":true,"n":3,"r":1.5,"z":null,"s":"true"})"));
    EXPECT_EQ(echo.delay, 100ms);

    ASSERT_EQ(s.background.size(), 1u);
    EXPECT_EQ(s.background[0].name, "background-1");
    EXPECT_EQ(s.background[0].client, "sensor");
    EXPECT_EQ(s.background[0].message.topic, "noise/{{seq}}");
    EXPECT_DOUBLE_EQ(s.background[0].rate, 2.5);

    ASSERT_EQ(s.steps.size(), 9u);
    EXPECT_EQ(body_of<connect_step>(s, 0).client, "backend");
    const auto& subscribe = body_of<subscribe_step>(s, 1);
    ASSERT_EQ(subscribe.subscriptions.size(), 2u);
    EXPECT_EQ(subscribe.subscriptions[0].filter, "data/#");
    EXPECT_EQ(subscribe.subscriptions[0].qos, 1);  // defaults.qos
    EXPECT_EQ(subscribe.subscriptions[1].filter, "alerts/+");
    EXPECT_EQ(subscribe.subscriptions[1].qos, 2);
    EXPECT_TRUE(subscribe.subscriptions[1].no_local);
    EXPECT_EQ(s.steps[2].id, "send");
    EXPECT_EQ(s.steps[2].where.line, 48);
    const auto& publish = body_of<publish_step>(s, 2);
    EXPECT_EQ(publish.message.qos, 1);  // defaults.qos
    EXPECT_EQ(publish.message.payload.form, payload_spec::kind::file);
    EXPECT_EQ(publish.message.payload.text, dir.file("reading.bin"));
    EXPECT_EQ(publish.repeat, 3u);
    const auto& expect = body_of<expect_step>(s, 3);
    ASSERT_EQ(expect.messages.size(), 1u);
    EXPECT_EQ(expect.counts, (std::vector<std::uint32_t>{3}));
    EXPECT_EQ(expect.messages[0].payload.how, payload_match::kind::regex);
    EXPECT_EQ(expect.messages[0].payload.text, "^a.c$");
    EXPECT_EQ(expect.within, 2s);
    EXPECT_EQ(expect.latency, 250ms);
    EXPECT_EQ(expect.after, "send");
    EXPECT_EQ(body_of<expect_none_step>(s, 4).duration, 300ms);
    EXPECT_EQ(body_of<wait_log_step>(s, 5).component, "bridge");
    const auto& fault = body_of<fault_step>(s, 6);
    EXPECT_EQ(fault.what, fault_step::action::delay);
    EXPECT_FALSE(fault.inbound);
    EXPECT_EQ(fault.packet_type, 4);
    EXPECT_EQ(fault.delay, 1s);
    EXPECT_EQ(fault.count, 0u);
    EXPECT_EQ(body_of<sleep_step>(s, 7).duration, 60s);
    EXPECT_TRUE(body_of<disconnect_step>(s, 8).abrupt);
}

TEST(Load, SuiteScenariosInheritTheFilesPartsAndOverrideVariablesAndDefaults) {
    const std::string text = R"(name: broker basics
tags: [suite]
variables: {room: kitchen, unit: C}
defaults: {qos: 2, protocol: 3.1}
clients:
  - name: shared
stand_ins:
  - name: thermostat
    on: {topic: "set/{{room}}"}
    publish: [{topic: "ack/{{room}}", payload: done}, {topic: "log", qos: 1}]
scenarios:
  - name: first
    variables: {room: hall}
    steps:
      - publish: {client: shared, topic: "t/{{room}}/{{unit}}"}
  - name: second
    tags: [slow]
    defaults: {qos: 0}
    clients:
      - name: own
        protocol: "5.0"
    steps:
      - publish: {client: own, topic: t}
      - expect:
          client: shared
          messages:
            - {topic: "t/#", payload: "x"}
            - {topic: "u", count: 2, payload: {json: {a: [1, "b"]}}}
          ordered: false
)";
    const load_result result = load_text(text, "suites/basics.yml");
    ASSERT_TRUE(result.ok()) << dump(result);
    EXPECT_EQ(result.file.suite_name, "broker basics");
    ASSERT_EQ(result.file.scenarios.size(), 2u);

    const scenario& first = result.file.scenarios[0];
    EXPECT_EQ(first.name, "first");
    EXPECT_EQ(first.file, "suites/basics.yml");
    EXPECT_EQ(first.where.line, 12);
    EXPECT_EQ(first.variables.at("room"), "hall");
    EXPECT_EQ(first.variables.at("unit"), "C");
    EXPECT_EQ(first.tags, (std::vector<std::string>{"suite"}));
    ASSERT_EQ(first.clients.size(), 1u);
    EXPECT_EQ(first.clients[0].version, 3);
    ASSERT_EQ(first.stand_ins.size(), 1u);
    EXPECT_EQ(first.stand_ins[0].replies.size(), 2u);
    EXPECT_EQ(first.stand_ins[0].replies[1].qos, 1);
    EXPECT_EQ(body_of<publish_step>(first, 0).message.qos, 2);

    const scenario& second = result.file.scenarios[1];
    EXPECT_EQ(second.variables.at("room"), "kitchen");
    EXPECT_EQ(second.tags, (std::vector<std::string>{"suite", "slow"}));
    ASSERT_EQ(second.clients.size(), 2u);
    EXPECT_EQ(second.clients[0].name, "shared");
    EXPECT_EQ(second.clients[1].name, "own");
    EXPECT_EQ(second.clients[1].version, 5);
    EXPECT_EQ(second.stand_ins.size(), 1u);
    EXPECT_EQ(body_of<publish_step>(second, 0).message.qos, 0);
    const auto& expect = body_of<expect_step>(second, 1);
    ASSERT_EQ(expect.messages.size(), 2u);
    EXPECT_EQ(expect.counts, (std::vector<std::uint32_t>{1, 2}));
    EXPECT_FALSE(expect.ordered);
    EXPECT_EQ(expect.messages[0].payload.how, payload_match::kind::exact);
    EXPECT_EQ(expect.messages[0].payload.text, "x");
    EXPECT_EQ(expect.messages[1].payload.how, payload_match::kind::json_subset);
    EXPECT_EQ(expect.messages[1].payload.json, boost::json::parse(R"({"a":[1,"b"]})"));
    EXPECT_EQ(expect.messages[1].where.line, 28);
}

TEST(Load, NameDefaultsToTheFileStem) {
    const load_result result =
        load_text("clients: [{name: a}]\nsteps: [{connect: a}]\n", "dir/my-check.yaml");
    ASSERT_TRUE(result.ok()) << dump(result);
    EXPECT_EQ(result.file.suite_name, "my-check");
    EXPECT_EQ(result.file.scenarios.at(0).name, "my-check");
}

TEST(Load, DurationsAndSecondsAcceptTheirDocumentedForms) {
    const std::string text = R"(clients:
  - {name: a, session_expiry: 1m, keep_alive: 15, will: {topic: w, delay: 3}}
steps:
  - sleep: 1.5s
  - sleep: 250ms
  - publish: {client: a, topic: x, properties: {message_expiry: 2s, payload_format: utf8,
              user_properties: [{name: k, value: v1}, {name: k, value: v2}]}}
  - publish: {client: a, topic: y, payload: {hex: "de AD be ef"}, properties: {message_expiry: 9,
              user_properties: {a: b}}}
)";
    const load_result result = load_text(text, "forms.yaml");
    ASSERT_TRUE(result.ok()) << dump(result);
    const scenario& s = result.file.scenarios.at(0);
    EXPECT_EQ(s.clients[0].session_expiry, 60u);
    EXPECT_EQ(s.clients[0].keep_alive, 15);
    EXPECT_EQ(s.clients[0].will->delay_interval, 3u);
    EXPECT_EQ(body_of<sleep_step>(s, 0).duration, 1500ms);
    EXPECT_EQ(body_of<sleep_step>(s, 1).duration, 250ms);
    const auto& first = body_of<publish_step>(s, 2).message.properties;
    EXPECT_EQ(first.message_expiry_interval, 2u);
    EXPECT_EQ(first.payload_format_utf8, true);
    ASSERT_EQ(first.user_properties.size(), 2u);
    EXPECT_EQ(first.user_properties[1].second, "v2");
    const auto& second = body_of<publish_step>(s, 3).message;
    EXPECT_EQ(second.payload.form, payload_spec::kind::hex);
    EXPECT_EQ(second.payload.text, "deADbeef");
    EXPECT_EQ(second.properties.message_expiry_interval, 9u);
}

TEST(Load, StepShortFormsAndReasonNamesAreRead) {
    const std::string text = R"(clients: [{name: a, connect: false}]
steps:
  - connect: {client: a, expect_reason: not_authorized}
  - connect: a
  - subscribe: {client: a, topic: "x/#", expect_reason: [0x87]}
  - unsubscribe: {client: a, topics: [x/#, y]}
  - publish: {client: a, topic: z, expect_reason: 16}
  - disconnect: {client: a, reason: disconnect_with_will_message}
  - fault: {action: clear}
)";
    const load_result result = load_text(text, "short.yaml");
    ASSERT_TRUE(result.ok()) << dump(result);
    const scenario& s = result.file.scenarios.at(0);
    EXPECT_EQ(body_of<connect_step>(s, 0).expect_reason, 0x87);
    EXPECT_EQ(body_of<connect_step>(s, 1).client, "a");
    EXPECT_EQ(body_of<subscribe_step>(s, 2).expect_reasons, (std::vector<int>{0x87}));
    EXPECT_EQ(body_of<unsubscribe_step>(s, 3).filters, (std::vector<std::string>{"x/#", "y"}));
    EXPECT_EQ(body_of<publish_step>(s, 4).expect_reason, 0x10);
    EXPECT_EQ(body_of<disconnect_step>(s, 5).reason, 4);
    EXPECT_EQ(body_of<fault_step>(s, 6).what, fault_step::action::clear);
    EXPECT_EQ(body_of<fault_step>(s, 6).reason, 0x98);
}

TEST(Load, LoadFileReadsFromDisk) {
    temp_dir dir("load-test");
    const std::string path = dir.write("s.yaml", "clients: [{name: a}]\nsteps: [{connect: a}]\n");
    const load_result result = load_file(path);
    ASSERT_TRUE(result.ok()) << dump(result);
    EXPECT_EQ(result.file.scenarios.at(0).name, "s");
}

TEST(Load, CollectFindsYamlFilesInFoldersSortedAndKeepsGivenFiles) {
    temp_dir dir("collect-test");
    std::filesystem::create_directories(dir.path() / "b" / "deep");
    dir.write("b/deep/z.yml", "");
    dir.write("b/a.yaml", "");
    dir.write("b/notes.txt", "");
    const std::string given = dir.write("given.txt", "");
    std::vector<diagnostic> errors;
    const std::vector<std::string> files =
        collect_scenario_files({given, (dir.path() / "b").string()}, errors);
    EXPECT_TRUE(errors.empty());
    EXPECT_EQ(files,
              (std::vector<std::string>{given, dir.file("b/a.yaml"), dir.file("b/deep/z.yml")}));
}

TEST(Load, CollectReportsAPathThatDoesNotExist) {
    std::vector<diagnostic> errors;
    const auto files = collect_scenario_files({"/nonexistent/scenarios"}, errors);
    EXPECT_TRUE(files.empty());
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].to_string(), "/nonexistent/scenarios: error: no such file or folder");
}

}  // namespace
}  // namespace harness::scenario
