// Builds the JSON object of each packet type.
#include "harness/packet_json/packet_json.hpp"

#include <boost/json/array.hpp>

namespace harness::packet_json {
namespace json = boost::json;
using namespace codec;

namespace {

json::value property_value_json(const property_value& value) {
    if (const auto* v = std::get_if<std::uint32_t>(&value))
        return *v;
    if (const auto* v = std::get_if<std::string>(&value))
        return json::string(*v);
    if (const auto* v = std::get_if<binary>(&value))
        return json::string(to_hex(*v));
    const auto& pair = std::get<string_pair>(value);
    return json::array{json::string(pair.first), json::string(pair.second)};
}

json::object properties_json(const property_list& properties) {
    json::object out;
    for (const auto& p : properties) {
        const property_info* info = find_property_info(static_cast<std::uint8_t>(p.id));
        if (info == nullptr)
            continue;
        json::value value = property_value_json(p.value);
        if (info->repeatable) {
            auto& slot = out[info->name];
            if (!slot.is_array())
                slot = json::array{};
            slot.as_array().push_back(std::move(value));
        } else {
            out[info->name] = std::move(value);
        }
    }
    return out;
}

void add_properties(json::object& out, const property_list& properties, protocol_version v) {
    if (v == protocol_version::v5)
        out["properties"] = properties_json(properties);
}

template <class Code>
void add_reason(json::object& out, Code code) {
    out["reason_code"] = static_cast<std::uint8_t>(code);
    out["reason"] = to_string(code);
}

json::object connect_json(const connect& p) {
    json::object out;
    out["protocol_name"] = protocol_name(p.version);
    out["protocol_version"] = static_cast<int>(p.version);
    out["clean_start"] = p.clean_start;
    out["keep_alive"] = p.keep_alive;
    out["client_id"] = p.client_id;
    if (p.username)
        out["username"] = *p.username;
    if (p.password)
        out["password_hex"] = to_hex(*p.password);
    if (p.will) {
        json::object will;
        will["topic"] = p.will->topic;
        will["payload_hex"] = to_hex(p.will->payload);
        will["qos"] = static_cast<int>(p.will->qos);
        will["retain"] = p.will->retain;
        if (p.version == protocol_version::v5)
            will["properties"] = properties_json(p.will->properties);
        out["will"] = std::move(will);
    }
    add_properties(out, p.properties, p.version);
    return out;
}

json::object publish_json(const publish& p, protocol_version v) {
    json::object out;
    out["dup"] = p.dup;
    out["qos"] = static_cast<int>(p.qos);
    out["retain"] = p.retain;
    out["topic"] = p.topic;
    if (p.qos != qos::at_most_once)
        out["packet_id"] = p.packet_id;
    add_properties(out, p.properties, v);
    out["payload_hex"] = to_hex(p.payload);
    return out;
}

template <class Ack>
json::object ack_json(const Ack& p, protocol_version v) {
    json::object out;
    out["packet_id"] = p.packet_id;
    add_reason(out, p.reason_code);
    add_properties(out, p.properties, v);
    return out;
}

json::object subscribe_json(const subscribe& p, protocol_version v) {
    json::object out;
    out["packet_id"] = p.packet_id;
    json::array subscriptions;
    for (const auto& s : p.subscriptions) {
        json::object entry;
        entry["topic_filter"] = s.topic_filter;
        entry["qos"] = static_cast<int>(s.max_qos);
        entry["no_local"] = s.no_local;
        entry["retain_as_published"] = s.retain_as_published;
        entry["retain_handling"] = static_cast<int>(s.retain_handling);
        subscriptions.push_back(std::move(entry));
    }
    out["subscriptions"] = std::move(subscriptions);
    add_properties(out, p.properties, v);
    return out;
}

template <class Codes>
json::array codes_json(const Codes& codes) {
    json::array out;
    for (auto c : codes)
        out.push_back(static_cast<std::uint8_t>(c));
    return out;
}

}  // namespace

std::string to_hex(std::span<const std::uint8_t> bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(bytes.size() * 2, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0x0F];
    }
    return out;
}

json::object to_json(const packet& p, protocol_version v) {
    json::object out;
    out["type"] = to_string(type_of(p));
    json::object body = std::visit(
        [v](const auto& value) -> json::object {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, connect>) {
                return connect_json(value);
            } else if constexpr (std::is_same_v<T, connack>) {
                json::object o;
                o["session_present"] = value.session_present;
                if (v == protocol_version::v5) {
                    add_reason(o, value.reason_code);
                } else {
                    add_reason(o, to_v3(value.reason_code));  // the 3.1.1 return code
                }
                add_properties(o, value.properties, v);
                return o;
            } else if constexpr (std::is_same_v<T, publish>) {
                return publish_json(value, v);
            } else if constexpr (std::is_same_v<T, puback> || std::is_same_v<T, pubrec> ||
                                 std::is_same_v<T, pubrel> || std::is_same_v<T, pubcomp>) {
                return ack_json(value, v);
            } else if constexpr (std::is_same_v<T, subscribe>) {
                return subscribe_json(value, v);
            } else if constexpr (std::is_same_v<T, suback> || std::is_same_v<T, unsuback>) {
                json::object o;
                o["packet_id"] = value.packet_id;
                o["reason_codes"] = codes_json(value.reason_codes);
                add_properties(o, value.properties, v);
                return o;
            } else if constexpr (std::is_same_v<T, unsubscribe>) {
                json::object o;
                o["packet_id"] = value.packet_id;
                json::array filters;
                for (const auto& f : value.topic_filters)
                    filters.push_back(json::string(f));
                o["topic_filters"] = std::move(filters);
                add_properties(o, value.properties, v);
                return o;
            } else if constexpr (std::is_same_v<T, disconnect> || std::is_same_v<T, auth>) {
                json::object o;
                add_reason(o, value.reason_code);
                add_properties(o, value.properties, v);
                return o;
            } else {
                return json::object{};
            }
        },
        p);
    for (auto& entry : body)
        out[entry.key()] = std::move(entry.value());
    return out;
}

json::object to_json(const decode_error& error) {
    json::object out;
    out["error"] = error.code.message();
    out["offset"] = error.offset;
    out["reason_code"] = static_cast<std::uint8_t>(error.reason());
    out["reason"] = to_string(error.reason());
    out["message"] = error.message;
    return out;
}

}  // namespace harness::packet_json
