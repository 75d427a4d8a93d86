// Reading what a scenario sends: payloads (text, JSON, hex, file), MQTT 5.0 PUBLISH properties
// and whole messages, plus the YAML-to-JSON conversion that JSON payloads and matches share.
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <filesystem>

#include "parse.hpp"

namespace harness::scenario::detail {
namespace {

bool is_integer_text(std::string_view text) {
    if (!text.empty() && (text.front() == '-' || text.front() == '+'))
        text.remove_prefix(1);
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
}

std::optional<double> parse_float(const std::string& text) {
    if (text.empty() || text.find_first_not_of("0123456789+-.eE") != std::string::npos ||
        text.find_first_of("0123456789") == std::string::npos)
        return std::nullopt;
    std::size_t used = 0;
    try {
        const double value = std::stod(text, &used);
        if (used == text.size())
            return value;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

}  // namespace

/// Hex digits with optional whitespace; returns the digits alone, or nullopt after a diagnostic.
std::optional<std::string> hex_digits(reader& r, const YAML::Node& node) {
    const std::optional<std::string> text = r.string(node, "hex digits");
    if (!text)
        return std::nullopt;
    std::string digits;
    for (const char c : *text) {
        if (std::isspace(static_cast<unsigned char>(c)) != 0)
            continue;
        if (std::isxdigit(static_cast<unsigned char>(c)) == 0) {
            r.error(node, "expected hex digits like \"de ad be ef\", got " + describe(node));
            return std::nullopt;
        }
        digits.push_back(c);
    }
    if (digits.size() % 2 != 0) {
        r.error(node, "expected an even number of hex digits (whole bytes), got " +
                          std::to_string(digits.size()));
        return std::nullopt;
    }
    return digits;
}

/// The single key of `map` that is in `choices`; reports none or several.
std::optional<std::string> one_of(reader& r, const YAML::Node& map,
                                  const std::vector<std::string_view>& choices,
                                  std::string_view what) {
    std::vector<std::string> found;
    for (const std::string_view choice : choices) {
        if (get(map, choice))
            found.emplace_back(choice);
    }
    if (found.size() == 1)
        return found.front();
    std::string list;
    for (std::size_t i = 0; i < choices.size(); ++i)
        list += (i == 0 ? "`" : ", `") + std::string(choices[i]) + "`";
    if (found.empty())
        r.error(map, std::string(what) + " needs one of " + list);
    else
        r.error(map, std::string(what) + " takes only one of " + list);
    return std::nullopt;
}

const std::vector<std::string_view> message_keys = {"topic", "payload", "qos", "retain",
                                                    "properties"};

namespace {

/// Deeper JSON is refused: an alias can nest a node in itself (`&a [*a]`) or chain anchors.
constexpr std::size_t max_json_depth = 64;

/// One YAML value converted to JSON, with the limits on what aliases can make of it.
struct json_conversion {
    reader& r;
    bool templates;
    bool in_stand_in;
    std::vector<YAML::Node> open;  // the maps and lists being converted, outermost first
    std::string problem;           // a limit that was hit; converting then stops

    boost::json::value convert(const YAML::Node& node);
};

boost::json::value json_conversion::convert(const YAML::Node& node) {
    if (!problem.empty())
        return nullptr;
    if (r.json_values_left == 0) {
        problem = "too large a JSON value: a scenario's JSON values hold at most " +
                  std::to_string(reader::max_json_values) +
                  " values in all (do aliases repeat a large node?)";
        return nullptr;
    }
    --r.json_values_left;
    if (node.IsNull())
        return nullptr;
    if (node.IsMap() || node.IsSequence()) {
        if (std::any_of(open.begin(), open.end(),
                        [&](const YAML::Node& n) { return n.is(node); })) {
            problem = "a JSON value that contains itself (an alias inside its own anchor)";
            return nullptr;
        }
        if (open.size() == max_json_depth) {
            problem =
                "a JSON value nested deeper than " + std::to_string(max_json_depth) + " levels";
            return nullptr;
        }
        open.push_back(node);
        boost::json::value value;
        if (node.IsMap()) {
            boost::json::object& object = value.emplace_object();
            for (const auto& entry : node) {
                const std::optional<std::string> key = r.string(entry.first, "a JSON member name");
                if (key)
                    object[*key] = convert(entry.second);
            }
        } else {
            boost::json::array& array = value.emplace_array();
            for (const auto& item : node)
                array.push_back(convert(item));
        }
        open.pop_back();
        return value;
    }
    const std::string& text = node.Scalar();
    if (is_plain(node)) {
        if (text == "true" || text == "True" || text == "TRUE")
            return true;
        if (text == "false" || text == "False" || text == "FALSE")
            return false;
        if (is_integer_text(text)) {
            std::int64_t value = 0;
            const char* begin = text.data() + (text.front() == '+' ? 1 : 0);
            const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
            if (ec == std::errc() && end == text.data() + text.size())
                return value;
        }
        if (const std::optional<double> value = parse_float(text))
            return *value;
    }
    if (templates)
        r.check_template(node, text, in_stand_in);
    return boost::json::string(text);
}

}  // namespace

boost::json::value to_json(reader& r, const YAML::Node& node, bool templates, bool in_stand_in) {
    json_conversion conversion{r, templates, in_stand_in, {}, {}};
    boost::json::value value = conversion.convert(node);
    if (conversion.problem.empty())
        return value;
    r.error(node, conversion.problem);
    return nullptr;
}

payload_spec parse_payload(reader& r, const YAML::Node& node, bool in_stand_in) {
    payload_spec payload;
    if (node.IsNull())
        return payload;
    if (node.IsScalar()) {
        payload.text = node.Scalar();
        r.check_template(node, payload.text, in_stand_in);
        return payload;
    }
    if (!node.IsMap()) {
        r.error(node,
                "expected a payload (a string, or a map with one of `text`, `json`, `hex`, "
                "`file`), got " +
                    describe(node));
        return payload;
    }
    const std::vector<std::string_view> keys = {"text", "json", "hex", "file"};
    r.check_keys(node, keys, "payload");
    const std::optional<std::string> key = one_of(r, node, keys, "a payload");
    if (!key)
        return payload;
    const YAML::Node value = *get(node, *key);
    if (*key == "text") {
        payload.text = r.string(value, "a text payload").value_or("");
        r.check_template(value, payload.text, in_stand_in);
    } else if (*key == "json") {
        payload.form = payload_spec::kind::json;
        payload.json = to_json(r, value, true, in_stand_in);
    } else if (*key == "hex") {
        payload.form = payload_spec::kind::hex;
        payload.text = hex_digits(r, value).value_or("");
    } else {
        payload.form = payload_spec::kind::file;
        const std::optional<std::string> path = r.string(value, "a file path");
        if (path) {
            payload.text = r.resolve_path(*path);
            std::error_code ec;
            if (!std::filesystem::is_regular_file(payload.text, ec))
                r.error(value, "payload file `" + *path + "` does not exist (looked for " +
                                   payload.text + ")");
        }
    }
    return payload;
}

publish_properties_spec parse_properties(reader& r, const YAML::Node& node, bool in_stand_in) {
    publish_properties_spec properties;
    if (!r.expect_map(node, "properties"))
        return properties;
    r.check_keys(node,
                 {"content_type", "response_topic", "correlation_data", "payload_format",
                  "message_expiry", "user_properties"},
                 "properties");
    const auto text = [&](std::string_view key, std::optional<std::string>& out) {
        if (const auto value = get(node, key)) {
            out = r.string(*value, key);
            if (out)
                r.check_template(*value, *out, in_stand_in);
        }
    };
    text("content_type", properties.content_type);
    text("correlation_data", properties.correlation_data);
    if (const auto value = get(node, "response_topic")) {
        properties.response_topic = r.string(*value, "a response topic");
        if (properties.response_topic)
            r.check_topic_name(*value, *properties.response_topic, in_stand_in);
    }
    if (const auto value = get(node, "payload_format")) {
        if (value->IsScalar() && value->Scalar() == "utf8")
            properties.payload_format_utf8 = true;
        else if (value->IsScalar() && value->Scalar() == "bytes")
            properties.payload_format_utf8 = false;
        else
            r.error(*value, "expected a payload format of utf8 or bytes, got " + describe(*value));
    }
    if (const auto value = get(node, "message_expiry"))
        properties.message_expiry_interval = r.seconds(*value, 0xFFFFFFFFu);
    if (const auto value = get(node, "user_properties")) {
        const auto add = [&](const YAML::Node& name_node, const YAML::Node& value_node) {
            const std::optional<std::string> name = r.string(name_node, "a user property name");
            const std::optional<std::string> text_value =
                r.string(value_node, "a user property value");
            if (!name || !text_value)
                return;
            r.check_template(value_node, *text_value, in_stand_in);
            properties.user_properties.emplace_back(*name, *text_value);
        };
        if (value->IsMap()) {
            for (const auto& entry : *value)
                add(entry.first, entry.second);
        } else if (value->IsSequence()) {
            for (const auto& item : *value) {
                if (!r.expect_map(item, "a user property {name, value}"))
                    continue;
                r.check_keys(item, {"name", "value"}, "a user property");
                const bool has_name = r.require(item, "name", "a user property");
                const bool has_value = r.require(item, "value", "a user property");
                if (has_name && has_value)
                    add(*get(item, "name"), *get(item, "value"));
            }
        } else {
            r.error(*value, "expected user properties (a map, or a list of {name, value}), got " +
                                describe(*value));
        }
    }
    return properties;
}

message_spec parse_message_fields(reader& r, const YAML::Node& map, std::string_view what,
                                  bool in_stand_in, int default_qos) {
    message_spec message;
    message.qos = default_qos;
    if (r.require(map, "topic", what)) {
        const YAML::Node topic = *get(map, "topic");
        message.topic = r.string(topic, "a topic").value_or("");
        r.check_topic_name(topic, message.topic, in_stand_in);
    }
    if (const auto value = get(map, "payload"))
        message.payload = parse_payload(r, *value, in_stand_in);
    if (const auto value = get(map, "qos"))
        message.qos = r.qos(*value).value_or(default_qos);
    if (const auto value = get(map, "retain"))
        message.retain = r.boolean(*value).value_or(false);
    if (const auto value = get(map, "properties"))
        message.properties = parse_properties(r, *value, in_stand_in);
    return message;
}

message_spec parse_message(reader& r, const YAML::Node& node, std::string_view what,
                           bool in_stand_in) {
    if (!r.expect_map(node, what))
        return {};
    r.check_keys(node, message_keys, what);
    return parse_message_fields(r, node, what, in_stand_in, 0);
}

}  // namespace harness::scenario::detail
