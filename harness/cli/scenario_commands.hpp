// `mqtt-harness run`, `validate` and `stand-in`: the scenario commands.
#pragma once

#include <CLI/App.hpp>

namespace harness::cli {

void add_run_command(CLI::App& app);
void add_validate_command(CLI::App& app);
void add_stand_in_command(CLI::App& app);
void add_conformance_command(CLI::App& app);

}  // namespace harness::cli
