// Builds packets from their JSON form (the fields `decode` prints), field by field, naming the
// first field that is wrong.
#include "harness/packet_json/packet_from_json.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <cctype>
#include <optional>

namespace harness::packet_json {
namespace json = boost::json;
using namespace codec;

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    return out;
}

std::optional<binary> hex_digits(std::string_view text) {
    binary out;
    int high = -1;
    for (const char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        int digit = -1;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        if (digit < 0)
            return std::nullopt;
        if (high < 0) {
            high = digit;
        } else {
            out.push_back(static_cast<std::uint8_t>(high * 16 + digit));
            high = -1;
        }
    }
    if (high >= 0)
        return std::nullopt;
    return out;
}

/// Reads fields of one JSON object; the first problem is kept in `error`.
struct fields {
    const json::object& object;
    std::string path;  // "" or "will." / "subscriptions[2]."
    std::string& error;

    const json::value* find(std::string_view key) const {
        const auto it = object.find(key);
        return it == object.end() ? nullptr : &it->value();
    }
    void fail(std::string_view key, std::string_view what) {
        if (error.empty())
            error = path + std::string(key) + ": expected " + std::string(what);
    }
    template <class T>
    void integer(std::string_view key, T& out, std::int64_t max) {
        const json::value* v = find(key);
        if (v == nullptr)
            return;
        std::int64_t n = -1;
        if (v->is_int64())
            n = v->as_int64();
        else if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(max))
            n = static_cast<std::int64_t>(v->as_uint64());
        if (n < 0 || n > max) {
            fail(key, "an integer 0.." + std::to_string(max));
            return;
        }
        out = static_cast<T>(n);
    }
    void boolean(std::string_view key, bool& out) {
        const json::value* v = find(key);
        if (v == nullptr)
            return;
        if (!v->is_bool()) {
            fail(key, "true or false");
            return;
        }
        out = v->as_bool();
    }
    void text(std::string_view key, std::string& out) {
        const json::value* v = find(key);
        if (v == nullptr)
            return;
        if (!v->is_string()) {
            fail(key, "a string");
            return;
        }
        out = std::string(v->as_string());
    }
    /// `key` as text or `key_hex` as hex digits.
    void bytes(std::string_view key, std::optional<binary>& out) {
        std::string text_value;
        if (find(key) != nullptr) {
            text(key, text_value);
            out = binary(text_value.begin(), text_value.end());
        }
        const std::string hex_key = std::string(key) + "_hex";
        if (find(hex_key) != nullptr) {
            text(hex_key, text_value);
            out = from_hex(text_value);
            if (!out)
                fail(hex_key, "hex digits");
        }
    }
    void properties(property_list& out) {
        const json::value* v = find("properties");
        if (v == nullptr)
            return;
        if (!v->is_object()) {
            fail("properties", "a map of property names to values");
            return;
        }
        for (const auto& entry : v->as_object()) {
            const auto table = property_table();
            const auto info = std::find_if(table.begin(), table.end(), [&](const property_info& p) {
                return p.name == entry.key();
            });
            const std::string key = "properties." + std::string(entry.key());
            if (info == table.end()) {
                fail(key, "a property name such as session_expiry_interval");
                return;
            }
            std::vector<const json::value*> values;
            if (info->repeatable && entry.value().is_array() &&
                !(info->type == wire_type::utf8_string_pair && !entry.value().as_array().empty() &&
                  entry.value().as_array()[0].is_string())) {
                for (const auto& item : entry.value().as_array())
                    values.push_back(&item);
            } else {
                values.push_back(&entry.value());
            }
            for (const json::value* value : values)
                property(*info, key, *value, out);
        }
    }
    void property(const property_info& info, const std::string& key, const json::value& v,
                  property_list& out) {
        switch (info.type) {
            case wire_type::utf8_string:
                if (!v.is_string())
                    return fail(key, "a string");
                out.add(info.id, std::string(v.as_string()));
                return;
            case wire_type::binary_data: {
                std::optional<binary> data = v.is_string() ? from_hex(v.as_string()) : std::nullopt;
                if (!data)
                    return fail(key, "hex digits");
                out.add(info.id, std::move(*data));
                return;
            }
            case wire_type::utf8_string_pair:
                if (!v.is_array() || v.as_array().size() != 2 || !v.as_array()[0].is_string() ||
                    !v.as_array()[1].is_string())
                    return fail(key, "a [name, value] pair or a list of them");
                out.add_user_property(std::string(v.as_array()[0].as_string()),
                                      std::string(v.as_array()[1].as_string()));
                return;
            default: {
                std::int64_t n = -1;
                if (v.is_int64())
                    n = v.as_int64();
                else if (v.is_bool())
                    n = v.as_bool() ? 1 : 0;
                if (n < 0 || n > 0xFFFFFFFFLL)
                    return fail(key, "an integer");
                out.add(info.id, static_cast<std::uint32_t>(n));
            }
        }
    }
    const json::array* array(std::string_view key) {
        const json::value* v = find(key);
        if (v == nullptr)
            return nullptr;
        if (!v->is_array()) {
            fail(key, "a list");
            return nullptr;
        }
        return &v->as_array();
    }
};

