// What a person sees on the terminal: a line per scenario as it finishes, the detail of every
// failure (expected beside seen, the failing step, the last packets, the tail of component logs)
// and a summary. ANSI colours only when asked for; untrusted text never reaches the terminal raw.
#pragma once

#include <ostream>

#include "harness/runner/result.hpp"

namespace harness::reports {

/// One line (two for a failure or error: the message below) for a finished scenario:
///   PASS  scenarios/examples/tutorial.yaml › coffee time  (0.04 s)
///   FAIL  scenarios/a.yaml › retained (attempt 2)  (2.01 s)
///         step 4 (expect at a.yaml:23:7): no message on t/1 within 2 s
///   SKIP  scenarios/b.yaml › kill broker  (fault injection needs the embedded broker)
void print_progress(std::ostream& out, const runner::scenario_result& s, bool color);

/// The detail of a failed or errored scenario: heading, message, where and which step, the
/// expected text, each seen message ("+1.234 s  topic  payload  qos 1  retain  (note)"), the last
/// packets of each client and the last 20 lines of each component's log. Nothing for a scenario
/// that passed or was skipped.
void print_failure(std::ostream& out, const runner::scenario_result& s, bool color);

/// print_failure for every failed or errored scenario of the run, in run order.
void print_failures(std::ostream& out, const runner::run_result& run, bool color);

/// The closing summary: "4 scenarios: 2 passed, 1 failed, 1 error, 0 skipped in 3.41 s", the seed
/// to repeat the run, and a note when the run was interrupted.
void print_summary(std::ostream& out, const runner::run_result& run, bool color);

/// print_failures then print_summary: what follows the progress lines at the end of a run.
void print_report(std::ostream& out, const runner::run_result& run, bool color);

}  // namespace harness::reports
