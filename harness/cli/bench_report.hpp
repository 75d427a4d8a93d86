// The human summary of a `bench` report, printed from its JSON object, so `bench` and
// `bench merge` print the same form.
#pragma once

#include <boost/json/object.hpp>
#include <ostream>

namespace harness::cli::bench {

/// Prints the summary lines (load, counts, throughput, latency, CPU) of a report as
/// `bench --json` or `bench merge --json` writes it.
void print_summary(const boost::json::object& report, std::ostream& out);

}  // namespace harness::cli::bench
