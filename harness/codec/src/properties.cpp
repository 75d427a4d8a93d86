// The MQTT 5.0 property table (section 2.2.2.2) and the property list's accessors.
#include "harness/codec/properties.hpp"

#include <algorithm>
#include <array>

namespace harness::codec {
namespace {

constexpr std::uint16_t bits(std::initializer_list<property_context> contexts) {
    std::uint16_t mask = 0;
    for (auto c : contexts)
        mask |= static_cast<std::uint16_t>(c);
    return mask;
}

using enum property_context;
using enum wire_type;
using id = property_id;

constexpr std::uint16_t message_contexts = bits({publish, will});
constexpr std::uint16_t reason_string_contexts =
    bits({connack, puback, pubrec, pubrel, pubcomp, suback, unsuback, disconnect, auth});
constexpr std::uint16_t all_contexts =
    bits({connect, connack, publish, will, puback, pubrec, pubrel, pubcomp, subscribe, suback,
          unsubscribe, unsuback, disconnect, auth});

constexpr std::array<property_info, 27> table{{
    {id::payload_format_indicator, "payload_format_indicator", byte, message_contexts, false, true},
    {id::message_expiry_interval, "message_expiry_interval", four_byte_integer, message_contexts,
     false, false},
    {id::content_type, "content_type", utf8_string, message_contexts, false, false},
    {id::response_topic, "response_topic", utf8_string, message_contexts, false, false},
    {id::correlation_data, "correlation_data", binary_data, message_contexts, false, false},
    {id::subscription_identifier, "subscription_identifier", variable_byte_integer,
     bits({publish, subscribe}), true, false},
    {id::session_expiry_interval, "session_expiry_interval", four_byte_integer,
     bits({connect, connack, disconnect}), false, false},
    {id::assigned_client_identifier, "assigned_client_identifier", utf8_string, bits({connack}),
     false, false},
    {id::server_keep_alive, "server_keep_alive", two_byte_integer, bits({connack}), false, false},
    {id::authentication_method, "authentication_method", utf8_string,
     bits({connect, connack, auth}), false, false},
    {id::authentication_data, "authentication_data", binary_data, bits({connect, connack, auth}),
     false, false},
    {id::request_problem_information, "request_problem_information", byte, bits({connect}), false,
     true},
    {id::will_delay_interval, "will_delay_interval", four_byte_integer, bits({will}), false, false},
    {id::request_response_information, "request_response_information", byte, bits({connect}), false,
     true},
    {id::response_information, "response_information", utf8_string, bits({connack}), false, false},
    {id::server_reference, "server_reference", utf8_string, bits({connack, disconnect}), false,
     false},
    {id::reason_string, "reason_string", utf8_string, reason_string_contexts, false, false},
    {id::receive_maximum, "receive_maximum", two_byte_integer, bits({connect, connack}), false,
     false},
    {id::topic_alias_maximum, "topic_alias_maximum", two_byte_integer, bits({connect, connack}),
     false, false},
    {id::topic_alias, "topic_alias", two_byte_integer, bits({publish}), false, false},
    {id::maximum_qos, "maximum_qos", byte, bits({connack}), false, true},
    {id::retain_available, "retain_available", byte, bits({connack}), false, true},
    {id::user_property, "user_property", utf8_string_pair, all_contexts, true, false},
    {id::maximum_packet_size, "maximum_packet_size", four_byte_integer, bits({connect, connack}),
     false, false},
    {id::wildcard_subscription_available, "wildcard_subscription_available", byte, bits({connack}),
     false, true},
    {id::subscription_identifier_available, "subscription_identifier_available", byte,
     bits({connack}), false, true},
    {id::shared_subscription_available, "shared_subscription_available", byte, bits({connack}),
     false, true},
}};

// Identifier -> index into table, or -1.
constexpr std::array<std::int8_t, 0x2B> index_by_id = [] {
    std::array<std::int8_t, 0x2B> index{};
    index.fill(-1);
    for (std::size_t i = 0; i < table.size(); ++i) {
        index[static_cast<std::size_t>(table[i].id)] = static_cast<std::int8_t>(i);
    }
    return index;
}();

}  // namespace

std::span<const property_info> property_table() noexcept {
    return table;
}

const property_info* find_property_info(std::uint8_t raw_id) noexcept {
    if (raw_id >= index_by_id.size() || index_by_id[raw_id] < 0)
        return nullptr;
    return &table[static_cast<std::size_t>(index_by_id[raw_id])];
}

std::string_view context_name(property_context context) noexcept {
    switch (context) {
        case property_context::connect:
            return "CONNECT";
        case property_context::connack:
            return "CONNACK";
        case property_context::publish:
            return "PUBLISH";
        case property_context::will:
            return "will properties";
        case property_context::puback:
            return "PUBACK";
        case property_context::pubrec:
            return "PUBREC";
        case property_context::pubrel:
            return "PUBREL";
        case property_context::pubcomp:
            return "PUBCOMP";
        case property_context::subscribe:
            return "SUBSCRIBE";
        case property_context::suback:
            return "SUBACK";
        case property_context::unsubscribe:
            return "UNSUBSCRIBE";
        case property_context::unsuback:
            return "UNSUBACK";
        case property_context::disconnect:
            return "DISCONNECT";
        case property_context::auth:
            return "AUTH";
    }
    return "unknown";
}

// Values are built in place: moving a temporary variant into the vector makes GCC 12 report a
// false -Wmaybe-uninitialized where these are inlined.
void property_list::add(property_id id, std::uint32_t value) {
    items_.emplace_back(id, std::in_place_index<0>, value);
}

void property_list::add(property_id id, std::string value) {
    items_.emplace_back(id, std::in_place_index<1>, std::move(value));
}

void property_list::add(property_id id, binary value) {
    items_.emplace_back(id, std::in_place_index<2>, std::move(value));
}

void property_list::add_user_property(std::string key, std::string value) {
    items_.emplace_back(property_id::user_property, std::in_place_index<3>, std::move(key),
                        std::move(value));
}

void property_list::erase(property_id id) {
    std::erase_if(items_, [id](const property& p) { return p.id == id; });
}

const property* property_list::find(property_id id) const noexcept {
    for (const auto& p : items_) {
        if (p.id == id)
            return &p;
    }
    return nullptr;
}

std::optional<std::uint32_t> property_list::integer(property_id id) const noexcept {
    const property* p = find(id);
    if (p == nullptr)
        return std::nullopt;
    if (const auto* v = std::get_if<std::uint32_t>(&p->value))
        return *v;
    return std::nullopt;
}

const std::string* property_list::string(property_id id) const noexcept {
    const property* p = find(id);
    return p == nullptr ? nullptr : std::get_if<std::string>(&p->value);
}

const binary* property_list::binary_data(property_id id) const noexcept {
    const property* p = find(id);
    return p == nullptr ? nullptr : std::get_if<binary>(&p->value);
}

std::vector<string_pair> property_list::user_properties() const {
    std::vector<string_pair> pairs;
    for (const auto& p : items_) {
        if (const auto* pair = std::get_if<string_pair>(&p.value))
            pairs.push_back(*pair);
    }
    return pairs;
}

std::vector<std::uint32_t> property_list::subscription_identifiers() const {
    std::vector<std::uint32_t> ids;
    for (const auto& p : items_) {
        if (p.id != property_id::subscription_identifier)
            continue;
        if (const auto* v = std::get_if<std::uint32_t>(&p.value))
            ids.push_back(*v);
    }
    return ids;
}

}  // namespace harness::codec
