// Merging JUnit XML reports that mqtt-harness wrote (the shards of one run) with pugixml:
// <testsuite>s of the same name become one, counts and times are recomputed.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace harness::cli {

struct junit_counts {
    std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
};

/// One JUnit document made of `documents` (each with a <testsuites> or a <testsuite> root, as
/// checked by load_report): suites with the same name are joined (the first one's attributes and
/// properties kept, less "shard"), suites ordered by their "file" property (their name when they
/// have none), testcases by name then attempt, as merge_runs orders scenarios. Counts and
/// times of suites and the root are recomputed; the root spans from the earliest input's start
/// to the latest input's end. The totals are stored in `counts`.
std::string merge_junit(const std::vector<std::string>& documents, junit_counts& counts);

/// The "shard" property of a JUnit document's first suite, "" when it has none, "?" when the
/// document has no suite at all (an empty shard's report cannot tell).
std::string junit_shard(const std::string& document);

}  // namespace harness::cli
