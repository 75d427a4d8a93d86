// `mqtt-harness run` as a user runs it: the examples pass on the embedded broker and on Debian's
// mosquitto (TCP and WebSocket) with valid JUnit and JSON reports, a failing scenario exits 1
// with expected-versus-seen, scenario-file errors and an unreachable broker exit 2, the
// selection and scheduling options (-k, --tag, --repeat, --fail-fast, -j) do what they say,
// Ctrl-C stops the components, writes the reports and exits 130, and the TLS options
// (--cafile, --insecure) reach the clients over mqtts:// and wss://.
#include <gtest/gtest.h>
#include <sys/types.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "scenario_cli.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/temp_dir.hpp"
#include "support/test_certificates.hpp"

namespace harness::cli::testing {
namespace {

using namespace std::chrono_literals;
using test_support::mosquitto_broker;
using test_support::mosquitto_config;
using test_support::mosquitto_listener;
using test_support::temp_dir;
namespace json = boost::json;

const std::string examples = source_path("scenarios/examples");

/// The number of example scenarios, as `validate` counts them (so adding one breaks no test).
std::size_t example_count() {
    static const auto n = scenario_count(examples);
    if (!n)
        ADD_FAILURE() << "validate " << examples << " did not report a scenario count";
    return n.value_or(0);
}

/// Runs the examples against `broker` and checks that every one passed.
void expect_examples_pass(const std::string& broker) {
    const auto n = example_count();
    ASSERT_GT(n, 0u);
    const auto r = run_harness({"run", examples, "--broker", broker});
    EXPECT_EQ(r.status, 0) << r;
    EXPECT_EQ(lines_starting(r.out, "PASS ").size(), n) << r;
    EXPECT_NE(r.out.find(std::to_string(n) + " scenarios: " + std::to_string(n) + " passed"),
              std::string::npos)
        << r;
}

// A scenario that fails quickly and one that passes, in the order the runner takes them
// (files sorted by name).
constexpr const char* failing_scenario = R"(name: fails first
clients:
  - name: sensor
  - name: display
steps:
  - subscribe: {client: display, topic: room/#}
  - publish: {client: sensor, topic: room/temperature, payload: "21.5"}
  - expect: {client: display, topic: room/temperature, payload: "22", within: 200ms}
)";
constexpr const char* passing_scenario = R"(name: passes second
clients:
  - name: subscriber
  - name: publisher
steps:
  - subscribe: {client: subscriber, topic: hello}
  - publish: {client: publisher, topic: hello, payload: world}
  - expect: {client: subscriber, topic: hello, payload: world, within: 2s}
)";

TEST(RunCommand, ExamplesPassOnTheEmbeddedBrokerWithValidJunitAndJsonReports) {
    const auto n = example_count();
    ASSERT_GT(n, 0u);
    temp_dir dir("harness-run-cli");
    const auto junit = dir.file("report.xml");
    const auto report = dir.file("report.json");
    const auto r = run_harness({"run", examples, "--junit", junit, "--json", report});
    EXPECT_EQ(r.status, 0) << r;
    EXPECT_EQ(lines_starting(r.out, "PASS ").size(), n) << r;
    for (const char* name : {"tutorial", "thermostat", "request_response"})
        EXPECT_NE(r.out.find(std::string("› ") + name), std::string::npos) << name << "\n" << r;
    EXPECT_NE(r.out.find(std::to_string(n) + " scenarios: " + std::to_string(n) +
                         " passed, 0 failed, 0 errors, 0 skipped"),
              std::string::npos)
        << r;
    EXPECT_NE(r.out.find("broker embedded"), std::string::npos) << r;

    expect_valid_junit(junit);
    const auto xml = read_text(junit);
    EXPECT_EQ(count_of(xml, "<testcase "), n) << xml;
    EXPECT_EQ(count_of(xml, "<failure"), 0u) << xml;

    const auto parsed = json::parse(read_text(report)).as_object();
    EXPECT_EQ(parsed.at("counts").at("total").as_int64(), static_cast<std::int64_t>(n));
    EXPECT_EQ(parsed.at("counts").at("passed").as_int64(), static_cast<std::int64_t>(n));
    const auto& scenarios = parsed.at("scenarios").as_array();
    EXPECT_EQ(scenarios.size(), n);
    for (const auto& s : scenarios)
        EXPECT_EQ(s.at("outcome").as_string(), "passed") << json::serialize(s);
}

TEST(RunCommand, FailingScenarioExitsOneAndShowsExpectedVersusSeen) {
    temp_dir dir("harness-run-cli");
    const auto junit = dir.file("report.xml");
    const auto r =
        run_harness({"run", source_path("scenarios/failing-examples"), "--junit", junit});
    EXPECT_EQ(r.status, 1) << r;
    EXPECT_EQ(lines_starting(r.out, "FAIL ").size(), 1u) << r;
    EXPECT_NE(r.out.find("expected:"), std::string::npos) << r;
    EXPECT_NE(r.out.find("seen:"), std::string::npos) << r;
    EXPECT_NE(r.out.find(R"(payload "21.5" is not "22")"), std::string::npos) << r;
    EXPECT_NE(r.out.find("0 passed, 1 failed"), std::string::npos) << r;
    expect_valid_junit(junit);
    EXPECT_EQ(count_of(read_text(junit), "<failure"), 1u) << read_text(junit);
}

/// One mosquitto per test process with a plain MQTT and a WebSocket listener.
const mosquitto_broker& shared_mosquitto() {
    static const auto broker = [] {
        mosquitto_config config;
        config.listeners = {mosquitto_listener::mqtt(), mosquitto_listener::websockets()};
        return std::make_unique<mosquitto_broker>(config);
    }();
    return *broker;
}

TEST(RunCommand, ExamplesPassOnMosquittoOverTcp) {
    const auto& b = shared_mosquitto();
    expect_examples_pass("mqtt://127.0.0.1:" + std::to_string(b.port(0)));
}

TEST(RunCommand, ExamplesPassOnMosquittoOverWebSocket) {
    const auto& b = shared_mosquitto();
    expect_examples_pass("ws://127.0.0.1:" + std::to_string(b.port(1)) + "/mqtt");
}

TEST(RunCommand, ExamplesPassOnTheEmbeddedBrokerOverEachTransport) {
    // TLS with a certificate made for the run, which the clients (and the components, through
    // {{broker.url}}) are given.
    for (const auto* broker : {"embedded:ws", "embedded:mqtts", "embedded:wss"}) {
        SCOPED_TRACE(broker);
        expect_examples_pass(broker);
    }
}

TEST(RunCommand, UnknownEmbeddedTransportIsAUsageError) {
    const auto r = run_harness({"run", examples, "--broker", "embedded:quic"});
    EXPECT_EQ(r.status, 2) << r;
    EXPECT_NE(r.err.find("embedded:wss"), std::string::npos) << r;
}

TEST(RunCommand, ScenarioFileErrorsExitTwoWithFileLineColumnAndSuggestion) {
    temp_dir dir("harness-run-cli");
    // Line 6: `retain` takes a boolean, not a map; line 7: `withn` is a misspelt `within`.
    const auto file = dir.write("mistakes.yaml", R"(name: mistakes
clients:
  - name: a
steps:
  - subscribe: {client: a, topic: x, qos: 1}
  - publish: {client: a, topic: x, payload: y, retain: {a: 1}}
  - expect: {client: a, topic: x, withn: 2s}
)");
    const auto r = run_harness({"run", file});
    EXPECT_EQ(r.status, 2) << r;
    EXPECT_NE(r.err.find(file + ":6:56: error: expected true or false, got a map"),
              std::string::npos)
        << r;
    EXPECT_NE(r.err.find(file + ":7:35: error: unknown key `withn` in expect (did you mean "
                                "`within`?)"),
              std::string::npos)
        << r;
    EXPECT_EQ(lines_starting(r.out, "PASS ").size() + lines_starting(r.out, "FAIL ").size(), 0u)
        << "nothing runs when a file has errors\n"
        << r;
}

TEST(RunCommand, UnreachableBrokerExitsTwoOnce) {
    const auto r = run_harness({"run", examples, "--broker", "mqtt://127.0.0.1:1"});
    EXPECT_EQ(r.status, 2) << r;
    EXPECT_NE(r.err.find("broker unreachable"), std::string::npos) << r;
    EXPECT_EQ(count_of(r.err, "broker unreachable"), 1u) << r;
    EXPECT_TRUE(lines_starting(r.out, "FAIL ").empty()) << r;
}

TEST(RunCommand, NamePatternRunsOnlyTheMatchingScenario) {
    const auto r = run_harness({"run", examples, "-k", "tutorial"});
    EXPECT_EQ(r.status, 0) << r;
    const auto passed = lines_starting(r.out, "PASS ");
    ASSERT_EQ(passed.size(), 1u) << r;
    EXPECT_NE(passed[0].find("tutorial.yaml › tutorial"), std::string::npos) << r;
    EXPECT_NE(r.out.find("1 scenario: 1 passed"), std::string::npos) << r;
}

TEST(RunCommand, TagRunsOnlyTheScenariosWithThatTag) {
    const auto r = run_harness({"run", examples, "--tag", "component"});
    EXPECT_EQ(r.status, 0) << r;
    const auto passed = lines_starting(r.out, "PASS ");
    ASSERT_EQ(passed.size(), 1u) << r;
    EXPECT_NE(passed[0].find("thermostat.yaml › thermostat"), std::string::npos) << r;
}

TEST(RunCommand, RepeatRunsEachScenarioThatManyTimes) {
    temp_dir dir("harness-run-cli");
    const auto junit = dir.file("report.xml");
    const auto r = run_harness({"run", source_path("scenarios/examples/tutorial.yaml"), "--repeat",
                                "2", "--junit", junit});
    EXPECT_EQ(r.status, 0) << r;
    EXPECT_EQ(lines_starting(r.out, "PASS ").size(), 2u) << r;
    EXPECT_NE(r.out.find("2 scenarios: 2 passed"), std::string::npos) << r;
    expect_valid_junit(junit);
    const auto xml = read_text(junit);
    EXPECT_EQ(count_of(xml, "<testcase "), 2u) << xml;
    EXPECT_NE(xml.find("tutorial (attempt 2)"), std::string::npos) << xml;
}

TEST(RunCommand, FailFastSkipsTheScenariosAfterAFailure) {
    temp_dir dir("harness-run-cli");
    dir.write("a_fails.yaml", failing_scenario);
    dir.write("b_passes.yaml", passing_scenario);
    const auto junit = dir.file("report.xml");
    const auto r =
        run_harness({"run", dir.path().string(), "--fail-fast", "-j", "1", "--junit", junit});
    EXPECT_EQ(r.status, 1) << r;
    EXPECT_EQ(lines_starting(r.out, "FAIL ").size(), 1u) << r;
    EXPECT_TRUE(lines_starting(r.out, "PASS ").empty()) << r;
    EXPECT_NE(r.out.find("0 passed, 1 failed, 0 errors, 1 skipped"), std::string::npos) << r;
    expect_valid_junit(junit);
    const auto xml = read_text(junit);
    EXPECT_EQ(count_of(xml, "<skipped"), 1u) << xml;
    EXPECT_NE(xml.find("--fail-fast"), std::string::npos) << xml;
}

TEST(RunCommand, WithoutFailFastTheScenariosAfterAFailureStillRun) {
    temp_dir dir("harness-run-cli");
    dir.write("a_fails.yaml", failing_scenario);
    dir.write("b_passes.yaml", passing_scenario);
    const auto r = run_harness({"run", dir.path().string(), "-j", "1"});
    EXPECT_EQ(r.status, 1) << r;
    EXPECT_NE(r.out.find("1 passed, 1 failed, 0 errors, 0 skipped"), std::string::npos) << r;
}

TEST(RunCommand, TwoJobsRunTheExamplesInParallelAndAllPass) {
    const auto n = example_count();
    ASSERT_GT(n, 0u);
    const auto r = run_harness({"run", examples, "-j", "2"});
    EXPECT_EQ(r.status, 0) << r;
    EXPECT_EQ(lines_starting(r.out, "PASS ").size(), n) << r;
    EXPECT_NE(r.out.find(std::to_string(n) + " scenarios: " + std::to_string(n) + " passed"),
              std::string::npos)
        << r;
}

TEST(RunCommand, InterruptStopsComponentsWritesReportsAndExits130) {
    temp_dir dir("harness-run-cli");
    // The component prints its shell's pid; `exec` makes the sleep keep that pid.
    const auto file = dir.write("waits.yaml", R"(name: waits for a message that never comes
components:
  - name: sleeper
    command: [sh, -c, 'echo ready $$; exec sleep 60']
    ready: {log: ready}
clients:
  - name: c
steps:
  - subscribe: {client: c, topic: never/sent}
  - expect: {client: c, topic: never/sent, payload: x, within: 30s}
)");
    const auto junit = dir.file("report.xml");
    auto harness = start_harness({"run", file, "-v", "--junit", junit});
    ASSERT_TRUE(harness->wait_for_output("step 2: expect", line_bound))
        << "the expect step never started\nstdout:\n"
        << harness->output() << "\nstderr:\n"
        << harness->errors();
    const auto trace = harness->output();
    const std::string marker = "[stdout] ready ";
    const auto at = trace.find(marker);
    ASSERT_NE(at, std::string::npos) << trace;
    const auto pid = number_after(trace, at + marker.size());
    ASSERT_TRUE(pid) << trace;
    const auto component = static_cast<pid_t>(*pid);
    ASSERT_EQ(::kill(component, 0), 0) << "the component should be running now";

    harness->send_signal(SIGINT);
    const auto r = finish(*harness, 5s);  // "within a few seconds"
    EXPECT_EQ(r.status, 130) << r;
    EXPECT_NE(r.err.find("interrupted"), std::string::npos) << r;
    expect_valid_junit(junit);
    EXPECT_EQ(count_of(read_text(junit), "<testcase "), 1u) << read_text(junit);
    errno = 0;
    EXPECT_EQ(::kill(component, 0), -1) << "component " << component << " outlived the run";
    EXPECT_EQ(errno, ESRCH);
}

/// One mosquitto per test process with a TLS and a secure WebSocket listener, and the
/// certificates they use (the server's is for localhost, signed by certs.ca).
struct tls_mosquitto {
    temp_dir dir{"harness-run-tls"};
    test_support::test_certificates certs = test_support::make_test_certificates(dir);
    std::unique_ptr<mosquitto_broker> broker;

