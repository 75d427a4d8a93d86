// `mqtt-harness broker`: the embedded broker on its own, with listeners from the command line or
// from a Mosquitto-style configuration file (-c).
#pragma once

#include <CLI/App.hpp>

namespace harness::cli {

void add_broker_command(CLI::App& app);

}  // namespace harness::cli
