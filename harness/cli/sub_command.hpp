// `mqtt-harness sub`: subscribe and print messages, like mosquitto_sub, with --json output.
#pragma once

#include <CLI/App.hpp>

namespace harness::cli {

void add_sub_command(CLI::App& app);

}  // namespace harness::cli
