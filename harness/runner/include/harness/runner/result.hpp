// What a run produced, as plain values: one result per scenario (verdict, failure with expected
// versus seen, packet trace, component logs) and the run around them. The reporters (console,
// JUnit XML, JSON) read only these types.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness::runner {

enum class verdict {
    passed,
    failed,   // an expectation did not hold, or a component failed
    error,    // the scenario could not run: broker unreachable, a file or process missing
    skipped,  // not applicable (e.g. fault injection on an external broker)
};

std::string_view to_string(verdict v) noexcept;

/// One packet or event in a scenario's trace.
struct trace_entry {
    double at = 0;      // seconds since the scenario started
    std::string actor;  // client, stand-in or component name; "broker" for broker-side events
    std::string what;   // e.g. "-> PUBLISH q1 r0 id=3 topic=a/b payload=\"hi\"" or a step line
};

/// A message seen by a client, as reported beside what was expected.
struct seen_message {
    double at = 0;  // seconds since the scenario started
    std::string topic;
    std::string payload;  // printable text, or "hex:…" for binary payloads
    int qos = 0;
    bool retain = false;
    std::string note;  // why it did not match, when it came close (right topic)
};

struct failure {
    /// One line: "step 4 (expect at a.yaml:23:7): no message on t/1 within 2 s".
    std::string message;
    std::string expected;            // what the step wanted, in words, possibly several lines
    std::vector<seen_message> seen;  // what arrived instead (near misses first)
    std::string step;                // "expect", "component", ...
    std::string where;               // file:line:column of the failing step
};

struct component_log {
    std::string name;
    std::string command;
    std::optional<int> exit_status;  // when it ended; 128 + n when killed by signal n
    std::string output;              // stdout and stderr interleaved as read, lines prefixed
};

struct scenario_result {
    std::string file;   // as given on the command line
    std::string suite;  // the file's suite name
    std::string name;
    std::vector<std::string> tags;
    verdict outcome = verdict::passed;
    std::optional<failure> fail;  // failed or error
    std::string skip_reason;
    std::chrono::system_clock::time_point started{};
    double seconds = 0;
    int attempt = 1;  // with --repeat
    std::vector<trace_entry> trace;
    std::vector<component_log> components;
    /// The last packets each client exchanged (for the console on failure): "client: line".
    std::vector<std::string> last_packets;
};

struct run_result {
    std::vector<scenario_result> scenarios;
    std::chrono::system_clock::time_point started{};
    double seconds = 0;
    std::string hostname;
    std::string tool_version;
    std::string broker;  // "embedded" or the URL
    std::uint64_t seed = 0;
    bool interrupted = false;  // stopped by Ctrl-C

    std::size_t count(verdict v) const noexcept;
};

}  // namespace harness::runner
