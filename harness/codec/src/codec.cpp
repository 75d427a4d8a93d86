// Packet dispatch: fixed-header checks, then the decoder or encoder of the packet's family.
#include "harness/codec/codec.hpp"

#include "harness/codec/framing.hpp"
#include "packet_codecs.hpp"
#include "wire.hpp"

namespace harness::codec {
namespace {

using detail::byte_reader;

/// Flags the fixed header must carry for every type but PUBLISH ([MQTT-2.2.2-1]).
constexpr std::uint8_t required_flags(packet_type type) {
    switch (type) {
        case packet_type::pubrel:
        case packet_type::subscribe:
        case packet_type::unsubscribe:
            return 0x02;
        default:
            return 0x00;
    }
}

/// Checks the packet type against the protocol level and the fixed-header flags.
bool check_fixed_header(const frame& f, protocol_version v, byte_reader& r) {
    const auto type = f.type();
    const std::uint8_t flags = f.header & 0x0F;
    if (static_cast<std::uint8_t>(type) == 0 ||
        (type == packet_type::auth && v != protocol_version::v5)) {
        return r.fail_at(codec_errc::reserved_packet_type, "packet type", f.offset);
    }
    if (type == packet_type::publish) {
        if ((flags & 0x06) == 0x06) {
            return r.fail_at(codec_errc::invalid_qos, "fixed header flags", f.offset);
        }
        if ((flags & 0x08) != 0 && (flags & 0x06) == 0) {
            return r.fail_at(codec_errc::dup_on_qos0, "fixed header flags", f.offset);
        }
        return true;
    }
    if (v == protocol_version::v3_1 && required_flags(type) == 0x02) {
        // MQTT 3.1 sets DUP and RETAIN freely on these; only QoS 1 is required.
        if ((flags & 0x06) == 0x02)
            return true;
    } else if (flags == required_flags(type)) {
        return true;
    }
    return r.fail_at(codec_errc::invalid_fixed_header_flags, "fixed header flags", f.offset);
}

/// Decodes the body into `out`, which holds a packet of the frame's type afterwards.
bool decode_into(byte_reader& r, const frame& f, protocol_version v, packet& out) {
    using namespace detail;
    switch (f.type()) {
        case packet_type::connect:
            return decode_connect(r, out.emplace<connect>());
        case packet_type::connack:
            return decode_connack(r, v, out.emplace<connack>());
        case packet_type::publish: {
            auto* p = std::get_if<publish>(&out);
            if (p == nullptr) {
                p = &out.emplace<publish>();
            } else {  // keep the storage of topic, payload and properties
                p->packet_id = 0;
                p->properties.clear();
            }
            return decode_publish(f.header & 0x0F, r, v, *p);
        }
        case packet_type::puback:
            return decode_ack(r, v, out.emplace<puback>());
        case packet_type::pubrec:
            return decode_ack(r, v, out.emplace<pubrec>());
        case packet_type::pubrel:
            return decode_ack(r, v, out.emplace<pubrel>());
        case packet_type::pubcomp:
            return decode_ack(r, v, out.emplace<pubcomp>());
        case packet_type::subscribe:
            return decode_subscribe(r, v, out.emplace<subscribe>());
        case packet_type::suback:
            return decode_suback(r, v, out.emplace<suback>());
        case packet_type::unsubscribe:
            return decode_unsubscribe(r, v, out.emplace<unsubscribe>());
        case packet_type::unsuback:
            return decode_unsuback(r, v, out.emplace<unsuback>());
        case packet_type::pingreq:
            out.emplace<pingreq>();
            return r.expect_end();
        case packet_type::pingresp:
            out.emplace<pingresp>();
            return r.expect_end();
        case packet_type::disconnect:
            return decode_disconnect(r, v, out.emplace<disconnect>());
        case packet_type::auth:
            return decode_auth(r, out.emplace<auth>());
    }
    return r.fail_at(codec_errc::reserved_packet_type, "packet type", f.offset);
}

}  // namespace

bool decode_body(const frame& f, protocol_version v, packet& out, decode_error& error) {
    error = decode_error{};
    byte_reader r(f.body, f.body_offset, f.type(), error);
    if (!check_fixed_header(f, v, r) || !decode_into(r, f, v, out) || !r.ok())
        return false;
    // Framing leaves CONNECT's remaining length unchecked until its level is known: 5.0 demands
    // the shortest form ([MQTT-1.5.5-1]), 3.1.1 does not.
    if (const auto* c = std::get_if<connect>(&out);
        c != nullptr && c->version == protocol_version::v5 &&
        f.bytes.size() - f.body.size() !=
            1 + detail::varint_size(static_cast<std::uint32_t>(f.body.size()))) {
        return r.fail_at(codec_errc::non_minimal_varint, "remaining length", f.offset + 1);
    }
    return true;
}

expected<packet, decode_error> decode_body(const frame& f, protocol_version v) {
    decode_error error;
    expected<packet, decode_error> result{std::in_place, std::in_place_type<pingreq>};
    if (!decode_body(f, v, *result, error))
        return unexpected{std::move(error)};
    return result;
}

expected<packet, decode_error> decode(std::span<const std::uint8_t> bytes, protocol_version v) {
    const bool is_connect = !bytes.empty() && (bytes[0] >> 4) == 1;  // checked by decode_body
    auto header = parse_fixed_header(bytes, 0, v == protocol_version::v5 && !is_connect);
    if (!header)
        return unexpected{std::move(header).error()};
    const auto& fh = *header;
    if (!fh) {
        return unexpected{decode_error{codec_errc::truncated, bytes.size(),
                                       "fixed header at offset " + std::to_string(bytes.size()) +
                                           ": " +
                                           make_error_code(codec_errc::truncated).message()}};
    }
    const std::size_t total = fh->header_size + fh->remaining_length;
    if (bytes.size() != total) {
        const auto code = bytes.size() < total ? codec_errc::truncated : codec_errc::trailing_bytes;
        const std::size_t offset = std::min(bytes.size(), total);
        return unexpected{decode_error{
            code, offset,
            std::string(to_string(static_cast<packet_type>(fh->header >> 4))) + " at offset " +
                std::to_string(offset) + ": " + make_error_code(code).message()}};
    }
    frame f;
    f.header = fh->header;
    f.bytes = bytes;
    f.body = bytes.subspan(fh->header_size);
    f.body_offset = fh->header_size;
    return decode_body(f, v);
}

std::error_code encode(const packet& p, protocol_version v, std::vector<std::uint8_t>& out) {
    using namespace detail;
    return std::visit(
        [&](const auto& value) -> std::error_code {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, connect>)
                return encode_connect(value, out);
            else if constexpr (std::is_same_v<T, connack>)
                return encode_connack(value, v, out);
            else if constexpr (std::is_same_v<T, publish>)
                return encode_publish(value, v, out);
            else if constexpr (std::is_same_v<T, puback> || std::is_same_v<T, pubrec> ||
                               std::is_same_v<T, pubrel> || std::is_same_v<T, pubcomp>)
                return encode_ack(value, v, out);
            else if constexpr (std::is_same_v<T, subscribe>)
                return encode_subscribe(value, v, out);
            else if constexpr (std::is_same_v<T, suback>)
                return encode_suback(value, v, out);
            else if constexpr (std::is_same_v<T, unsubscribe>)
                return encode_unsubscribe(value, v, out);
            else if constexpr (std::is_same_v<T, unsuback>)
                return encode_unsuback(value, v, out);
            else if constexpr (std::is_same_v<T, pingreq>)
                return write_packet(0xC0, out, [](auto&) {});
            else if constexpr (std::is_same_v<T, pingresp>)
                return write_packet(0xD0, out, [](auto&) {});
            else if constexpr (std::is_same_v<T, disconnect>)
                return encode_disconnect(value, v, out);
            else
                return encode_auth(value, out);
        },
        p);
}

std::vector<std::uint8_t> encode(const packet& p, protocol_version v) {
    std::vector<std::uint8_t> out;
    if (encode(p, v, out))
        out.clear();
    return out;
}

}  // namespace harness::codec
