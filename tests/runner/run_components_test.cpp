// End-to-end tests of run_scenario with components, the processes under test: a shell
// component that stays up, one that crashes (the failure names it, its exit status and its last
// lines), one never ready, a missing program, readiness by log line, by port and by message,
// wait_log, templates in the environment, a script beside the scenario file, and an interrupt
// from another thread that ends a waiting scenario and still stops its component.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>

#include "run_test_support.hpp"
#include "support/loopback.hpp"
#include "support/temp_dir.hpp"

namespace harness::runner {
namespace {

using namespace test;
using clock = std::chrono::steady_clock;

/// The trace time of the first line of `actor` that is exactly `what`; -1 if none.
double traced_at(const scenario_result& r, std::string_view actor, std::string_view what) {
    for (const auto& e : r.trace)
        if (e.actor == actor && e.what == what)
            return e.at;
    return -1;
}

TEST(RunComponents, ShellComponentThatStaysPassesAndKeepsItsLog) {
    const auto r = run_yaml(R"yaml(
components:
  - name: svc
    command: "echo ready; exec sleep 30"
    ready: {log: "^ready$", timeout: 2s}
steps:
  - wait_log: {component: svc, pattern: ready}
)yaml");
    ASSERT_EQ(r.outcome, verdict::passed) << report(r);
    ASSERT_EQ(r.components.size(), 1u) << report(r);
    const auto& c = r.components[0];
    EXPECT_EQ(c.name, "svc");
    EXPECT_EQ(c.command, "echo ready; exec sleep 30");
    EXPECT_TRUE(has(c.output, "[stdout] ready")) << report(r);
    EXPECT_EQ(c.exit_status, 128 + 15) << "stopped by SIGTERM" << report(r);
    EXPECT_GE(traced_at(r, "svc", "ready"), 0) << report(r);
}

TEST(RunComponents, ComponentExitingEarlyFailsWithItsStatusAndLastLines) {
    const auto started = clock::now();
    const auto r = run_yaml(R"yaml(
components:
  - name: crashy
    command: "echo ready; echo boom >&2; exit 3"
    ready: {log: ready}
clients: [{name: c}]
steps:
  - subscribe: {client: c, topic: never}
  - expect: {client: c, topic: never, within: 20s}
)yaml");
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(has(r.fail->message, "component crashy (inline.yaml:")) << report(r);
    EXPECT_TRUE(has(r.fail->message, "exited early with status 3")) << report(r);
    EXPECT_TRUE(
        has(r.fail->expected, "component crashy running: echo ready; echo boom >&2; exit 3"))
        << report(r);
    EXPECT_TRUE(has(r.fail->expected, "last log lines:")) << report(r);
    EXPECT_TRUE(has(r.fail->expected, "[stderr] boom")) << report(r);
    EXPECT_EQ(r.fail->step, "component");
    ASSERT_EQ(r.components.size(), 1u) << report(r);
    EXPECT_EQ(r.components[0].exit_status, 3) << report(r);
    // The exit ends the scenario at once, not when the expect gives up.
    EXPECT_LT(clock::now() - started, 10s) << report(r);
}

TEST(RunComponents, ComponentNeverReadyFailsAsNotReady) {
    const auto r = run_yaml(R"yaml(
components:
  - name: mute
    command: "exec sleep 30"
    ready: {log: never printed, timeout: 300ms}
clients: [{name: c}]
steps:
  - subscribe: {client: c, topic: t}
)yaml");
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(has(r.fail->message, "component mute (")) << report(r);
    EXPECT_TRUE(
        has(r.fail->message, "not ready: waited 300 ms for a log line matching /never printed/"))
        << report(r);
    // The steps did not run, and the component was stopped.
    for (const auto& e : r.trace)
        EXPECT_NE(e.actor, "steps") << e.what;
    ASSERT_EQ(r.components.size(), 1u) << report(r);
    EXPECT_EQ(r.components[0].exit_status, 128 + 15) << report(r);
}

TEST(RunComponents, MissingProgramIsAnErrorNamingIt) {
    const auto r = run_yaml(R"yaml(
components:
  - name: ghost
    command: [/nonexistent/harness-test-program, --flag]
steps:
  - sleep: 1ms
)yaml");
    ASSERT_EQ(r.outcome, verdict::error) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(has(r.fail->message, "component ghost (")) << report(r);
    EXPECT_TRUE(has(r.fail->message, "/nonexistent/harness-test-program")) << report(r);
}

std::string port_component(std::uint16_t listen_on, std::uint16_t wait_for) {
    // Listens after 300 ms, so that readiness has something to wait for.
    return "components:\n"
           "  - name: server\n"
           "    command:\n"
           "      - /usr/bin/python3\n"
           "      - -c\n"
           "      - |\n"
           "        import socket, sys, time\n"
           "        time.sleep(0.3)\n"
           "        s = socket.socket()\n"
           "        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
           "        s.bind(('127.0.0.1', " +
           std::to_string(listen_on) +
           "))\n"
           "        s.listen()\n"
           "        print('listening', flush=True)\n"
           "        time.sleep(30)\n"
           "    ready: {port: " +
           std::to_string(wait_for) +
           ", timeout: 5s}\n"
           "steps:\n"
           "  - wait_log: {component: server, pattern: listening}\n";
}

TEST(RunComponents, ReadinessByPortWaitsUntilThePortAcceptsConnections) {
    const auto port = test_support::free_port();
    const auto r = run_yaml(port_component(port, port));
    ASSERT_EQ(r.outcome, verdict::passed) << report(r);
    const double started = traced_at(r, "server", "started: " + r.components.at(0).command);
    const double ready = traced_at(r, "server", "ready");
    ASSERT_GE(started, 0) << report(r);
    ASSERT_GE(ready, 0) << report(r);
    EXPECT_GE(ready - started, 0.25) << report(r);
}

TEST(RunComponents, ReadinessByPortFailsWhenNothingListensThere) {
    const auto listen_on = test_support::free_port();
    const auto nobody = test_support::free_port();
    ASSERT_NE(listen_on, nobody);
    auto yaml = port_component(listen_on, nobody);
    yaml.replace(yaml.find("timeout: 5s"), 11, "timeout: 300ms");
    const auto r = run_yaml(yaml);
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(has(r.fail->message, "not ready: waited 300 ms for port " + std::to_string(nobody) +
                                         " to accept connections"))
        << report(r);
}

std::string message_component(const std::string& publishes_on) {
    return R"yaml(
components:
  - name: announcer
    command: "mosquitto_pub -h {{broker.host}} -p {{broker.port}} -t '{{run.prefix}})yaml" +
           publishes_on + R"yaml(' -m 1 && echo published && exec sleep 30"
    ready: {message: up, timeout: 1s}
steps:
  - wait_log: {component: announcer, pattern: published}
)yaml";
}

TEST(RunComponents, ReadinessByMessageWaitsForTheComponentsMessage) {
    const auto r = run_yaml(message_component("up"));
    ASSERT_EQ(r.outcome, verdict::passed) << report(r);
    EXPECT_GE(traced_at(r, "announcer", "ready"), 0) << report(r);
}

TEST(RunComponents, ReadinessByMessageFailsWhenTheMessageGoesElsewhere) {
    const auto r = run_yaml(message_component("elsewhere"));
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(has(r.fail->message, "not ready: waited 1000 ms for a message on \"up\""))
        << report(r);
}

constexpr const char* logging_component = R"yaml(
components:
  - name: svc
    command: "echo ready; echo value=42; exec sleep 30"
    ready: {log: ready}
steps:
  - wait_log: {component: svc, pattern: "PATTERN", timeout: 300ms}
)yaml";

