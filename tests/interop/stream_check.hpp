// The check the interop tests apply to captured traffic: frame one direction of a connection,
// decode every packet, re-encode it and compare with the bytes on the wire. Failures are
// reported with the hex of the frame so a codec bug can be reproduced from the test log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/codec/codec.hpp"

namespace harness::interop {

/// "10 1a 00 04 4d 51 ..."
std::string to_hex(std::span<const std::uint8_t> bytes);

struct checked_packet {
    codec::packet packet;
    std::size_t offset = 0;  // stream offset of the first byte
};

struct stream_report {
    std::vector<checked_packet> packets;  // every packet that decoded
    std::vector<std::string> failures;    // one line (or a few) per problem, with hex
};

/// Frames `bytes` (one direction of one connection, at `version`), decodes each packet with
/// decode_body and re-encodes it with encode. A failure is reported for a framing error, a
/// packet that does not decode, a re-encoding that differs from the frame, and a stream that
/// ends inside a packet. `label` prefixes every failure, e.g. "connection 2 client->broker".
stream_report check_stream(std::span<const std::uint8_t> bytes, codec::protocol_version version,
                           std::string_view label);

/// True when the whole packets at the front of `bytes` include one of type `type`. Used while
/// traffic is still flowing, so a partial last packet is not an error.
bool contains_packet(std::span<const std::uint8_t> bytes, codec::packet_type type);

/// The packet's own properties (CONNECT: not the will's), or nullptr for PINGREQ/PINGRESP.
const codec::property_list* properties_of(const codec::packet& p);

}  // namespace harness::interop
