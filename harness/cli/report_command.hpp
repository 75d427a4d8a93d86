// `mqtt-harness report`: saved results re-rendered, and `report merge` of the results of shards.
#pragma once

#include <CLI/App.hpp>

namespace harness::cli {

void add_report_command(CLI::App& app);

}  // namespace harness::cli