    std::string mqtts() const { return "mqtts://localhost:" + std::to_string(broker->port(0)); }
    std::string wss() const {
        return "wss://localhost:" + std::to_string(broker->port(1)) + "/mqtt";
    }
};

const tls_mosquitto& shared_tls_mosquitto() {
    static const auto b = [] {
        auto t = std::make_unique<tls_mosquitto>();
        const auto tls = [&](mosquitto_listener l) {
            l.cafile = t->certs.ca;
            l.certfile = t->certs.server_cert;
            l.keyfile = t->certs.server_key;
            return l;
        };
        mosquitto_config config;
        config.listeners = {tls(mosquitto_listener::mqtt()), tls(mosquitto_listener::websockets())};
        t->broker = std::make_unique<mosquitto_broker>(config);
        return t;
    }();
    return *b;
}

const std::string tutorial = source_path("scenarios/examples/tutorial.yaml");

/// Checks that `run` passed the tutorial's one scenario.
void expect_tutorial_passed(const command_result& r) {
    EXPECT_EQ(r.status, 0) << r;
    EXPECT_EQ(lines_starting(r.out, "PASS ").size(), 1u) << r;
    EXPECT_NE(r.out.find("1 scenario: 1 passed"), std::string::npos) << r;
}

TEST(RunCommand, TlsBrokerWithItsCaOnTheCommandLinePasses) {
    const auto& b = shared_tls_mosquitto();
    expect_tutorial_passed(
        run_harness({"run", tutorial, "--broker", b.mqtts(), "--cafile", b.certs.ca}));
}

TEST(RunCommand, TlsOverWebSocketBrokerWithItsCaOnTheCommandLinePasses) {
    const auto& b = shared_tls_mosquitto();
    expect_tutorial_passed(
        run_harness({"run", tutorial, "--broker", b.wss(), "--cafile", b.certs.ca}));
}

TEST(RunCommand, TlsBrokerWithInsecureOnTheCommandLinePasses) {
    const auto& b = shared_tls_mosquitto();
    expect_tutorial_passed(run_harness({"run", tutorial, "--broker", b.mqtts(), "--insecure"}));
}

TEST(RunCommand, TlsBrokerWithTheWrongCaOnTheCommandLineIsUnreachableNamingTlsVerification) {
    const auto& b = shared_tls_mosquitto();
    const auto r =
        run_harness({"run", tutorial, "--broker", b.mqtts(), "--cafile", b.certs.other_ca});
    EXPECT_EQ(r.status, 2) << r;
    EXPECT_NE(r.err.find("broker unreachable: TLS verification of localhost failed"),
              std::string::npos)
        << r;
    EXPECT_TRUE(lines_starting(r.out, "PASS ").empty()) << "nothing runs\n" << r;
    EXPECT_TRUE(lines_starting(r.out, "FAIL ").empty()) << "nothing runs\n" << r;
}

TEST(RunCommand, TlsBrokerWithoutTlsOptionsIsReachableButClientsFailTlsVerification) {
    // No TLS option: the probe lets a TLS verification failure pass (clients may bring their own
    // `tls:`); the tutorial's clients use the system trust store, which lacks the test CA.
    const auto& b = shared_tls_mosquitto();
    const auto r = run_harness({"run", tutorial, "--broker", b.mqtts()});
    EXPECT_EQ(r.status, 2) << r;
    EXPECT_EQ(r.err.find("broker unreachable"), std::string::npos) << r;
    EXPECT_NE((r.out + r.err).find("TLS verification of localhost failed"), std::string::npos) << r;
    EXPECT_TRUE(lines_starting(r.out, "PASS ").empty()) << r;
}

TEST(RunCommand, TlsBrokerWithTheCaInTheClientsOwnTlsPassesWithoutTlsOptions) {
    const auto& b = shared_tls_mosquitto();
    temp_dir dir("harness-run-cli");
    const auto file = dir.write("own_tls.yaml", R"(name: clients with their own tls
clients:
  - name: subscriber
    tls: {ca_file: ")" + b.certs.ca + R"("}
  - name: publisher
    tls: {ca_file: ")" + b.certs.ca + R"("}
steps:
  - subscribe: {client: subscriber, topic: hello}
  - publish: {client: publisher, topic: hello, payload: world}
  - expect: {client: subscriber, topic: hello, payload: world, within: 2s}
)");
    const auto r = run_harness({"run", file, "--broker", b.mqtts()});
    EXPECT_EQ(r.status, 0) << r;
    EXPECT_EQ(lines_starting(r.out, "PASS ").size(), 1u) << r;
}

TEST(RunCommand, ClientsOwnTlsReplacesTheCommandLineTlsEntirely) {
    // A client whose own `tls:` trusts only the other CA fails verification although the
    // command line says --insecure: the two are not merged.
    const auto& b = shared_tls_mosquitto();
    temp_dir dir("harness-run-cli");
    const auto file = dir.write("other_ca.yaml", R"(name: a client trusting another CA
clients:
  - name: picky
    tls: {ca_file: ")" + b.certs.other_ca + R"("}
steps:
  - subscribe: {client: picky, topic: hello}
)");
    const auto r = run_harness({"run", file, "--broker", b.mqtts(), "--insecure"});
    EXPECT_EQ(r.status, 2) << r;
    EXPECT_EQ(r.err.find("broker unreachable"), std::string::npos) << r;
    EXPECT_NE((r.out + r.err).find("TLS verification of localhost failed"), std::string::npos) << r;
}

}  // namespace
}  // namespace harness::cli::testing
