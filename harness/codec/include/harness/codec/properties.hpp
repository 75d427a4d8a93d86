// MQTT 5.0 properties: the 27 identifiers with their wire types and the packets that may carry
// them (a table, as data), and an ordered property list as packets hold it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "harness/codec/types.hpp"

namespace harness::codec {

enum class property_id : std::uint8_t {
    payload_format_indicator = 0x01,
    message_expiry_interval = 0x02,
    content_type = 0x03,
    response_topic = 0x08,
    correlation_data = 0x09,
    subscription_identifier = 0x0B,
    session_expiry_interval = 0x11,
    assigned_client_identifier = 0x12,
    server_keep_alive = 0x13,
    authentication_method = 0x15,
    authentication_data = 0x16,
    request_problem_information = 0x17,
    will_delay_interval = 0x18,
    request_response_information = 0x19,
    response_information = 0x1A,
    server_reference = 0x1C,
    reason_string = 0x1F,
    receive_maximum = 0x21,
    topic_alias_maximum = 0x22,
    topic_alias = 0x23,
    maximum_qos = 0x24,
    retain_available = 0x25,
    user_property = 0x26,
    maximum_packet_size = 0x27,
    wildcard_subscription_available = 0x28,
    subscription_identifier_available = 0x29,
    shared_subscription_available = 0x2A,
};

enum class wire_type : std::uint8_t {
    byte,
    two_byte_integer,
    four_byte_integer,
    variable_byte_integer,
    utf8_string,
    binary_data,
    utf8_string_pair,
};

/// Where a property list appears. Will properties have their own set.
enum class property_context : std::uint16_t {
    connect = 1u << 0,
    connack = 1u << 1,
    publish = 1u << 2,
    will = 1u << 3,
    puback = 1u << 4,
    pubrec = 1u << 5,
    pubrel = 1u << 6,
    pubcomp = 1u << 7,
    subscribe = 1u << 8,
    suback = 1u << 9,
    unsubscribe = 1u << 10,
    unsuback = 1u << 11,
    disconnect = 1u << 12,
    auth = 1u << 13,
};

struct property_info {
    property_id id;
    std::string_view name;  // snake_case of the specification's name
    wire_type type;
    std::uint16_t contexts;  // property_context bits
    bool repeatable;         // user property; subscription identifier in PUBLISH
    bool boolean;            // a byte that may only be 0 or 1
};

/// The table of all 27 properties, in identifier order.
std::span<const property_info> property_table() noexcept;
/// Information on one identifier, or nullptr when MQTT 5.0 defines no such property.
const property_info* find_property_info(std::uint8_t id) noexcept;
std::string_view context_name(property_context context) noexcept;

using string_pair = std::pair<std::string, std::string>;
using property_value = std::variant<std::uint32_t, std::string, binary, string_pair>;

struct property {
    property() = default;
    property(property_id i, property_value v) : id(i), value(std::move(v)) {}
    /// Builds the value in place (no moved-from temporary variant).
    template <std::size_t Index, class... Args>
    property(property_id i, std::in_place_index_t<Index> index, Args&&... args)
        : id(i), value(index, std::forward<Args>(args)...) {}

    property_id id{};
    property_value value;

    friend bool operator==(const property&, const property&) = default;
};

/// A packet's properties in wire order, so that decoding then encoding gives the same bytes.
class property_list {
  public:
    property_list() = default;
    property_list(std::initializer_list<property> items) : items_(items) {}

    bool empty() const noexcept { return items_.empty(); }
    std::size_t size() const noexcept { return items_.size(); }
    auto begin() const noexcept { return items_.begin(); }
    auto end() const noexcept { return items_.end(); }
    const std::vector<property>& items() const noexcept { return items_; }

    void add(property_id id, std::uint32_t value);
    void add(property_id id, std::string value);
    void add(property_id id, binary value);
    void add_user_property(std::string key, std::string value);
    void push_back(property p) { items_.push_back(std::move(p)); }
    void clear() noexcept { items_.clear(); }
    /// Removes every occurrence of id.
    void erase(property_id id);

    const property* find(property_id id) const noexcept;
    bool contains(property_id id) const noexcept { return find(id) != nullptr; }
    /// The value of a byte, integer or variable byte integer property.
    std::optional<std::uint32_t> integer(property_id id) const noexcept;
    const std::string* string(property_id id) const noexcept;
    const binary* binary_data(property_id id) const noexcept;
    std::vector<string_pair> user_properties() const;
    std::vector<std::uint32_t> subscription_identifiers() const;

    friend bool operator==(const property_list&, const property_list&) = default;

  private:
    std::vector<property> items_;
};

}  // namespace harness::codec
