// Value types for the 15 MQTT control packets, shared by protocol levels 3, 4 and 5.
// Fields that a level does not carry (properties, most reason codes before 5.0) stay at their
// defaults when decoding and are not written when encoding.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "harness/codec/properties.hpp"
#include "harness/codec/reason_codes.hpp"
#include "harness/codec/types.hpp"

namespace harness::codec {

struct will_message {
    std::string topic;
    binary payload;
    codec::qos qos = qos::at_most_once;
    bool retain = false;
    property_list properties;  // 5.0 will properties

    friend bool operator==(const will_message&, const will_message&) = default;
};

struct connect {
    protocol_version version = protocol_version::v5;
    bool clean_start = true;  // the clean session flag before 5.0
    std::uint16_t keep_alive = 60;
    std::string client_id;
    std::optional<std::string> username;
    std::optional<binary> password;
    std::optional<will_message> will;
    property_list properties;

    friend bool operator==(const connect&, const connect&) = default;
};

struct connack {
    bool session_present = false;
    /// 5.0 reason code; before 5.0 the return code maps onto it (see from_v3/to_v3).
    connack_reason reason_code = connack_reason::success;
    property_list properties;

    friend bool operator==(const connack&, const connack&) = default;
};

struct publish {
    bool dup = false;
    codec::qos qos = qos::at_most_once;
    bool retain = false;
    std::string topic;
    std::uint16_t packet_id = 0;  // present on the wire for QoS 1 and 2 only
    property_list properties;
    binary payload;

    friend bool operator==(const publish&, const publish&) = default;
};

struct puback {
    std::uint16_t packet_id = 0;
    puback_reason reason_code = puback_reason::success;
    property_list properties;

    friend bool operator==(const puback&, const puback&) = default;
};

struct pubrec {
    std::uint16_t packet_id = 0;
    pubrec_reason reason_code = pubrec_reason::success;
    property_list properties;

    friend bool operator==(const pubrec&, const pubrec&) = default;
};

struct pubrel {
    std::uint16_t packet_id = 0;
    pubrel_reason reason_code = pubrel_reason::success;
    property_list properties;

    friend bool operator==(const pubrel&, const pubrel&) = default;
};

struct pubcomp {
    std::uint16_t packet_id = 0;
    pubcomp_reason reason_code = pubcomp_reason::success;
    property_list properties;

    friend bool operator==(const pubcomp&, const pubcomp&) = default;
};

enum class retain_handling : std::uint8_t {
    send_on_subscribe = 0,
    send_if_new_subscription = 1,
    do_not_send = 2,
};

struct subscription {
    std::string topic_filter;
    codec::qos max_qos = qos::at_most_once;
    bool no_local = false;                                                        // 5.0
    bool retain_as_published = false;                                             // 5.0
    codec::retain_handling retain_handling = retain_handling::send_on_subscribe;  // 5.0

    friend bool operator==(const subscription&, const subscription&) = default;
};

struct subscribe {
    std::uint16_t packet_id = 0;
    property_list properties;
    std::vector<subscription> subscriptions;

    friend bool operator==(const subscribe&, const subscribe&) = default;
};

struct suback {
    std::uint16_t packet_id = 0;
    property_list properties;
    std::vector<suback_reason> reason_codes;  // 3.1.1 return codes share these values

    friend bool operator==(const suback&, const suback&) = default;
};

struct unsubscribe {
    std::uint16_t packet_id = 0;
    property_list properties;
    std::vector<std::string> topic_filters;

    friend bool operator==(const unsubscribe&, const unsubscribe&) = default;
};

struct unsuback {
    std::uint16_t packet_id = 0;
    property_list properties;
    std::vector<unsuback_reason> reason_codes;  // 5.0 only; empty before

    friend bool operator==(const unsuback&, const unsuback&) = default;
};

struct pingreq {
    friend bool operator==(const pingreq&, const pingreq&) = default;
};

struct pingresp {
    friend bool operator==(const pingresp&, const pingresp&) = default;
};

struct disconnect {
    disconnect_reason reason_code = disconnect_reason::normal_disconnection;  // 5.0
    property_list properties;

    friend bool operator==(const disconnect&, const disconnect&) = default;
};

struct auth {
    auth_reason reason_code = auth_reason::success;
    property_list properties;

    friend bool operator==(const auth&, const auth&) = default;
};

/// Any control packet; the index + 1 is the packet type.
using packet = std::variant<connect, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe,
                            suback, unsubscribe, unsuback, pingreq, pingresp, disconnect, auth>;

inline packet_type type_of(const packet& p) noexcept {
    return static_cast<packet_type>(p.index() + 1);
}

}  // namespace harness::codec
