// Reading the raw-packet steps of raw clients: send (a structured packet or hex with
// placeholders), expect_packet, expect_no_packet and expect_closed. Structured packets are
// checked at load time by building them with the codec's JSON reader.
#include <cctype>

#include "harness/packet_json/packet_from_json.hpp"
#include "step_reader.hpp"

namespace harness::scenario::detail {
namespace {

bool is_reason_key(std::string_view key) {
    return key == "reason_code" || key == "reason_codes" || key == "reasons";
}

/// A packet map as JSON: plain true/false are booleans, plain integers (decimal or 0x) numbers,
/// reason codes may be names; quoted scalars are strings, checked as templates.
boost::json::value packet_value(reader& r, const YAML::Node& node, bool reasons) {
    if (node.IsMap()) {
        boost::json::object out;
        for (const auto& entry : node) {
            const std::optional<std::string> key = r.string(entry.first, "a field name");
            if (!key)
                continue;
            out[*key] = packet_value(r, entry.second, reasons || is_reason_key(*key));
        }
        return out;
    }
    if (node.IsSequence()) {
        boost::json::array out;
        for (const auto& item : node)
            out.push_back(packet_value(r, item, reasons));
        return out;
    }
    if (!node.IsScalar())
        return nullptr;
    const std::string& text = node.Scalar();
    if (is_plain(node)) {
        if (text == "true" || text == "false")
            return text == "true";
        if (!text.empty() && std::isdigit(static_cast<unsigned char>(text.front())) != 0) {
            if (const auto value = r.integer(node, 0, 0xFFFFFFFFLL))
                return *value;
            return nullptr;
        }
        if (reasons) {
            if (const auto value = r.reason(node))
                return *value;
            return nullptr;
        }
    }
    r.check_template(node, text, false);
    return boost::json::string(text);
}

/// Replaces strings that are a single template reference ("{{pid}}") by 0.
void numbers_for_templates(boost::json::value& value) {
    if (value.is_string()) {
        const std::string_view text = value.as_string();
        if (text.starts_with("{{") && text.ends_with("}}") &&
            text.find("{{", 2) == std::string_view::npos)
            value = 0;
    } else if (value.is_object()) {
        for (auto& entry : value.as_object())
            numbers_for_templates(entry.value());
    } else if (value.is_array()) {
        for (auto& item : value.as_array())
            numbers_for_templates(item);
    }
}

/// A `packet:` map with a known `type`; for sending, its keys and values are checked by
/// building it.
std::optional<boost::json::object> read_packet(reader& r, const YAML::Node& node, bool to_send) {
    if (!r.expect_map(node, "a packet (a map with `type`)"))
        return std::nullopt;
    if (!r.require(node, "type", "packet"))
        return std::nullopt;
    const YAML::Node type = *get(node, "type");
    std::vector<std::string_view> keys =
        packet_json::packet_keys(type.IsScalar() ? type.Scalar() : std::string());
    // What the client could not decode matches `type: malformed` (expect steps only).
    if (!to_send && type.IsScalar() && type.Scalar() == "malformed")
        keys = {"type", "error", "reason_code", "message"};
    if (keys.empty()) {
        r.error(type,
                "expected a packet type (connect, connack, publish, puback, pubrec, pubrel, "
                "pubcomp, subscribe, suback, unsubscribe, unsuback, pingreq, pingresp, "
                "disconnect, auth), got " +
                    describe(type));
        return std::nullopt;
    }
    // {{client_id}} in a raw client's packet is its client id.
    r.variables.push_back("client_id");
    boost::json::value value = packet_value(r, node, false);
    r.variables.pop_back();
    if (!value.is_object())
        return std::nullopt;
    boost::json::object packet = std::move(value.as_object());
    if (to_send) {
        std::vector<std::string_view> allowed = keys;
        allowed.push_back("verbatim_topics");
        r.check_keys(node, allowed, std::string(type.Scalar()) + " packet");
        packet.erase("verbatim_topics");
        auto built = packet_json::packet_from_json(packet, codec::protocol_version::v5);
        if (!built) {
            // A field that is only `{{name}}` may be a saved number: try it as one.
            boost::json::value numbered = packet;
            numbers_for_templates(numbered);
            if (!packet_json::packet_from_json(numbered.as_object(), codec::protocol_version::v5))
                r.error(node, "cannot build this " + type.Scalar() + " packet: " + built.error());
        }
    }
    return packet;
}

/// Checks hex digits and the placeholders {{len}} (once), {{client_id}}, {{topic T}},
/// {{str T}}.
void check_hex(reader& r, const YAML::Node& node, const std::string& text) {
    std::size_t digits = 0;
    int lengths = 0;
    for (std::size_t i = 0; i < text.size();) {
        if (text.compare(i, 2, "{{") == 0) {
            const std::size_t end = text.find("}}", i);
            if (end == std::string::npos) {
                r.error(node, "unclosed `{{` in hex");
                return;
            }
            const std::string inner = text.substr(i + 2, end - i - 2);
            if (inner == "len") {
                ++lengths;
            } else if (inner != "client_id" && !inner.starts_with("topic ") &&
                       !inner.starts_with("str ")) {
                r.error(node, "unknown placeholder `{{" + inner +
                                  "}}` in hex; expected {{len}}, {{client_id}}, {{topic T}} or "
                                  "{{str T}}");
            }
            i = end + 2;
            continue;
        }
        const char c = text[i++];
        if (std::isxdigit(static_cast<unsigned char>(c)) != 0)
            ++digits;
        else if (std::isspace(static_cast<unsigned char>(c)) == 0) {
            r.error(node,
                    std::string("expected hex digits, spaces and placeholders, got `") + c + "`");
            return;
        }
    }
    if (digits % 2 != 0)
        r.error(node, "odd number of hex digits");
    if (lengths > 1)
        r.error(node, "at most one {{len}} per hex");
}

}  // namespace

send_step step_reader::send(const YAML::Node& node) {
    send_step step;
    if (!r.expect_map(node, "a send with `client` and `packet` or `hex`"))
        return step;
    r.check_keys(node, {"client", "packet", "hex"}, "send");
    step.client = client(node, "send");
    const std::optional<std::string> key = one_of(r, node, {"packet", "hex"}, "send");
    if (!key)
        return step;
    const YAML::Node value = *get(node, *key);
    if (*key == "packet") {
        if (const auto verbatim = value.IsMap() ? get(value, "verbatim_topics") : std::nullopt)
            step.verbatim_topics = r.boolean(*verbatim).value_or(false);
        step.packet = read_packet(r, value, true);
    } else if (const std::optional<std::string> text = r.string(value, "hex digits")) {
        check_hex(r, value, *text);
        step.hex = *text;
    }
    return step;
}

expect_packet_step step_reader::expect_packet(const YAML::Node& node) {
    expect_packet_step step;
    if (!r.expect_map(node, "an expect_packet with `client` and `packet`"))
        return step;
    r.check_keys(node, {"client", "packet", "within", "next", "save"}, "expect_packet");
    step.client = client(node, "expect_packet");
    if (r.require(node, "packet", "expect_packet")) {
        if (auto packet = read_packet(r, *get(node, "packet"), false))
            step.packet = std::move(*packet);
    }
    if (const auto value = get(node, "within"))
        step.within = r.duration(*value);
    if (const auto value = get(node, "next"))
        step.next = r.boolean(*value).value_or(false);
    if (const auto value = get(node, "save")) {
        if (r.expect_map(*value, "values to save (a map of names to field paths)")) {
            for (const auto& entry : *value) {
                const auto name = r.string(entry.first, "a name");
                const auto path = r.string(entry.second, "a field path such as packet_id");
                if (!name || !path)
                    continue;
                step.save.emplace_back(*name, *path);
                r.variables.push_back(*name);  // later steps may use {{name}}
            }
        }
    }
    return step;
}

expect_no_packet_step step_reader::expect_no_packet(const YAML::Node& node) {
    expect_no_packet_step step;
    if (!r.expect_map(node, "an expect_no_packet with `client`"))
        return step;
    r.check_keys(node, {"client", "packet", "duration"}, "expect_no_packet");
    step.client = client(node, "expect_no_packet");
    if (const auto value = get(node, "packet"))
        step.packet = read_packet(r, *value, false);
    if (const auto value = get(node, "duration"))
        step.duration = r.duration(*value).value_or(step.duration);
    return step;
}

expect_closed_step step_reader::expect_closed(const YAML::Node& node) {
    expect_closed_step step;
    if (!client_or_map(node, step.client))
        return step;
    r.check_keys(node, {"client", "within", "reasons"}, "expect_closed");
    step.client = client(node, "expect_closed");
    if (const auto value = get(node, "within"))
        step.within = r.duration(*value);
    if (const auto value = get(node, "reasons")) {
        step.reasons.emplace();
        if (value->IsSequence()) {
            for (const auto& item : *value) {
                if (const auto code = r.reason(item))
                    step.reasons->push_back(*code);
            }
        } else if (const auto code = r.reason(*value)) {
            step.reasons->push_back(*code);
        }
    }
    return step;
}

}  // namespace harness::scenario::detail
