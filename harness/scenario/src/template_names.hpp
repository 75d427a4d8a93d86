// Internal to harness/scenario: the built-in template names, for the loader's "did you mean"
// suggestions on unknown names. template.cpp owns the list.
#pragma once

#include <string_view>
#include <vector>

namespace harness::scenario::detail {

/// The built-in names ("seq", "broker.url", ...); with `in_stand_in` also the trigger values
/// written as examples ("trigger.topic", "trigger.levels[0]", "trigger.json.field").
std::vector<std::string_view> builtin_template_names(bool in_stand_in);

}  // namespace harness::scenario::detail
