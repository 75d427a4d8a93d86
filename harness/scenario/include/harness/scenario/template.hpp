// Templates in scenario strings: "{{name}}" replaced at run time. Names: variables of the
// scenario, seq (1, 2, ... per repeated publish or background message), now (milliseconds since
// the Unix epoch), now_iso (ISO 8601 UTC), random (a 32-bit number from the run's seed), uuid,
// broker.url, broker.host, broker.port, run.id, run.prefix (the topic prefix on external brokers,
// "" on the embedded one), scenario.name, and inside stand-ins trigger.topic, trigger.payload,
// trigger.levels[N], trigger.json.<path>, trigger.correlation_data, trigger.response_topic.
// "{{{{" writes a literal "{{".
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness::scenario {

/// A "{{...}}" reference in a template, and its offset in the raw string.
struct template_reference {
    std::string name;  // trimmed, e.g. "trigger.json.id"
    std::size_t offset = 0;
};

/// The references of a template, or an error message for an unclosed "{{".
bool parse_template(std::string_view raw, std::vector<template_reference>& references,
                    std::string& error);

/// True when `name` is a built-in, a variable in `variables`, or (with `in_stand_in`) a trigger
/// value.
bool is_known_reference(std::string_view name, const std::vector<std::string>& variables,
                        bool in_stand_in);

/// Resolves a name to its value; nullopt when unknown (the expansion then fails).
using template_resolver = std::function<std::optional<std::string>(std::string_view name)>;

/// Expands every reference; on an unknown name returns nullopt and sets `error`.
std::optional<std::string> expand_template(std::string_view raw, const template_resolver& resolve,
                                           std::string& error);

}  // namespace harness::scenario
