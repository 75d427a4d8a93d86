// Names of packet types and protocol levels.
#include "harness/codec/types.hpp"

#include <array>

namespace harness::codec {

std::string_view to_string(packet_type type) noexcept {
    static constexpr std::array<std::string_view, 16> names{
        "RESERVED", "CONNECT",  "CONNACK",    "PUBLISH", "PUBACK",      "PUBREC",
        "PUBREL",   "PUBCOMP",  "SUBSCRIBE",  "SUBACK",  "UNSUBSCRIBE", "UNSUBACK",
        "PINGREQ",  "PINGRESP", "DISCONNECT", "AUTH"};
    const auto index = static_cast<std::size_t>(type);
    return index < names.size() ? names[index] : "RESERVED";
}

std::string_view protocol_name(protocol_version version) noexcept {
    return version == protocol_version::v3_1 ? "MQIsdp" : "MQTT";
}

}  // namespace harness::codec
