// MQTT reason codes: the full 5.0 list, one enum per reason-code table, and the 3.1.1
// CONNACK/SUBACK return codes. Each table enum is an error_code enum with its own category.
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace harness::codec {

/// Every reason code MQTT 5.0 defines (section 2.4), by its most general name.
enum class reason_code : std::uint8_t {
    success = 0x00,  // also Normal disconnection, Granted QoS 0
    granted_qos_1 = 0x01,
    granted_qos_2 = 0x02,
    disconnect_with_will_message = 0x04,
    no_matching_subscribers = 0x10,
    no_subscription_existed = 0x11,
    continue_authentication = 0x18,
    re_authenticate = 0x19,
    unspecified_error = 0x80,
    malformed_packet = 0x81,
    protocol_error = 0x82,
    implementation_specific_error = 0x83,
    unsupported_protocol_version = 0x84,
    client_identifier_not_valid = 0x85,
    bad_user_name_or_password = 0x86,
    not_authorized = 0x87,
    server_unavailable = 0x88,
    server_busy = 0x89,
    banned = 0x8A,
    server_shutting_down = 0x8B,
    bad_authentication_method = 0x8C,
    keep_alive_timeout = 0x8D,
    session_taken_over = 0x8E,
    topic_filter_invalid = 0x8F,
    topic_name_invalid = 0x90,
    packet_identifier_in_use = 0x91,
    packet_identifier_not_found = 0x92,
    receive_maximum_exceeded = 0x93,
    topic_alias_invalid = 0x94,
    packet_too_large = 0x95,
    message_rate_too_high = 0x96,
    quota_exceeded = 0x97,
    administrative_action = 0x98,
    payload_format_invalid = 0x99,
    retain_not_supported = 0x9A,
    qos_not_supported = 0x9B,
    use_another_server = 0x9C,
    server_moved = 0x9D,
    shared_subscriptions_not_supported = 0x9E,
    connection_rate_exceeded = 0x9F,
    maximum_connect_time = 0xA0,
    subscription_identifiers_not_supported = 0xA1,
    wildcard_subscriptions_not_supported = 0xA2,
};

// One enum per 5.0 reason-code table. Values are those of reason_code.
enum class connack_reason : std::uint8_t {
    success = 0x00,
    unspecified_error = 0x80,
    malformed_packet = 0x81,
    protocol_error = 0x82,
    implementation_specific_error = 0x83,
    unsupported_protocol_version = 0x84,
    client_identifier_not_valid = 0x85,
    bad_user_name_or_password = 0x86,
    not_authorized = 0x87,
    server_unavailable = 0x88,
    server_busy = 0x89,
    banned = 0x8A,
    bad_authentication_method = 0x8C,
    topic_name_invalid = 0x90,
    packet_too_large = 0x95,
    quota_exceeded = 0x97,
    payload_format_invalid = 0x99,
    retain_not_supported = 0x9A,
    qos_not_supported = 0x9B,
    use_another_server = 0x9C,
    server_moved = 0x9D,
    connection_rate_exceeded = 0x9F,
};

/// PUBACK and PUBREC share one table.
enum class puback_reason : std::uint8_t {
    success = 0x00,
    no_matching_subscribers = 0x10,
    unspecified_error = 0x80,
    implementation_specific_error = 0x83,
    not_authorized = 0x87,
    topic_name_invalid = 0x90,
    packet_identifier_in_use = 0x91,
    quota_exceeded = 0x97,
    payload_format_invalid = 0x99,
};
using pubrec_reason = puback_reason;

/// PUBREL and PUBCOMP share one table.
enum class pubrel_reason : std::uint8_t {
    success = 0x00,
    packet_identifier_not_found = 0x92,
};
using pubcomp_reason = pubrel_reason;

enum class suback_reason : std::uint8_t {
    granted_qos_0 = 0x00,
    granted_qos_1 = 0x01,
    granted_qos_2 = 0x02,
    unspecified_error = 0x80,
    implementation_specific_error = 0x83,
    not_authorized = 0x87,
    topic_filter_invalid = 0x8F,
    packet_identifier_in_use = 0x91,
    quota_exceeded = 0x97,
    shared_subscriptions_not_supported = 0x9E,
    subscription_identifiers_not_supported = 0xA1,
    wildcard_subscriptions_not_supported = 0xA2,
};

enum class unsuback_reason : std::uint8_t {
    success = 0x00,
    no_subscription_existed = 0x11,
    unspecified_error = 0x80,
    implementation_specific_error = 0x83,
    not_authorized = 0x87,
    topic_filter_invalid = 0x8F,
    packet_identifier_in_use = 0x91,
};

enum class disconnect_reason : std::uint8_t {
    normal_disconnection = 0x00,
    disconnect_with_will_message = 0x04,
    unspecified_error = 0x80,
    malformed_packet = 0x81,
    protocol_error = 0x82,
    implementation_specific_error = 0x83,
    not_authorized = 0x87,
    server_busy = 0x89,
    server_shutting_down = 0x8B,
    bad_authentication_method = 0x8C,  // listed for DISCONNECT in table 2-6
    keep_alive_timeout = 0x8D,
    session_taken_over = 0x8E,
    topic_filter_invalid = 0x8F,
    topic_name_invalid = 0x90,
    receive_maximum_exceeded = 0x93,
    topic_alias_invalid = 0x94,
    packet_too_large = 0x95,
    message_rate_too_high = 0x96,
    quota_exceeded = 0x97,
    administrative_action = 0x98,
    payload_format_invalid = 0x99,
    retain_not_supported = 0x9A,
    qos_not_supported = 0x9B,
    use_another_server = 0x9C,
    server_moved = 0x9D,
    shared_subscriptions_not_supported = 0x9E,
    connection_rate_exceeded = 0x9F,
    maximum_connect_time = 0xA0,
    subscription_identifiers_not_supported = 0xA1,
    wildcard_subscriptions_not_supported = 0xA2,
};

enum class auth_reason : std::uint8_t {
    success = 0x00,
    continue_authentication = 0x18,
    re_authenticate = 0x19,
};

/// MQTT 3.1 / 3.1.1 CONNACK return codes (3.1.1 table 3.1).
enum class connect_return_code : std::uint8_t {
    accepted = 0,
    unacceptable_protocol_version = 1,
    identifier_rejected = 2,
    server_unavailable = 3,
    bad_user_name_or_password = 4,
    not_authorized = 5,
};

/// MQTT 3.1.1 SUBACK return codes: the granted QoS, or 0x80 for failure. The values are those
/// of suback_reason, so SUBACK packets carry suback_reason in every version.
enum class suback_return_code : std::uint8_t {
    success_qos_0 = 0x00,
    success_qos_1 = 0x01,
    success_qos_2 = 0x02,
    failure = 0x80,
};

/// True for values listed in the table; reason codes >= 0x80 signal failure.
bool is_valid(connack_reason) noexcept;
bool is_valid(puback_reason) noexcept;
bool is_valid(pubrel_reason) noexcept;
bool is_valid(suback_reason) noexcept;
bool is_valid(unsuback_reason) noexcept;
bool is_valid(disconnect_reason) noexcept;
bool is_valid(auth_reason) noexcept;
bool is_valid(connect_return_code) noexcept;
bool is_valid(suback_return_code) noexcept;

template <class Enum>
constexpr bool is_failure(Enum code) noexcept {
    return static_cast<std::uint8_t>(code) >= 0x80;
}

/// The specification's name, e.g. "Not authorized"; "Unknown reason code" for other values.
std::string_view to_string(reason_code) noexcept;
std::string_view to_string(connack_reason) noexcept;
std::string_view to_string(puback_reason) noexcept;
std::string_view to_string(pubrel_reason) noexcept;
std::string_view to_string(suback_reason) noexcept;
std::string_view to_string(unsuback_reason) noexcept;
std::string_view to_string(disconnect_reason) noexcept;
std::string_view to_string(auth_reason) noexcept;
std::string_view to_string(connect_return_code) noexcept;
std::string_view to_string(suback_return_code) noexcept;

/// CONNACK codes are carried as connack_reason in every version; these map to and from the
/// 3.1.1 return codes. A 5.0 code with no 3.1.1 counterpart maps to server_unavailable.
connack_reason from_v3(connect_return_code) noexcept;
connect_return_code to_v3(connack_reason) noexcept;

const std::error_category& category_of(connack_reason) noexcept;
const std::error_category& category_of(puback_reason) noexcept;
const std::error_category& category_of(pubrel_reason) noexcept;
const std::error_category& category_of(suback_reason) noexcept;
const std::error_category& category_of(unsuback_reason) noexcept;
const std::error_category& category_of(disconnect_reason) noexcept;
const std::error_category& category_of(auth_reason) noexcept;
const std::error_category& category_of(connect_return_code) noexcept;

template <class Enum>
requires requires(Enum e) {
    category_of(e);
}
std::error_code make_error_code(Enum e) noexcept {
    return {static_cast<int>(e), category_of(e)};
}

}  // namespace harness::codec

template <>
struct std::is_error_code_enum<harness::codec::connack_reason> : std::true_type {};
template <>
struct std::is_error_code_enum<harness::codec::puback_reason> : std::true_type {};
template <>
struct std::is_error_code_enum<harness::codec::pubrel_reason> : std::true_type {};
template <>
struct std::is_error_code_enum<harness::codec::suback_reason> : std::true_type {};
template <>
struct std::is_error_code_enum<harness::codec::unsuback_reason> : std::true_type {};
template <>
struct std::is_error_code_enum<harness::codec::disconnect_reason> : std::true_type {};
template <>
struct std::is_error_code_enum<harness::codec::auth_reason> : std::true_type {};
template <>
struct std::is_error_code_enum<harness::codec::connect_return_code> : std::true_type {};
