// The checks the scenario parsers share: "did you mean" suggestions, templates ("{{name}}" must be
// a variable or a built-in), topic names and filters (the codec's rules, when the value has no
// template), references to clients and components, reason codes by name and paths relative to
// the scenario file.
#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "harness/codec/topic.hpp"
#include "harness/scenario/template.hpp"
#include "template_names.hpp"
#include "yaml_reader.hpp"

namespace harness::scenario::detail {
namespace {

/// MQTT 5.0 reason codes by name (section 2.4), with the table-specific aliases.
constexpr std::array<std::pair<std::string_view, int>, 47> reason_names = {{
    {"success", 0x00},
    {"normal_disconnection", 0x00},
    {"granted_qos_0", 0x00},
    {"granted_qos_1", 0x01},
    {"granted_qos_2", 0x02},
    {"disconnect_with_will_message", 0x04},
    {"no_matching_subscribers", 0x10},
    {"no_subscription_existed", 0x11},
    {"continue_authentication", 0x18},
    {"re_authenticate", 0x19},
    {"unspecified_error", 0x80},
    {"malformed_packet", 0x81},
    {"protocol_error", 0x82},
    {"implementation_specific_error", 0x83},
    {"unsupported_protocol_version", 0x84},
    {"client_identifier_not_valid", 0x85},
    {"bad_user_name_or_password", 0x86},
    {"not_authorized", 0x87},
    {"server_unavailable", 0x88},
    {"server_busy", 0x89},
    {"banned", 0x8A},
    {"server_shutting_down", 0x8B},
    {"bad_authentication_method", 0x8C},
    {"keep_alive_timeout", 0x8D},
    {"session_taken_over", 0x8E},
    {"topic_filter_invalid", 0x8F},
    {"topic_name_invalid", 0x90},
    {"packet_identifier_in_use", 0x91},
    {"packet_identifier_not_found", 0x92},
    {"receive_maximum_exceeded", 0x93},
    {"topic_alias_invalid", 0x94},
    {"packet_too_large", 0x95},
    {"message_rate_too_high", 0x96},
    {"quota_exceeded", 0x97},
    {"administrative_action", 0x98},
    {"payload_format_invalid", 0x99},
    {"retain_not_supported", 0x9A},
    {"qos_not_supported", 0x9B},
    {"use_another_server", 0x9C},
    {"server_moved", 0x9D},
    {"shared_subscriptions_not_supported", 0x9E},
    {"connection_rate_exceeded", 0x9F},
    {"maximum_connect_time", 0xA0},
    {"subscription_identifiers_not_supported", 0xA1},
    {"wildcard_subscriptions_not_supported", 0xA2},
    {"failure", 0x80},
    {"unspecified", 0x80},
}};

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::vector<std::string_view> as_views(const std::vector<std::string>& names) {
    return {names.begin(), names.end()};
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

std::optional<std::string> closest(std::string_view name,
                                   const std::vector<std::string_view>& candidates) {
    const std::size_t limit = name.size() <= 3 ? 1 : name.size() <= 6 ? 2 : 3;
    std::optional<std::string> best;
    std::size_t best_distance = limit + 1;
    for (const std::string_view candidate : candidates) {
        const std::size_t distance = edit_distance(name, candidate);
        if (distance < best_distance && distance < name.size()) {
            best_distance = distance;
            best = std::string(candidate);
        }
    }
    return best;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string_view>& candidates) {
    const std::optional<std::string> best = closest(name, candidates);
    return best ? " (did you mean `" + *best + "`?)" : std::string();
}

std::optional<int> reader::reason(const YAML::Node& node) {
    if (node.IsScalar() && is_plain(node) && !node.Scalar().empty() &&
        std::isdigit(static_cast<unsigned char>(node.Scalar().front())) != 0) {
        const std::optional<std::int64_t> value = integer(node, 0, 255);
        if (!value)
            return std::nullopt;
        return static_cast<int>(*value);
    }
    if (node.IsScalar()) {
        for (const auto& [name, value] : reason_names) {
            if (name == node.Scalar())
                return value;
        }
        std::vector<std::string_view> names;
        for (const auto& entry : reason_names)
            names.push_back(entry.first);
        error(node, "unknown reason code " + describe(node) + did_you_mean(node.Scalar(), names) +
                        "; expected a number or a name such as `not_authorized`");
        return std::nullopt;
    }
    error(node, "expected a reason code (a number or a name such as `not_authorized`), got " +
                    describe(node));
    return std::nullopt;
}

std::string reader::resolve_path(std::string_view path) const {
    std::filesystem::path resolved = base_ / std::filesystem::path(path);
    return resolved.lexically_normal().string();
}

std::string reader::base_dir() const {
    return base_.string();
}

bool reader::check_template(const YAML::Node& node, const std::string& text, bool in_stand_in) {
    std::vector<template_reference> references;
    std::string problem;
    if (!parse_template(text, references, problem)) {
        error(node, "bad template " + describe(node) + ": " + problem);
        return true;
    }
    for (const template_reference& reference : references) {
        if (is_known_reference(reference.name, variables, in_stand_in))
            continue;
        std::vector<std::string_view> names = builtin_template_names(in_stand_in);
        const std::vector<std::string_view> own = as_views(variables);
        names.insert(names.end(), own.begin(), own.end());
        std::string message =
            "unknown template name `" + reference.name + "`" + did_you_mean(reference.name, names);
        if (!in_stand_in && reference.name.rfind("trigger.", 0) == 0)
            message += "; trigger values exist only in stand-in replies";
        else
            message += "; expected a variable or a built-in such as `seq` or `run.id`";
        error(node, std::move(message));
    }
    return !references.empty();
}

void reader::check_topic_name(const YAML::Node& node, const std::string& topic, bool in_stand_in) {
    if (check_template(node, topic, in_stand_in) || topic.find("{{") != std::string::npos)
        return;
    const codec::topic_error problem = codec::validate_topic_name(topic);
    if (problem != codec::topic_error::none) {
        error(node,
              "bad topic name " + describe(node) + ": " + std::string(codec::to_string(problem)));
    }
}

void reader::check_topic_filter(const YAML::Node& node, const std::string& filter) {
    if (check_template(node, filter, false) || filter.find("{{") != std::string::npos)
        return;
    const codec::topic_error problem = codec::validate_topic_filter(filter);
    if (problem != codec::topic_error::none) {
        error(node,
              "bad topic filter " + describe(node) + ": " + std::string(codec::to_string(problem)));
    }
}

void reader::check_client(const YAML::Node& node, const std::string& name) {
    if (std::find(clients.begin(), clients.end(), name) != clients.end())
        return;
    std::string message = "unknown client `" + name + "`" + did_you_mean(name, as_views(clients));
    if (clients.empty()) {
        message += "; the scenario defines no clients";
    } else {
        message += "; defined clients:";
        for (std::size_t i = 0; i < clients.size(); ++i)
            message += (i == 0 ? " " : ", ") + clients[i];
    }
    error(node, std::move(message));
}

void reader::check_component(const YAML::Node& node, const std::string& name) {
    if (std::find(components.begin(), components.end(), name) != components.end())
        return;
    std::string message =
        "unknown component `" + name + "`" + did_you_mean(name, as_views(components));
    if (components.empty()) {
        message += "; the scenario defines no components";
    } else {
        message += "; defined components:";
        for (std::size_t i = 0; i < components.size(); ++i)
            message += (i == 0 ? " " : ", ") + components[i];
    }
    error(node, std::move(message));
}

}  // namespace harness::scenario::detail
