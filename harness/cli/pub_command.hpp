// `mqtt-harness pub`: publish one message or a paced sequence, like mosquitto_pub.
#pragma once

#include <CLI/App.hpp>

namespace harness::cli {

void add_pub_command(CLI::App& app);

}  // namespace harness::cli
