// Templates in scenario strings: finding the "{{name}}" references, telling known names from
// unknown ones (built-ins, variables, trigger values in stand-ins) and expanding them.
#include "harness/scenario/template.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "template_names.hpp"

namespace harness::scenario {
namespace {

constexpr std::array<std::string_view, 12> builtins = {
    "seq",         "now",         "now_iso",        "random", "uuid",       "broker.url",
    "broker.host", "broker.port", "broker.ca_file", "run.id", "run.prefix", "scenario.name"};

constexpr std::array<std::string_view, 4> trigger_values = {
    "trigger.topic", "trigger.payload", "trigger.correlation_data", "trigger.response_topic"};

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0)
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0)
        text.remove_suffix(1);
    return text;
}

bool is_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
}

bool is_identifier_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

/// "[N]" at the start of `rest`: consumes it and returns true.
bool take_index(std::string_view& rest) {
    if (rest.empty() || rest.front() != '[')
        return false;
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos || !is_digits(rest.substr(1, close - 1)))
        return false;
    rest.remove_prefix(close + 1);
    return true;
}

/// "trigger.levels[N]"
bool is_levels_reference(std::string_view name) {
    constexpr std::string_view prefix = "trigger.levels";
    if (name.substr(0, prefix.size()) != prefix)
        return false;
    std::string_view rest = name.substr(prefix.size());
    return take_index(rest) && rest.empty();
}

/// "trigger.json" followed by one or more ".field" or "[N]" segments.
bool is_json_reference(std::string_view name) {
    constexpr std::string_view prefix = "trigger.json";
    if (name.substr(0, prefix.size()) != prefix)
        return false;
    std::string_view rest = name.substr(prefix.size());
    if (rest.empty())
        return false;
    while (!rest.empty()) {
        if (rest.front() == '.') {
            rest.remove_prefix(1);
            std::size_t length = 0;
            while (length < rest.size() && is_identifier_char(rest[length]))
                ++length;
            if (length == 0)
                return false;
            rest.remove_prefix(length);
        } else if (!take_index(rest)) {
            return false;
        }
    }
    return true;
}

/// Walks `raw`, calling `on_text` for literal pieces and `on_reference` for each reference;
/// false with `error` set on an unclosed or empty "{{".
template <class OnText, class OnReference>
bool scan(std::string_view raw, std::string& error, OnText on_text, OnReference on_reference) {
    std::size_t pos = 0;
    while (pos < raw.size()) {
        const std::size_t open = raw.find("{{", pos);
        if (open == std::string_view::npos) {
            on_text(raw.substr(pos));
            break;
        }
        on_text(raw.substr(pos, open - pos));
        if (raw.substr(open, 4) == "{{{{") {
            on_text("{{");
            pos = open + 4;
            continue;
        }
        const std::size_t close = raw.find("}}", open + 2);
        if (close == std::string_view::npos) {
            error = "unclosed `{{` at character " + std::to_string(open + 1) +
                    " (write `{{{{` for a literal `{{`)";
            return false;
        }
        const std::string_view name = trim(raw.substr(open + 2, close - open - 2));
        if (name.empty()) {
            error = "empty `{{}}` at character " + std::to_string(open + 1);
            return false;
        }
        if (!on_reference(name, open))
            return false;
        pos = close + 2;
    }
    return true;
}

}  // namespace

namespace detail {

std::vector<std::string_view> builtin_template_names(bool in_stand_in) {
    std::vector<std::string_view> names(builtins.begin(), builtins.end());
    if (in_stand_in) {
        names.insert(names.end(), trigger_values.begin(), trigger_values.end());
        names.push_back("trigger.levels[0]");
        names.push_back("trigger.json.field");
    }
    return names;
}

}  // namespace detail

bool parse_template(std::string_view raw, std::vector<template_reference>& references,
                    std::string& error) {
    references.clear();
    return scan(
        raw, error, [](std::string_view) {},
        [&](std::string_view name, std::size_t offset) {
            references.push_back({std::string(name), offset});
            return true;
        });
}

bool is_known_reference(std::string_view name, const std::vector<std::string>& variables,
                        bool in_stand_in) {
    if (std::find(builtins.begin(), builtins.end(), name) != builtins.end())
        return true;
    if (std::find(variables.begin(), variables.end(), name) != variables.end())
        return true;
    if (!in_stand_in)
        return false;
    return std::find(trigger_values.begin(), trigger_values.end(), name) != trigger_values.end() ||
           is_levels_reference(name) || is_json_reference(name);
}

std::optional<std::string> expand_template(std::string_view raw, const template_resolver& resolve,
                                           std::string& error) {
    std::string out;
    out.reserve(raw.size());
    const bool ok = scan(
        raw, error, [&](std::string_view text) { out.append(text); },
        [&](std::string_view name, std::size_t) {
            std::optional<std::string> value = resolve ? resolve(name) : std::nullopt;
            if (!value) {
                error = "unknown template name `" + std::string(name) + "`";
                return false;
            }
            out.append(*value);
            return true;
        });
    if (!ok)
        return std::nullopt;
    return out;
}

}  // namespace harness::scenario
