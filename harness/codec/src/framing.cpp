// Incremental framing of a byte stream into packets.
#include "harness/codec/framing.hpp"

#include <algorithm>
#include <string>

namespace harness::codec {
namespace {

decode_error make_error(codec_errc code, std::size_t offset, std::string_view field) {
    std::string message(field);
    message += " at offset ";
    message += std::to_string(offset);
    message += ": ";
    message += make_error_code(code).message();
    return {code, offset, std::move(message)};
}

}  // namespace

expected<std::optional<fixed_header>, decode_error> parse_fixed_header(
    std::span<const std::uint8_t> bytes, std::size_t base_offset, bool require_minimal) {
    if (bytes.size() < 2)
        return std::optional<fixed_header>{};
    fixed_header h;
    h.header = bytes[0];
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        if (1 + i >= bytes.size())
            return std::optional<fixed_header>{};
        const std::uint8_t b = bytes[1 + i];
        value |= std::uint32_t{b & 0x7Fu} << (7 * i);
        if ((b & 0x80) == 0) {
            if (require_minimal && i > 0 && b == 0) {
                return unexpected{make_error(codec_errc::non_minimal_varint, base_offset + 1,
                                             "remaining length")};
            }
            h.remaining_length = value;
            h.header_size = 2 + i;
            return std::optional<fixed_header>{h};
        }
    }
    return unexpected{
        make_error(codec_errc::remaining_length_too_long, base_offset + 1, "remaining length")};
}

void frame_reader::feed(std::span<const std::uint8_t> bytes) {
    if (read_pos_ > 0 && read_pos_ == buffer_.size()) {
        buffer_.clear();
        read_pos_ = 0;
    } else if (read_pos_ > 4096 && read_pos_ * 2 > buffer_.size()) {
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(read_pos_));
        read_pos_ = 0;
    }
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

expected<std::optional<frame>, decode_error> frame_reader::next() {
    if (failed_)
        return unexpected{*failed_};
    const std::span<const std::uint8_t> pending(buffer_.data() + read_pos_,
                                                buffer_.size() - read_pos_);
    // CONNECT carries its own protocol level: decode_body checks its length form (5.0 only).
    const bool is_connect = !pending.empty() && (pending[0] >> 4) == 1;
    auto header = parse_fixed_header(pending, consumed_, require_minimal_ && !is_connect);
    if (!header) {
        failed_ = std::make_unique<decode_error>(header.error());
        return unexpected{*failed_};
    }
    if (!*header)
        return std::optional<frame>{};
    const fixed_header& h = **header;
    const std::size_t total = h.header_size + std::size_t{h.remaining_length};
    if (total > max_packet_size_) {
        failed_ = std::make_unique<decode_error>(make_error(
            codec_errc::packet_too_large, consumed_,
            std::string(to_string(static_cast<packet_type>(h.header >> 4))) + " of " +
                std::to_string(total) + " bytes, limit " + std::to_string(max_packet_size_) + ","));
        return unexpected{*failed_};
    }
    if (pending.size() < total)
        return std::optional<frame>{};
    frame f;
    f.header = h.header;
    f.bytes = pending.first(total);
    f.body = f.bytes.subspan(h.header_size);
    f.offset = consumed_;
    f.body_offset = consumed_ + h.header_size;
    read_pos_ += total;
    consumed_ += total;
    return std::optional<frame>{f};
}

}  // namespace harness::codec
