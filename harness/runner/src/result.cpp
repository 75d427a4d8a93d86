// The small behaviour of the result types: verdict names (as reporters print them) and counts of
// scenarios by verdict.
#include "harness/runner/result.hpp"

#include <algorithm>

namespace harness::runner {

std::string_view to_string(verdict v) noexcept {
    switch (v) {
        case verdict::passed:
            return "passed";
        case verdict::failed:
            return "failed";
        case verdict::error:
            return "error";
        case verdict::skipped:
            return "skipped";
    }
    return "unknown";
}

std::size_t run_result::count(verdict v) const noexcept {
    return static_cast<std::size_t>(
        std::count_if(scenarios.begin(), scenarios.end(),
                      [v](const scenario_result& s) { return s.outcome == v; }));
}

}  // namespace harness::runner
