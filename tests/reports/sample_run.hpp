// Run results built by hand for the reporter tests: two scenario files with a pass, a failure on
// a second attempt (expected versus seen, binary payload, component logs), an error and a skip.
#pragma once

#include <chrono>
#include <string>

#include "harness/runner/result.hpp"

namespace harness::reports::testing {

using runner::run_result;
using runner::scenario_result;
using runner::verdict;

/// 2024-05-01T12:34:56.789Z plus `ms` milliseconds.
inline std::chrono::system_clock::time_point at_ms(long long ms) {
    return std::chrono::system_clock::time_point{std::chrono::milliseconds{1714566896789LL + ms}};
}

/// `n` numbered lines: "broker line 1\n" … "broker line n\n".
inline std::string numbered_lines(int n) {
    std::string out;
    for (int i = 1; i <= n; ++i)
        out += "broker line " + std::to_string(i) + "\n";
    return out;
}

inline scenario_result passed_scenario() {
    scenario_result s;
    s.file = "scenarios/examples/tutorial.yaml";
    s.suite = "tutorial";
    s.name = "coffee time";
    s.tags = {"smoke", "qos1"};
    s.outcome = verdict::passed;
    s.started = at_ms(0);
    s.seconds = 0.04;
    s.trace = {{0.0, "alice", "-> CONNECT clean=1"},
               {0.0125, "alice", "-> PUBLISH q1 r0 id=3 topic=coffee payload=\"ready\""}};
    s.components = {{"sensor", "./sensor --once", 0, "out| started\nout| done\n"}};
    return s;
}

inline scenario_result failed_scenario() {
    scenario_result s;
    s.file = "scenarios/examples/tutorial.yaml";
    s.suite = "tutorial";
    s.name = "retained <last> & \"quoted\" 'value'";
    s.outcome = verdict::failed;
    s.attempt = 2;
    s.started = at_ms(1500);
    s.seconds = 2.0125;
    runner::failure f;
    f.message = "step 4 (expect at tutorial.yaml:23:7): no message on t/1 within 2 s";
    f.expected = "a message on t/1\nwith payload \"on\"";
    f.seen = {{1.234, "t/1", "off", 1, true, "payload differs"},
              {1.5, "t/1", "hex:00ff10", 0, false, ""}};
    f.step = "expect";
    f.where = "tutorial.yaml:23:7";
    s.fail = f;
    s.trace = {{0.001, "bob", "-> SUBSCRIBE t/1 q1"}, {1.234, "bob", "<- PUBLISH q1 r1 topic=t/1"}};
    s.components = {{"broker", "mosquitto -c b.conf", 1, numbered_lines(30)},
                    {"logger", "./logger", std::nullopt, ""}};
    s.last_packets = {"bob: -> SUBSCRIBE t/1 q1", "bob: <- SUBACK granted=1"};
    return s;
}

inline scenario_result error_scenario() {
    scenario_result s;
    s.file = "scenarios/faults/kill.yaml";
    s.suite = "faults";
    s.name = "unreachable broker";
    s.outcome = verdict::error;
    s.started = at_ms(4000);
    s.seconds = 0.5;
    runner::failure f;
    f.message = "connect to tcp://127.0.0.1:1 refused";
    f.step = "connect";
    f.where = "kill.yaml:5:3";
    s.fail = f;
    return s;
}

inline scenario_result skipped_scenario() {
    scenario_result s;
    s.file = "scenarios/faults/kill.yaml";
    s.suite = "faults";
    s.name = "kill broker";
    s.outcome = verdict::skipped;
    s.skip_reason = "fault injection needs the embedded broker";
    s.started = at_ms(4600);
    return s;
}

inline run_result sample_run() {
    run_result run;
    run.scenarios = {passed_scenario(), failed_scenario(), error_scenario(), skipped_scenario()};
    run.started = at_ms(-10);
    run.seconds = 4.75;
    run.hostname = "ci-runner-7";
    run.tool_version = "0.1.0";
    run.broker = "embedded";
    run.seed = 1234567;
    return run;
}

}  // namespace harness::reports::testing
