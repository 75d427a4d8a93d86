// The run as one self-contained HTML page for people: a summary of the run, the verdict of every
// scenario (failures first) and, per scenario, a message sequence diagram drawn from its trace as
// inline SVG (a lifeline per client, stand-in and component, and the broker's; an arrow per
// packet; the failure marked where it happened, expected beside seen) and its component logs.
// No scripts, fonts or anything else is fetched: the file opens offline.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <system_error>

#include "harness/runner/result.hpp"

namespace harness::reports {

/// Trace entries drawn per scenario; the rest is counted in a note below the diagram.
inline constexpr std::size_t html_max_trace_rows = 3000;

/// The report as an HTML5 document (UTF-8) that is also well-formed XML. Element classes and ids
/// that stay stable (tests and scripts may rely on them):
///   table#summary, table#verdicts with tr.verdict[data-outcome],
///   details.scenario#scenario-N (N: index in run order) [data-outcome], div.failure,
///   svg.sequence, g.lifeline[data-actor][data-kind=client|stand-in|component|broker],
///   g.arrow[data-type=PUBLISH|SUBSCRIBE|…][data-actor][data-direction=sent|received],
///   g.event[data-actor], g.step[data-step], g.failure-mark[data-step], p.truncated,
///   details.component-log[data-component].
/// Every text from the results is made valid UTF-8, control characters are shown as "\xNN", and
/// the XML writer escapes markup, so no result can inject markup or scripts.
std::string html_report(const runner::run_result& run);

/// Writes html_report(run) to `file` atomically (see write_file_atomically); an empty
/// error_code means success.
std::error_code write_html_report(const std::filesystem::path& file, const runner::run_result& run);

}  // namespace harness::reports
