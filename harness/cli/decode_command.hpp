// `mqtt-harness decode`: raw MQTT bytes in, one JSON object per packet out.
#pragma once

#include <CLI/App.hpp>

namespace harness::cli {

void add_decode_command(CLI::App& app);

}  // namespace harness::cli
