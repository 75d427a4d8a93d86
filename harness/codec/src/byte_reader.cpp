// Bounds-checked reads of MQTT data types, recording the first error with field and offset.
#include <charconv>
#include <iterator>
#include <string>
#include <string_view>

#include "harness/codec/utf8.hpp"
#include "wire.hpp"

namespace harness::codec::detail {

bool byte_reader::fail_at(codec_errc code, std::string_view field, std::size_t absolute_offset) {
    if (error_->code)
        return false;
    error_->code = code;
    error_->offset = absolute_offset;
    // Built in one allocation: malformed input is the common case under a fuzzer or an attack.
    char digits[24];
    const auto printed = std::to_chars(std::begin(digits), std::end(digits), absolute_offset);
    const std::string_view offset_text(digits, static_cast<std::size_t>(printed.ptr - digits));
    const std::string_view type_text = to_string(type_);
    const std::string_view what = describe(code);
    constexpr std::string_view at = " at offset ";
    std::string& message = error_->message;
    message.clear();
    message.reserve(type_text.size() + 1 + field.size() + at.size() + offset_text.size() + 2 +
                    what.size());
    message.append(type_text).append(1, ' ').append(field).append(at).append(offset_text);
    message.append(": ").append(what);
    return false;
}

bool byte_reader::fail(codec_errc code, std::string_view field) {
    return fail_at(code, field, offset());
}

bool byte_reader::need(std::size_t n, std::string_view field) {
    if (!ok())
        return false;
    if (remaining() < n)
        return fail(codec_errc::truncated, field);
    return true;
}

bool byte_reader::u8(std::uint8_t& out, std::string_view field) {
    if (!need(1, field))
        return false;
    out = data_[pos_++];
    return true;
}

bool byte_reader::u16(std::uint16_t& out, std::string_view field) {
    if (!need(2, field))
        return false;
    out = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return true;
}

bool byte_reader::u32(std::uint32_t& out, std::string_view field) {
    if (!need(4, field))
        return false;
    out = (std::uint32_t{data_[pos_]} << 24) | (std::uint32_t{data_[pos_ + 1]} << 16) |
          (std::uint32_t{data_[pos_ + 2]} << 8) | std::uint32_t{data_[pos_ + 3]};
    pos_ += 4;
    return true;
}

bool byte_reader::varint(std::uint32_t& out, std::string_view field) {
    const std::size_t start = offset();
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
        std::uint8_t b = 0;
        if (!u8(b, field))
            return false;
        value |= std::uint32_t{b & 0x7Fu} << (7 * i);
        if ((b & 0x80) == 0) {
            if (i > 0 && b == 0)
                return fail_at(codec_errc::non_minimal_varint, field, start);
            out = value;
            return true;
        }
    }
    return fail_at(codec_errc::remaining_length_too_long, field, start);
}

bool byte_reader::utf8(std::string& out, std::string_view field) {
    std::uint16_t length = 0;
    if (!u16(length, field))
        return false;
    if (!need(length, field))
        return false;
    const auto* text = reinterpret_cast<const char*>(data_.data() + pos_);
    const utf8_check check = check_mqtt_utf8({text, length});
    if (!check)
        return fail_at(check.error, field, offset() + check.offset);
    out.assign(text, length);
    pos_ += length;
    return true;
}

bool byte_reader::binary_data(binary& out, std::string_view field) {
    std::uint16_t length = 0;
    if (!u16(length, field))
        return false;
    if (!need(length, field))
        return false;
    out.assign(data_.begin() + static_cast<std::ptrdiff_t>(pos_),
               data_.begin() + static_cast<std::ptrdiff_t>(pos_ + length));
    pos_ += length;
    return true;
}

void byte_reader::rest(binary& out) {
    out.assign(data_.begin() + static_cast<std::ptrdiff_t>(pos_), data_.end());
    pos_ = data_.size();
}

bool byte_reader::sub_reader(std::size_t n, std::string_view field, byte_reader& out) {
    if (!need(n, field))
        return false;
    out = byte_reader(data_.subspan(pos_, n), offset(), type_, *error_);
    pos_ += n;
    return true;
}

bool byte_reader::expect_end() {
    if (!ok())
        return false;
    if (remaining() != 0)
        return fail(codec_errc::trailing_bytes, "end of packet");
    return true;
}

}  // namespace harness::codec::detail
