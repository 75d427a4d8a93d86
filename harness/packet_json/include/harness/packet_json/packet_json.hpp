// JSON views of decoded packets and decode errors, with every field named after the
// specification in snake_case (the format `mqtt-harness decode` prints, one object a line).
#pragma once

#include <boost/json/object.hpp>
#include <span>
#include <string>

#include "harness/codec/error.hpp"
#include "harness/codec/packets.hpp"

namespace harness::packet_json {

/// The packet as a JSON object. `version` decides how reason codes are shown: before 5.0 the
/// CONNACK field is the 3.1.1 return code.
boost::json::object to_json(const codec::packet& p, codec::protocol_version version);

/// {"error": ..., "offset": ..., "reason_code": ..., "reason": ..., "message": ...}
boost::json::object to_json(const codec::decode_error& error);

/// Lower-case hex of the bytes, no separators.
std::string to_hex(std::span<const std::uint8_t> bytes);

}  // namespace harness::packet_json
