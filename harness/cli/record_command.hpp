// `mqtt-harness record`: observe a live system and write a scenario that replays it.
#pragma once

#include <CLI/App.hpp>

namespace harness::cli {

void add_record_command(CLI::App& app);

}  // namespace harness::cli
