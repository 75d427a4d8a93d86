// `mqtt-harness bench`: a load generator (fan-in, fan-out, pairs) that reports delivery counts,
// throughput, latency percentiles and the CPU of itself and of the broker.
#pragma once

#include <CLI/App.hpp>

namespace harness::cli {

void add_bench_command(CLI::App& app);

}  // namespace harness::cli
