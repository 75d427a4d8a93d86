// PUBLISH and its acknowledgements PUBACK, PUBREC, PUBREL, PUBCOMP.
#include "harness/codec/topic.hpp"
#include "packet_codecs.hpp"
#include "property_codec.hpp"

namespace harness::codec::detail {
namespace {

bool check_topic_name(byte_reader& r, protocol_version v, const publish& p, std::size_t offset) {
    switch (validate_topic_name(p.topic)) {
        case topic_error::none:
            return true;
        case topic_error::empty:
            if (v == protocol_version::v5 && p.properties.contains(property_id::topic_alias)) {
                return true;
            }
            return r.fail_at(codec_errc::empty_topic_name, "topic name", offset);
        default:
            return r.fail_at(codec_errc::topic_name_has_wildcard, "topic name",
                             offset + 2 + p.topic.find_first_of("+#"));
    }
}

template <class Ack>
property_context ack_context() {
    if constexpr (std::is_same_v<Ack, puback>)
        return property_context::puback;
    if constexpr (std::is_same_v<Ack, pubrec>)
        return property_context::pubrec;
    if constexpr (std::is_same_v<Ack, pubrel>)
        return property_context::pubrel;
    return property_context::pubcomp;
}

template <class Ack>
std::uint8_t ack_header() {
    if constexpr (std::is_same_v<Ack, puback>)
        return 0x40;
    if constexpr (std::is_same_v<Ack, pubrec>)
        return 0x50;
    if constexpr (std::is_same_v<Ack, pubrel>)
        return 0x62;
    return 0x70;
}

template <class Ack>
bool decode_any_ack(byte_reader& r, protocol_version v, Ack& out) {
    if (!read_packet_id(r, out.packet_id))
        return false;
    if (v == protocol_version::v5 && r.remaining() > 0) {
        const std::size_t code_offset = r.offset();
        std::uint8_t code = 0;
        if (!r.u8(code, "reason code"))
            return false;
        out.reason_code = static_cast<decltype(out.reason_code)>(code);
        if (!is_valid(out.reason_code)) {
            return r.fail_at(codec_errc::invalid_reason_code, "reason code", code_offset);
        }
        if (r.remaining() > 0 && !read_properties(r, ack_context<Ack>(), out.properties)) {
            return false;
        }
    }
    return r.expect_end();
}

template <class Ack>
std::error_code encode_any_ack(const Ack& p, protocol_version v, std::vector<std::uint8_t>& out) {
    const bool v5 = v == protocol_version::v5;
    const bool with_code =
        v5 && (static_cast<std::uint8_t>(p.reason_code) != 0 || !p.properties.empty());
    return write_packet(ack_header<Ack>(), out, [&](auto& w) {
        w.u16(p.packet_id);
        if (!with_code)
            return;
        w.u8(static_cast<std::uint8_t>(p.reason_code));
        if (!p.properties.empty())
            write_properties(p.properties, w);
    });
}

}  // namespace

bool read_packet_id(byte_reader& r, std::uint16_t& out) {
    const std::size_t offset = r.offset();
    if (!r.u16(out, "packet identifier"))
        return false;
    if (out == 0)
        return r.fail_at(codec_errc::zero_packet_identifier, "packet identifier", offset);
    return true;
}

bool decode_publish(std::uint8_t flags, byte_reader& r, protocol_version v, publish& out) {
    out.dup = (flags & 0x08) != 0;
    out.qos = static_cast<qos>((flags >> 1) & 0x03);
    out.retain = (flags & 0x01) != 0;
    const std::size_t topic_offset = r.offset();
    if (!r.utf8(out.topic, "topic name"))
        return false;
    if (out.qos != qos::at_most_once && !read_packet_id(r, out.packet_id))
        return false;
    if (v == protocol_version::v5 &&
        !read_properties(r, property_context::publish, out.properties)) {
        return false;
    }
    if (!check_topic_name(r, v, out, topic_offset))
        return false;
    r.rest(out.payload);
    return true;
}

std::error_code encode_publish(const publish& p, protocol_version v,
                               std::vector<std::uint8_t>& out) {
    const auto header =
        static_cast<std::uint8_t>(0x30 | (p.dup ? 0x08 : 0) |
                                  (static_cast<std::uint8_t>(p.qos) << 1) | (p.retain ? 0x01 : 0));
    return write_packet(header, out, [&](auto& w) {
        w.utf8(p.topic);
        if (p.qos != qos::at_most_once)
            w.u16(p.packet_id);
        if (v == protocol_version::v5)
            write_properties(p.properties, w);
        w.raw(p.payload);
    });
}

bool decode_ack(byte_reader& r, protocol_version v, puback& out) {
    return decode_any_ack(r, v, out);
}
bool decode_ack(byte_reader& r, protocol_version v, pubrec& out) {
    return decode_any_ack(r, v, out);
}
bool decode_ack(byte_reader& r, protocol_version v, pubrel& out) {
    return decode_any_ack(r, v, out);
}
bool decode_ack(byte_reader& r, protocol_version v, pubcomp& out) {
    return decode_any_ack(r, v, out);
}

std::error_code encode_ack(const puback& p, protocol_version v, std::vector<std::uint8_t>& out) {
    return encode_any_ack(p, v, out);
}
std::error_code encode_ack(const pubrec& p, protocol_version v, std::vector<std::uint8_t>& out) {
    return encode_any_ack(p, v, out);
}
std::error_code encode_ack(const pubrel& p, protocol_version v, std::vector<std::uint8_t>& out) {
    return encode_any_ack(p, v, out);
}
std::error_code encode_ack(const pubcomp& p, protocol_version v, std::vector<std::uint8_t>& out) {
    return encode_any_ack(p, v, out);
}

}  // namespace harness::codec::detail
