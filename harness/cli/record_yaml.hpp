// `mqtt-harness record`: the scenario document as YAML (yaml-cpp's emitter), in the form of
// docs/scenario-reference.md: a publisher client for the triggers and setup, an observer client
// for the expectations, comments where values were generalised.
#pragma once

#include <string>

#include "record_model.hpp"

namespace harness::cli::record {

std::string to_yaml(const scenario_doc& doc);

/// "250ms", "2s": how a duration is written in a scenario.
std::string duration_text(milliseconds d);

}  // namespace harness::cli::record
