// The run as JSON, for tools: the same content as the JUnit report (every scenario with its
// verdict, failure detail, trace, component logs and last packets) plus the run's counts, in a
// document that reads back into a run_result.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "harness/runner/result.hpp"

namespace harness::reports {

/// Version of the document layout, written as "version"; raised on incompatible changes.
inline constexpr int json_report_version = 1;

/// The report as one line of JSON (UTF-8; invalid sequences in the results become U+FFFD):
///   {"format":"mqtt-harness-report","version":1,"tool_version":…,"hostname":…,"broker":…,
///    "seed":…,"started":"2024-05-01T12:34:56.789Z","seconds":…,"interrupted":…,
///    "counts":{"total":…,"passed":…,"failed":…,"error":…,"skipped":…},
///    "scenarios":[{"file","suite","name","tags","outcome","attempt","started","seconds",
///                  "skip_reason","failure":null|{"message","expected","step","where",
///                  "seen":[{"at","topic","payload","qos","retain","note"}]},
///                  "trace":[{"at","actor","what"}],
///                  "components":[{"name","command","exit_status":null|int,"output"}],
///                  "last_packets":[…]}]}
/// Times are UTC with milliseconds; "outcome" is to_string(verdict).
std::string json_report(const runner::run_result& run);

/// Writes json_report(run) and a newline to `file` atomically (see write_file_atomically); an
/// empty error_code means success.
std::error_code write_json_report(const std::filesystem::path& file, const runner::run_result& run);

/// Reads a document json_report wrote back into a run_result (start times to the millisecond;
/// "counts" is ignored as it follows from the scenarios). Throws std::exception (e.g.
/// std::invalid_argument, boost::system::system_error) when `text` is not such a document.
runner::run_result read_json_report(std::string_view text);

}  // namespace harness::reports
