// The header every `mqtt-harness bench` payload starts with: run id, publisher index, sequence
// number and send time, little-endian, then padding up to the requested size.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "harness/codec/types.hpp"

namespace harness::cli::bench {

struct payload_header {
    std::uint64_t run_id = 0;
    std::uint32_t publisher = 0;
    std::uint64_t sequence = 0;
    std::int64_t sent_ns = 0;  // steady_clock, nanoseconds since its epoch
};

inline constexpr std::size_t header_size = 8 + 4 + 8 + 8;

/// A payload of `size` bytes (at least header_size) with `h` at its start and zero padding.
codec::binary make_payload(const payload_header& h, std::size_t size);
/// Rewrites the header of a payload made by make_payload (no reallocation).
void write_header(const payload_header& h, std::span<std::uint8_t> payload);
/// The header, or nullopt when the payload is too short to hold one.
std::optional<payload_header> read_header(std::span<const std::uint8_t> payload);

}  // namespace harness::cli::bench
