// `mqtt-harness fuzz` and `mqtt-harness fuzz replay`: the network fuzzer's command line.
#pragma once

#include <CLI/App.hpp>

namespace harness::cli {

void add_fuzz_command(CLI::App& app);

}  // namespace harness::cli
