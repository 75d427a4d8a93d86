// `mqtt-harness bench merge`: the reports of `bench --json` runs that loaded one broker at the
// same time (e.g. the pods of a Kubernetes Indexed Job) joined into one report of the same form:
// counts and rates added up, the longest time, latency percentiles from the merged histograms.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

namespace harness::cli::bench {

/// One report to merge and where it came from (for messages).
struct named_report {
    std::string path;
    boost::json::object report;
};

/// Reads one `bench --json` output; throws std::runtime_error naming `path` when the file cannot
/// be read, is not one JSON object, or has no latency_histogram.
named_report read_report(const std::string& path);

/// Joins `inputs` (at least one). Load parameters (mode, qos, size, count, rate, inflight) come
/// from the first; `warnings` gets one line per parameter that differs. Throws
/// std::runtime_error naming the file of a missing or malformed field.
boost::json::object merge_reports(const std::vector<named_report>& inputs,
                                  std::vector<std::string>& warnings);

/// The command: reads `paths`, merges, prints the summary or (`as_json`) the merged report.
/// Exit status as bench's: 0 merged (losses are reported, not failed), 2 unusable input.
int run_merge(const std::vector<std::string>& paths, bool as_json);

}  // namespace harness::cli::bench
