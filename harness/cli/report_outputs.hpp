// The report files a command writes from a run_result (`run`, `report`, `report merge`), in one
// place: the options that name them, the extra run properties they carry (e.g. "shard" → "2/4"),
// and writing each one whole or not at all.
#pragma once

#include <CLI/App.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/runner/result.hpp"

namespace harness::cli {

/// The report files asked for; an empty path means "not asked for".
struct report_outputs {
    std::string junit;
    std::string json;
    std::string html;  // the page with sequence diagrams (harness/reports/html.hpp)
};

/// Properties of the run beyond those of run_result, in order: ("shard", "2/4"), ...
using run_properties = std::vector<std::pair<std::string, std::string>>;

/// Adds --junit (named `junit_names`, e.g. "-o,--junit"), --json and --html to `cmd`.
void add_report_output_options(CLI::App& cmd, report_outputs& outputs,
                               const std::string& junit_names = "--junit");

/// junit_xml(run) with `properties` appended to every <testsuite>'s <properties>.
std::string junit_with_properties(const runner::run_result& run, const run_properties& properties);

/// json_report(run) with `properties` as an object "properties": {"shard": "2/4", ...} (absent
/// when there are none).
std::string json_with_properties(const runner::run_result& run, const run_properties& properties);

/// The "properties" object of a JSON report, in document order; none when it has none. Throws
/// std::exception when `document` is not JSON.
run_properties json_report_properties(std::string_view document);

/// Writes every report of `outputs` (atomically); each failure is printed as
/// "mqtt-harness COMMAND: cannot write FILE: reason". exit_status::ok, or usage on a failure.
int write_reports(std::string_view command, const runner::run_result& run,
                  const report_outputs& outputs, const run_properties& properties = {});

}  // namespace harness::cli
