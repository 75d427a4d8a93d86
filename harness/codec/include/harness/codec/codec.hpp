// Encode and decode MQTT control packets: pure functions over bytes, no I/O.
#pragma once

#include <cstdint>
#include <span>
#include <system_error>
#include <vector>

#include "harness/codec/error.hpp"
#include "harness/codec/expected.hpp"
#include "harness/codec/framing.hpp"
#include "harness/codec/packets.hpp"

namespace harness::codec {

/// Decodes one framed packet. CONNECT carries its own protocol level; every other packet is
/// read as `version`. Offsets in errors are the frame's stream offsets.
expected<packet, decode_error> decode_body(const frame& f, protocol_version version);

/// The same, into `out`: when `out` already holds a PUBLISH and the frame is one, its topic,
/// payload and property storage are reused, so a receive loop that keeps one packet decodes
/// PUBLISH without allocating once capacities have grown. On failure `out` is unspecified.
bool decode_body(const frame& f, protocol_version version, packet& out, decode_error& error);

/// Decodes exactly one whole packet (fixed header included); extra bytes are an error.
expected<packet, decode_error> decode(std::span<const std::uint8_t> bytes,
                                      protocol_version version);

/// Appends the encoding of `p` to `out`. A CONNECT is written at its own `version`; every other
/// packet at `version`. Fails only when a value does not fit its wire type (value_too_large).
std::error_code encode(const packet& p, protocol_version version, std::vector<std::uint8_t>& out);

/// Convenience: the encoding in a new buffer (empty on failure).
std::vector<std::uint8_t> encode(const packet& p, protocol_version version);

}  // namespace harness::codec