void read_will(fields& f, connect& c) {
    const json::value* v = f.find("will");
    if (v == nullptr)
        return;
    if (!v->is_object())
        return f.fail("will", "a map with topic and payload");
    fields w{v->as_object(), f.path + "will.", f.error};
    will_message will;
    w.text("topic", will.topic);
    std::optional<binary> payload;
    w.bytes("payload", payload);
    will.payload = payload.value_or(binary{});
    w.integer("qos", will.qos, 2);
    w.boolean("retain", will.retain);
    w.properties(will.properties);
    c.will = std::move(will);
}

packet read_connect(fields& f, protocol_version version) {
    connect c;
    c.version = version;
    f.integer("protocol_version", c.version, 255);
    f.boolean("clean_start", c.clean_start);
    f.integer("keep_alive", c.keep_alive, 0xFFFF);
    f.text("client_id", c.client_id);
    if (f.find("username") != nullptr) {
        c.username.emplace();
        f.text("username", *c.username);
    }
    f.bytes("password", c.password);
    read_will(f, c);
    f.properties(c.properties);
    return c;
}

template <class Ack>
packet read_ack(fields& f) {
    Ack a;
    f.integer("packet_id", a.packet_id, 0xFFFF);
    f.integer("reason_code", a.reason_code, 255);
    f.properties(a.properties);
    return a;
}

packet read_subscribe(fields& f) {
    subscribe s;
    f.integer("packet_id", s.packet_id, 0xFFFF);
    if (const json::array* list = f.array("subscriptions")) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string path = f.path + "subscriptions[" + std::to_string(i) + "].";
            if (!(*list)[i].is_object()) {
                f.fail("subscriptions[" + std::to_string(i) + "]", "a map with topic_filter");
                break;
            }
            fields item{(*list)[i].as_object(), path, f.error};
            subscription sub;
            item.text("topic_filter", sub.topic_filter);
            item.integer("qos", sub.max_qos, 3);
            item.boolean("no_local", sub.no_local);
            item.boolean("retain_as_published", sub.retain_as_published);
            item.integer("retain_handling", sub.retain_handling, 3);
            s.subscriptions.push_back(std::move(sub));
        }
    }
    f.properties(s.properties);
    return s;
}

packet read_unsubscribe(fields& f) {
    unsubscribe u;
    f.integer("packet_id", u.packet_id, 0xFFFF);
    if (const json::array* list = f.array("topic_filters")) {
        for (const auto& item : *list) {
            if (!item.is_string()) {
                f.fail("topic_filters", "a list of strings");
                break;
            }
            u.topic_filters.emplace_back(item.as_string());
        }
    }
    f.properties(u.properties);
    return u;
}

template <class Ack>
packet read_codes_ack(fields& f) {
    Ack a;
    f.integer("packet_id", a.packet_id, 0xFFFF);
    if (const json::array* list = f.array("reason_codes")) {
        for (const auto& item : *list) {
            if (!item.is_int64() || item.as_int64() < 0 || item.as_int64() > 255) {
                f.fail("reason_codes", "a list of integers 0..255");
                break;
            }
            a.reason_codes.push_back(
                static_cast<typename decltype(a.reason_codes)::value_type>(item.as_int64()));
        }
    }
    f.properties(a.properties);
    return a;
}

}  // namespace

