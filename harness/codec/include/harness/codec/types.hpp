// Basic MQTT vocabulary shared by every packet: protocol levels, QoS, packet types.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace harness::codec {

/// Protocol level byte of CONNECT: 3 = MQTT 3.1 ("MQIsdp"), 4 = 3.1.1, 5 = 5.0.
enum class protocol_version : std::uint8_t { v3_1 = 3, v3_1_1 = 4, v5 = 5 };

enum class qos : std::uint8_t { at_most_once = 0, at_least_once = 1, exactly_once = 2 };

enum class packet_type : std::uint8_t {
    connect = 1,
    connack = 2,
    publish = 3,
    puback = 4,
    pubrec = 5,
    pubrel = 6,
    pubcomp = 7,
    subscribe = 8,
    suback = 9,
    unsubscribe = 10,
    unsuback = 11,
    pingreq = 12,
    pingresp = 13,
    disconnect = 14,
    auth = 15,
};

/// Raw bytes: payloads, passwords, correlation and authentication data.
using binary = std::vector<std::uint8_t>;

/// "CONNECT" ... "AUTH" as the specification writes them.
std::string_view to_string(packet_type type) noexcept;

/// "MQIsdp" for 3.1, "MQTT" otherwise.
std::string_view protocol_name(protocol_version version) noexcept;

/// Largest remaining length the four-byte variable byte integer can carry (256 MB - 1).
inline constexpr std::uint32_t max_remaining_length = 268'435'455;
/// Largest whole packet: remaining length plus one header byte and four length bytes.
inline constexpr std::uint32_t max_packet_size = max_remaining_length + 5;

}  // namespace harness::codec
