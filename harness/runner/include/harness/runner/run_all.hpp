// Running many scenarios: selection by name pattern and tag, repeats, parallel workers (each
// scenario on its own io_context and, by default, its own embedded broker), fail-fast, and a
// callback as each scenario finishes (for progress lines).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "harness/runner/run.hpp"

namespace harness::runner {

struct selection {
    /// -k: a scenario is kept when its name or "file › name" contains one of these
    /// (case-insensitive), or matches it as a glob when it has * ? or [.
    std::vector<std::string> name_patterns;
    /// --tag: kept when it has one of these tags.
    std::vector<std::string> tags;
    bool selects(const scenario::scenario& s) const;
};

struct run_all_options {
    run_options base;  // broker, timeout, seed, run id, live trace, stop
    unsigned jobs = 1;
    unsigned repeat = 1;
    bool fail_fast = false;
    /// Called (under a lock, from a worker thread) as each scenario finishes.
    std::function<void(const scenario_result&)> on_result;
};

/// Runs the selected scenarios of `files` and returns their results in file order (then
/// attempt order). Scenarios not run because of --fail-fast or an interrupt are skipped.
run_result run_all(const std::vector<scenario::scenario_file>& files, const selection& which,
                   const run_all_options& options);

}  // namespace harness::runner
