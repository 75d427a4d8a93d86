// Reading what a scenario expects of a received message: a Match (topic filter, payload as
// exact text, regex, JSON subset, JSON path or hex, QoS, retain, properties), as used by
// expect, expect_none and stand-in triggers.
#include "parse.hpp"

namespace harness::scenario::detail {
namespace {

/// "$", "$.a.b", "$.items[0]", "$['a b']": a rough shape check, so typos show at load time.
bool looks_like_json_path(std::string_view path) {
    return !path.empty() && path.front() == '$';
}

void parse_json_path(reader& r, const YAML::Node& node, payload_match& match) {
    match.how = payload_match::kind::json_path;
    const YAML::Node* path_node = &node;
    std::optional<YAML::Node> path_value;
    if (node.IsMap()) {
        r.check_keys(node, {"path", "equals"}, "json_path");
        if (!r.require(node, "path", "json_path"))
            return;
        path_value = get(node, "path");
        path_node = &*path_value;
        if (const auto equals = get(node, "equals"))
            match.json = to_json(r, *equals, true, false);
        else
            match.path_exists_only = true;
    } else {
        match.path_exists_only = true;
    }
    const std::optional<std::string> path = r.string(*path_node, "a JSON path like \"$.a.b\"");
    if (!path)
        return;
    if (!looks_like_json_path(*path)) {
        r.error(*path_node, "expected a JSON path starting with `$` (like \"$.a.b[0]\"), got " +
                                describe(*path_node));
    }
    match.path = *path;
}

payload_match parse_payload_match(reader& r, const YAML::Node& node) {
    payload_match match;
    if (node.IsScalar()) {
        match.how = payload_match::kind::exact;
        match.text = node.Scalar();
        r.check_template(node, match.text, false);
        return match;
    }
    if (node.IsNull()) {
        match.how = payload_match::kind::exact;
        return match;
    }
    if (!node.IsMap()) {
        r.error(node,
                "expected a payload match (a string, or a map with one of `text`, `regex`, "
                "`json`, `json_path`, `hex`), got " +
                    describe(node));
        return match;
    }
    const std::vector<std::string_view> keys = {"text", "regex", "json", "json_path", "hex"};
    r.check_keys(node, keys, "payload match");
    const std::optional<std::string> key = one_of(r, node, keys, "a payload match");
    if (!key)
        return match;
    const YAML::Node value = *get(node, *key);
    if (*key == "text") {
        match.how = payload_match::kind::exact;
        match.text = r.string(value, "the expected text").value_or("");
        r.check_template(value, match.text, false);
    } else if (*key == "regex") {
        match.how = payload_match::kind::regex;
        match.text = r.regex(value).value_or("");
    } else if (*key == "json") {
        match.how = payload_match::kind::json_subset;
        match.json = to_json(r, value, true, false);
    } else if (*key == "json_path") {
        parse_json_path(r, value, match);
    } else {
        match.how = payload_match::kind::hex;
        match.text = hex_digits(r, value).value_or("");
    }
    return match;
}

}  // namespace

const std::vector<std::string_view> match_keys = {"topic", "payload", "qos", "retain",
                                                  "properties"};

message_match parse_match_fields(reader& r, const YAML::Node& map, std::string_view what,
                                 bool topic_required) {
    message_match match;
    match.where = r.where(map);
    if (const auto topic = get(map, "topic")) {
        match.topic_filter = r.string(*topic, "a topic filter").value_or("");
        r.check_topic_filter(*topic, match.topic_filter);
    } else if (topic_required) {
        r.require(map, "topic", what);
    }
    if (const auto value = get(map, "payload"))
        match.payload = parse_payload_match(r, *value);
    if (const auto value = get(map, "qos"))
        match.qos = r.qos(*value);
    if (const auto value = get(map, "retain"))
        match.retain = r.boolean(*value);
    if (const auto value = get(map, "properties"))
        match.properties = parse_properties(r, *value, false);
    return match;
}

}  // namespace harness::scenario::detail
