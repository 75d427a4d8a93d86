// `mqtt-harness broker`: the embedded broker on its own, with a TCP listener.
#pragma once

#include <CLI/App.hpp>

namespace harness::cli {

void add_broker_command(CLI::App& app);

}  // namespace harness::cli
