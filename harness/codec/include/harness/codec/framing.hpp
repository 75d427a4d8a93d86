// Incremental framing: bytes arrive in any split, whole packets come out. The maximum packet
// size is checked as soon as the fixed header is complete, before any of the body is buffered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "harness/codec/error.hpp"
#include "harness/codec/expected.hpp"
#include "harness/codec/types.hpp"

namespace harness::codec {

/// One whole packet in the reader's buffer; valid until the next feed() or next().
struct frame {
    std::uint8_t header = 0;              // first byte: type and flags
    std::span<const std::uint8_t> body;   // variable header and payload
    std::span<const std::uint8_t> bytes;  // the whole packet, fixed header included
    std::size_t offset = 0;               // stream offset of the first byte
    std::size_t body_offset = 0;          // stream offset of the first body byte

    packet_type type() const noexcept { return static_cast<packet_type>(header >> 4); }
};

/// The result of parsing a fixed header from the front of a buffer.
struct fixed_header {
    std::uint8_t header = 0;
    std::uint32_t remaining_length = 0;
    std::size_t header_size = 0;  // 2 to 5 bytes
};

/// Parses a fixed header; nullopt when more bytes are needed. Errors: remaining length longer
/// than four bytes, or (with `require_minimal`, as MQTT 5.0 [MQTT-1.5.5-1] demands) not in its
/// shortest form. 3.1.1 states no such rule.
expected<std::optional<fixed_header>, decode_error> parse_fixed_header(
    std::span<const std::uint8_t> bytes, std::size_t base_offset = 0, bool require_minimal = true);

class frame_reader {
  public:
    /// `max_packet_size` bounds the whole packet (fixed header included), as MQTT 5.0 does.
    explicit frame_reader(std::uint32_t max_packet_size = codec::max_packet_size)
        : max_packet_size_(max_packet_size) {}

    /// Appends received bytes. Invalidates frames returned before.
    void feed(std::span<const std::uint8_t> bytes);

    /// The next whole packet, nullopt when more bytes are needed, or an error; after an error
    /// the stream cannot be resynchronised and the reader stays failed.
    expected<std::optional<frame>, decode_error> next();

    /// The protocol level once known (after CONNECT): before 5.0 a remaining length need not be
    /// in its shortest form.
    void set_protocol(protocol_version version) noexcept {
        require_minimal_ = version == protocol_version::v5;
    }

    /// Bytes received but not yet returned in a frame.
    std::size_t buffered() const noexcept { return buffer_.size() - read_pos_; }
    /// Stream offset of the next byte to be framed.
    std::size_t offset() const noexcept { return consumed_; }
    std::uint32_t max_packet_size() const noexcept { return max_packet_size_; }

  private:
    std::uint32_t max_packet_size_;
    std::vector<std::uint8_t> buffer_;
    std::size_t read_pos_ = 0;
    std::size_t consumed_ = 0;              // stream offset of buffer_[read_pos_]
    std::unique_ptr<decode_error> failed_;  // a pointer: a broker keeps one reader per client
    bool require_minimal_ = true;
};

}  // namespace harness::codec
