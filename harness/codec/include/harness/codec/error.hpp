// The codec's own errors: what was wrong with the bytes, which reason code the specification
// asks for, and where in the input it was found.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

#include "harness/codec/reason_codes.hpp"

namespace harness::codec {

enum class codec_errc {
    // Malformed Packet (0x81)
    truncated = 1,                 // a field runs past the end of the packet
    trailing_bytes,                // bytes left over after the last field
    remaining_length_too_long,     // variable byte integer longer than four bytes
    non_minimal_varint,            // variable byte integer not in its shortest form
    reserved_packet_type,          // packet type 0, or 15 before MQTT 5.0
    invalid_fixed_header_flags,    // reserved flag bits of the fixed header
    invalid_qos,                   // QoS 3
    invalid_utf8,                  // ill-formed UTF-8, including surrogates and overlongs
    utf8_null_character,           // U+0000 in a UTF-8 string
    connect_reserved_flag,         // CONNECT flags bit 0 set
    invalid_will_flags,            // will QoS/retain set without the will flag
    password_without_user_name,    // password flag without user name flag (3.1, 3.1.1)
    invalid_connack_flags,         // CONNACK acknowledge flags bits 7-1 set
    invalid_subscription_options,  // reserved bits of a SUBSCRIBE option byte
    unknown_property,              // property identifier MQTT 5.0 does not define
    property_not_allowed,          // property not valid in this packet
    topic_name_has_wildcard,       // '+' or '#' in a topic name or response topic
    invalid_topic_filter,          // empty, misplaced wildcard, or a malformed $share filter
    dup_on_qos0,                   // DUP set on a QoS 0 PUBLISH
    // Protocol Error (0x82)
    zero_packet_identifier,         // packet identifier 0 where one is required
    empty_topic_name,               // zero-length topic name without a topic alias
    invalid_subscription_qos,       // 5.0 subscription options with maximum QoS 3
    missing_authentication_method,  // AUTH without an authentication method
    empty_subscription_list,        // SUBSCRIBE, SUBACK, UNSUBSCRIBE or UNSUBACK with no payload
    invalid_retain_handling,        // retain handling 3
    no_local_on_shared_subscription,
    invalid_reason_code,         // a value outside the packet's reason-code table
    session_present_on_failure,  // CONNACK session present with a failure code
    duplicate_property,          // a property that may appear once, given twice
    invalid_property_value,      // e.g. Receive Maximum 0, a 0/1 property with 2
    authentication_data_without_method,
    // Other reason codes
    invalid_topic_alias,           // 0x94: topic alias 0
    unsupported_protocol_version,  // 0x84: unknown protocol level or name
    packet_too_large,              // 0x95: larger than the maximum packet size
    // Encoding
    value_too_large,  // a field or the whole packet does not fit its wire type
};

const std::error_category& codec_category() noexcept;

/// The category's message for `e` as static text; empty for a value outside the enum.
std::string_view describe(codec_errc e) noexcept;

inline std::error_code make_error_code(codec_errc e) noexcept {
    return {static_cast<int>(e), codec_category()};
}

/// The reason code the specification names for this error (0x81, 0x82, 0x84, 0x95...).
reason_code reason_for(codec_errc e) noexcept;

/// A decode failure: what, where (byte offset from the start of the input) and a message that
/// names the packet and the field, e.g. "PUBLISH topic name at offset 4: ill-formed UTF-8".
struct decode_error {
    std::error_code code;
    std::size_t offset = 0;
    std::string message;

    reason_code reason() const noexcept {
        return reason_for(static_cast<codec_errc>(code.value()));
    }
};

}  // namespace harness::codec

template <>
struct std::is_error_code_enum<harness::codec::codec_errc> : std::true_type {};
