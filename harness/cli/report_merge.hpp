// `report merge`: reading saved results (JSON of `run --json`, or JUnit XML this tool wrote) and
// joining the results of several runs, typically the shards of one run, into one run_result that
// reports as an unsharded run of the same scenarios would.
#pragma once

#include <string>
#include <vector>

#include "harness/runner/result.hpp"
#include "report_outputs.hpp"

namespace harness::cli {

/// One input file as read.
struct loaded_report {
    std::string path;
    runner::run_result run;     // a JSON input
    run_properties properties;  // of a JSON input ("shard", ...)
    std::string junit;          // a JUnit XML input, as read; empty for JSON
    bool is_junit() const { return !junit.empty(); }
};

/// Reads `path`: JUnit XML when its first non-blank character is '<', a JSON result otherwise.
/// Throws std::runtime_error with "PATH: what is wrong" when it cannot be read or is neither.
loaded_report load_report(const std::string& path);

/// One run made of `runs`: every scenario of each, ordered by file, name and attempt (the order
/// of a file's scenarios within it is not recorded, so the name stands in for it). The start is
/// the earliest start, the duration spans to the latest end; host names, tool versions and
/// brokers that differ are joined with ", "; the seed is the first run's; interrupted when one
/// was. Adds to `warnings` a scenario run found in more than one input, and differing seeds.
runner::run_result merge_runs(const std::vector<runner::run_result>& runs,
                              std::vector<std::string>& warnings);

/// Checks the "shard" properties of the inputs (one per input, "" when it has none, "?" when it
/// cannot tell: a JUnit file without suites, as an empty shard writes): when any has one, warns
/// about inputs without, different totals, a shard given twice, and missing shards (unless as
/// many inputs cannot tell).
void check_shards(const std::vector<std::string>& shards, const std::vector<std::string>& paths,
                  std::vector<std::string>& warnings);

}  // namespace harness::cli
