// Internal: bounds-checked reading and two-pass writing of MQTT's primitive data types
// (integers, variable byte integers, UTF-8 strings, binary data).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "harness/codec/error.hpp"
#include "harness/codec/types.hpp"

namespace harness::codec::detail {

/// Reads fields from one packet body. The first failure is recorded in the shared error and
/// every later read fails, so decoders can chain reads and check once.
class byte_reader {
  public:
    byte_reader(std::span<const std::uint8_t> data, std::size_t base_offset, packet_type type,
                decode_error& error)
        : data_(data), base_(base_offset), type_(type), error_(&error) {}

    std::size_t remaining() const noexcept { return data_.size() - pos_; }
    std::size_t offset() const noexcept { return base_ + pos_; }
    bool ok() const noexcept { return !error_->code; }
    packet_type type() const noexcept { return type_; }

    bool u8(std::uint8_t& out, std::string_view field);
    bool u16(std::uint16_t& out, std::string_view field);
    bool u32(std::uint32_t& out, std::string_view field);
    bool varint(std::uint32_t& out, std::string_view field);
    /// A two-byte length then UTF-8 that obeys the MQTT rules.
    bool utf8(std::string& out, std::string_view field);
    /// A two-byte length then raw bytes.
    bool binary_data(binary& out, std::string_view field);
    /// Everything left.
    void rest(binary& out);
    /// A reader over the next n bytes, which this reader skips.
    bool sub_reader(std::size_t n, std::string_view field, byte_reader& out);

    /// Records an error at the current offset (or the one given); returns false.
    bool fail(codec_errc code, std::string_view field);
    bool fail_at(codec_errc code, std::string_view field, std::size_t absolute_offset);
    /// Fails with trailing_bytes unless everything was read.
    bool expect_end();

  private:
    bool need(std::size_t n, std::string_view field);

    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
    std::size_t base_;
    packet_type type_;
    decode_error* error_;
};

/// Number of bytes a variable byte integer takes.
constexpr std::size_t varint_size(std::uint32_t v) noexcept {
    return v < 128u ? 1 : v < 16'384u ? 2 : v < 2'097'152u ? 3 : 4;
}

/// First pass of encoding: counts bytes and catches values that do not fit.
class size_counter {
  public:
    void u8(std::uint8_t) noexcept { size += 1; }
    void u16(std::uint16_t) noexcept { size += 2; }
    void u32(std::uint32_t) noexcept { size += 4; }
    void varint(std::uint32_t v) noexcept {
        if (v > max_remaining_length)
            error = codec_errc::value_too_large;
        size += varint_size(v);
    }
    void utf8(std::string_view s) noexcept { prefixed(s.size()); }
    void binary_data(std::span<const std::uint8_t> b) noexcept { prefixed(b.size()); }
    void raw(std::span<const std::uint8_t> b) noexcept { size += b.size(); }
    void fail(codec_errc e) noexcept { error = e; }

    std::size_t size = 0;
    std::error_code error;

  private:
    void prefixed(std::size_t n) noexcept {
        if (n > 0xFFFF)
            error = codec_errc::value_too_large;
        size += 2 + n;
    }
};

/// Second pass: writes into memory sized by the first pass.
class byte_writer {
  public:
    explicit byte_writer(std::uint8_t* out) noexcept : p_(out) {}

    void u8(std::uint8_t v) noexcept { *p_++ = v; }
    void u16(std::uint16_t v) noexcept {
        p_[0] = static_cast<std::uint8_t>(v >> 8);
        p_[1] = static_cast<std::uint8_t>(v);
        p_ += 2;
    }
    void u32(std::uint32_t v) noexcept {
        u16(static_cast<std::uint16_t>(v >> 16));
        u16(static_cast<std::uint16_t>(v));
    }
    void varint(std::uint32_t v) noexcept {
        do {
            std::uint8_t b = v & 0x7F;
            v >>= 7;
            if (v != 0)
                b |= 0x80;
            *p_++ = b;
        } while (v != 0);
    }
    void utf8(std::string_view s) noexcept {
        u16(static_cast<std::uint16_t>(s.size()));
        copy(s.data(), s.size());
    }
    void binary_data(std::span<const std::uint8_t> b) noexcept {
        u16(static_cast<std::uint16_t>(b.size()));
        copy(b.data(), b.size());
    }
    void raw(std::span<const std::uint8_t> b) noexcept { copy(b.data(), b.size()); }
    void fail(codec_errc) noexcept {}

  private:
    void copy(const void* src, std::size_t n) noexcept {
        if (n != 0)
            std::memcpy(p_, src, n);
        p_ += n;
    }
    std::uint8_t* p_;
};

/// Writes a fixed header and a body produced by `body(writer)`, called once to count and once
/// to write. Appends to `out`; leaves it untouched on failure.
template <class Body>
std::error_code write_packet(std::uint8_t header, std::vector<std::uint8_t>& out, Body&& body) {
    size_counter counter;
    body(counter);
    if (counter.error)
        return counter.error;
    if (counter.size > max_remaining_length)
        return codec_errc::value_too_large;
    const auto length = static_cast<std::uint32_t>(counter.size);
    const std::size_t start = out.size();
    out.resize(start + 1 + varint_size(length) + length);
    byte_writer writer(out.data() + start);
    writer.u8(header);
    writer.varint(length);
    body(writer);
    return {};
}

}  // namespace harness::codec::detail