std::string waiting_for(const std::string& pattern) {
    std::string yaml = logging_component;
    yaml.replace(yaml.find("PATTERN"), 7, pattern);
    return yaml;
}

TEST(RunComponents, WaitLogPassesOnAMatchingLine) {
    const auto r = run_yaml(waiting_for(R"(^value=\\d+$)"));
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
}

TEST(RunComponents, WaitLogFailsWithoutAMatchingLineAndShowsTheLog) {
    const auto r = run_yaml(waiting_for("value=43"));
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(has(r.fail->message, "step 1 (wait_log at")) << report(r);
    EXPECT_TRUE(has(r.fail->message, "no line of svc matched /value=43/ within 300 ms"))
        << report(r);
    EXPECT_TRUE(has(r.fail->expected, "last log lines:")) << report(r);
    EXPECT_TRUE(has(r.fail->expected, "[stdout] value=42")) << report(r);
}

TEST(RunComponents, BrokerTemplatesInTheEnvironmentReachTheChild) {
    const auto r = run_yaml(R"yaml(
components:
  - name: env
    command: 'echo "env=$SEEN_HOST:$SEEN_PORT cmd={{broker.host}}:{{broker.port}}"; exec sleep 30'
    env: {SEEN_HOST: "{{broker.host}}", SEEN_PORT: "{{broker.port}}"}
steps:
  - wait_log: {component: env, pattern: "^env=", timeout: 2s}
)yaml");
    ASSERT_EQ(r.outcome, verdict::passed) << report(r);
    ASSERT_EQ(r.components.size(), 1u);
    const auto& out = r.components[0].output;
    const auto env_at = out.find("env=");
    const auto cmd_at = out.find(" cmd=");
    ASSERT_NE(env_at, std::string::npos) << report(r);
    ASSERT_NE(cmd_at, std::string::npos) << report(r);
    const auto from_env = out.substr(env_at + 4, cmd_at - env_at - 4);
    const auto from_command = out.substr(cmd_at + 5, out.find('\n', cmd_at) - cmd_at - 5);
    EXPECT_EQ(from_env, from_command) << report(r);
    EXPECT_TRUE(from_env.starts_with("127.0.0.1:")) << from_env;
    EXPECT_NE(from_env, "127.0.0.1:") << from_env;
    EXPECT_NE(from_env, "127.0.0.1:0") << from_env;
}

