// Packets from JSON: the inverse of packet_json.hpp's to_json, for scenarios that send
// structured packets (raw clients). Field names are those `mqtt-harness decode` prints.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "harness/codec/expected.hpp"
#include "harness/codec/packets.hpp"

namespace harness::packet_json {

/// Builds a packet from `{"type": "subscribe", "packet_id": 3, ...}` (type names in any case).
/// Text fields (`payload`, `password`) are sent as their UTF-8 bytes; `*_hex` fields and binary
/// properties are hex digits. Missing fields take the codec's defaults. Errors name the field:
/// "subscriptions[0].qos: expected an integer 0..2".
codec::expected<codec::packet, std::string> packet_from_json(const boost::json::object& object,
                                                             codec::protocol_version version);

/// The keys packet_from_json reads for a packet type name ("connect", ...); empty when the
/// name is not a packet type. For load-time checks of scenario files.
std::vector<std::string_view> packet_keys(std::string_view type);

/// Bytes of hex digits (spaces between them are ignored); nullopt for anything else or an odd
/// number of digits.
std::optional<codec::binary> from_hex(std::string_view text);

/// The packet type of a name ("connect", "PUBLISH"); nullopt when none.
std::optional<codec::packet_type> packet_type_from_name(std::string_view name);

}  // namespace harness::packet_json