std::optional<binary> from_hex(std::string_view text) {
    return hex_digits(text);
}

std::optional<packet_type> packet_type_from_name(std::string_view name) {
    const std::string wanted = lower(name);
    for (int t = 1; t <= 15; ++t) {
        if (lower(to_string(static_cast<packet_type>(t))) == wanted)
            return static_cast<packet_type>(t);
    }
    return std::nullopt;
}

std::vector<std::string_view> packet_keys(std::string_view type) {
    const auto t = packet_type_from_name(type);
    if (!t)
        return {};
    switch (*t) {
        case packet_type::connect:
            return {"type",     "protocol_version", "clean_start",  "keep_alive", "client_id",
                    "username", "password",         "password_hex", "will",       "properties"};
        case packet_type::connack:
            return {"type", "session_present", "reason_code", "properties"};
        case packet_type::publish:
            return {"type",   "topic", "payload",   "payload_hex", "qos",
                    "retain", "dup",   "packet_id", "properties"};
        case packet_type::subscribe:
            return {"type", "packet_id", "subscriptions", "properties"};
        case packet_type::unsubscribe:
            return {"type", "packet_id", "topic_filters", "properties"};
        case packet_type::suback:
        case packet_type::unsuback:
            return {"type", "packet_id", "reason_codes", "properties"};
        case packet_type::pingreq:
        case packet_type::pingresp:
            return {"type"};
        case packet_type::disconnect:
        case packet_type::auth:
            return {"type", "reason_code", "properties"};
        default:
            return {"type", "packet_id", "reason_code", "properties"};
    }
}

expected<packet, std::string> packet_from_json(const json::object& object,
                                               protocol_version version) {
    std::string error;
    fields f{object, "", error};
    std::string type_name;
    f.text("type", type_name);
    const auto type = packet_type_from_name(type_name);
    if (!type)
        return unexpected{std::string("type: expected a packet type such as connect or publish")};
    packet out;
    switch (*type) {
        case packet_type::connect:
            out = read_connect(f, version);
            break;
        case packet_type::connack: {
            connack c;
            f.boolean("session_present", c.session_present);
            int code = 0;
            f.integer("reason_code", code, 255);
            c.reason_code = version == protocol_version::v5
                                ? static_cast<connack_reason>(code)
                                : from_v3(static_cast<connect_return_code>(code));
            f.properties(c.properties);
            out = std::move(c);
            break;
        }
        case packet_type::publish: {
            publish p;
            f.text("topic", p.topic);
            std::optional<binary> payload;
            f.bytes("payload", payload);
            p.payload = payload.value_or(binary{});
            f.integer("qos", p.qos, 3);
            f.boolean("retain", p.retain);
            f.boolean("dup", p.dup);
            f.integer("packet_id", p.packet_id, 0xFFFF);
            f.properties(p.properties);
            out = std::move(p);
            break;
        }
        case packet_type::puback:
            out = read_ack<puback>(f);
            break;
        case packet_type::pubrec:
            out = read_ack<pubrec>(f);
            break;
        case packet_type::pubrel:
            out = read_ack<pubrel>(f);
            break;
        case packet_type::pubcomp:
            out = read_ack<pubcomp>(f);
            break;
        case packet_type::subscribe:
            out = read_subscribe(f);
            break;
        case packet_type::suback:
            out = read_codes_ack<suback>(f);
            break;
        case packet_type::unsubscribe:
            out = read_unsubscribe(f);
            break;
        case packet_type::unsuback:
            out = read_codes_ack<unsuback>(f);
            break;
        case packet_type::pingreq:
            out = pingreq{};
            break;
        case packet_type::pingresp:
            out = pingresp{};
            break;
        case packet_type::disconnect: {
            disconnect d;
            f.integer("reason_code", d.reason_code, 255);
            f.properties(d.properties);
            out = std::move(d);
            break;
        }
        default: {
            auth a;
            f.integer("reason_code", a.reason_code, 255);
            f.properties(a.properties);
            out = std::move(a);
        }
    }
    if (!error.empty())
        return unexpected{std::move(error)};
    return out;
}

}  // namespace harness::packet_json