TEST(RunComponents, ScriptAndPayloadFileBesideTheScenarioAreFound) {
    test_support::temp_dir dir("runner-test");
    dir.write("component.sh", "echo \"in $(pwd)\"\necho ready\nexec sleep 30\n");
    dir.write("payload.bin", std::string("\x01\x02\xff", 3));
    const auto r = run_yaml(R"yaml(
components:
  - name: script
    command: [/bin/sh, component.sh]
    ready: {log: ready}
clients: [{name: sub}, {name: pub}]
steps:
  - subscribe: {client: sub, topic: t}
  - publish: {client: pub, topic: t, payload: {file: payload.bin}}
  - expect: {client: sub, topic: t, payload: {hex: 01 02 ff}}
)yaml",
                            quick_options(), dir.file("scenario.yaml"));
    ASSERT_EQ(r.outcome, verdict::passed) << report(r);
    ASSERT_EQ(r.components.size(), 1u);
    EXPECT_TRUE(has(r.components[0].output, "[stdout] in " + dir.path().string())) << report(r);
}

struct interrupted_run {
    bool reached = false;  // the trace line came
    bool ended = false;    // the scenario ended within 5 s of the interrupt
    scenario_result result;
};

/// Runs `yaml` on another thread and fires an interrupt from this one as soon as `actor` traces
/// a line starting with `line`.
interrupted_run interrupt_at(const std::string& yaml, std::string actor, std::string line) {
    const auto s = load_yaml(yaml);
    interrupt stop;
    std::promise<void> at_line;
    std::atomic<bool> seen{false};
    auto options = quick_options();
    options.stop = &stop;
    // Called on the scenario's thread.
    options.live_trace = [&](const trace_entry& e) {
        if (e.actor == actor && e.what.starts_with(line) && !seen.exchange(true))
            at_line.set_value();
    };
    auto running = std::async(std::launch::async, [&] { return run_scenario(s, options); });
    interrupted_run out;
    out.reached = at_line.get_future().wait_for(20s) == std::future_status::ready;
    stop.fire();
    out.ended = running.wait_for(5s) == std::future_status::ready;
    out.result = running.get();
    EXPECT_TRUE(stop.fired());
    return out;
}

void expect_interrupted(const interrupted_run& run) {
    const auto& r = run.result;
    EXPECT_TRUE(run.reached) << "the trace line did not come" << report(r);
    EXPECT_TRUE(run.ended) << "the scenario did not end within 5 s of the interrupt" << report(r);
    ASSERT_EQ(r.outcome, verdict::error) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_EQ(r.fail->message, "interrupted") << report(r);
    ASSERT_EQ(r.components.size(), 1u) << report(r);
    EXPECT_EQ(r.components[0].exit_status, 128 + 15) << "stopped by SIGTERM" << report(r);
}

TEST(RunComponents, InterruptEndsAWaitingExpectPromptlyAndStopsTheComponent) {
    const auto run = interrupt_at(R"yaml(
components:
  - name: svc
    command: "echo ready; exec sleep 30"
    ready: {log: ready}
clients: [{name: c}]
steps:
  - subscribe: {client: c, topic: never}
  - expect: {client: c, topic: never, within: 30s}
)yaml",
                                  "steps", "step 2: expect (");
    expect_interrupted(run);
    ASSERT_EQ(run.result.components.size(), 1u);
    EXPECT_TRUE(has(run.result.components[0].output, "[stdout] ready")) << report(run.result);
}

TEST(RunComponents, InterruptEndsAWaitLogPromptly) {
    expect_interrupted(interrupt_at(R"yaml(
components:
  - name: svc
    command: "echo ready; exec sleep 30"
steps:
  - wait_log: {component: svc, pattern: never, timeout: 30s}
)yaml",
                                    "steps", "step 1: wait_log ("));
}

TEST(RunComponents, InterruptEndsAReadinessWaitPromptly) {
    expect_interrupted(interrupt_at(R"yaml(
components:
  - name: svc
    command: "echo started; exec sleep 30"
    ready: {log: never, timeout: 30s}
steps:
  - sleep: 1ms
)yaml",
                                    "svc", "[stdout] started"));
}

TEST(RunComponents, ComponentExitingDuringWaitLogIsReportedAsItsExit) {
    const auto r = run_yaml(R"yaml(
components:
  - name: crashy
    command: "echo boom >&2; exit 3"
steps:
  - wait_log: {component: crashy, pattern: never, timeout: 20s}
)yaml");
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(has(r.fail->message, "component crashy (")) << report(r);
    EXPECT_TRUE(has(r.fail->message, "exited early with status 3")) << report(r);
    EXPECT_TRUE(has(r.fail->expected, "[stderr] boom")) << report(r);
}

}  // namespace
}  // namespace harness::runner
