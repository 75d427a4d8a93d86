// DISCONNECT and AUTH; PINGREQ and PINGRESP have no body and are handled in codec.cpp.
#include "packet_codecs.hpp"
#include "property_codec.hpp"

namespace harness::codec::detail {
namespace {

/// A 5.0 body of an optional reason code then optional properties, both absent meaning 0.
template <class Code>
bool read_reason_and_properties(byte_reader& r, property_context context, Code& code,
                                property_list& properties) {
    if (r.remaining() == 0)
        return true;
    const std::size_t offset = r.offset();
    std::uint8_t byte = 0;
    if (!r.u8(byte, "reason code"))
        return false;
    code = static_cast<Code>(byte);
    if (!is_valid(code))
        return r.fail_at(codec_errc::invalid_reason_code, "reason code", offset);
    if (r.remaining() > 0 && !read_properties(r, context, properties))
        return false;
    return r.expect_end();
}

template <class Code>
std::error_code write_reason_and_properties(std::uint8_t header, Code code,
                                            const property_list& properties,
                                            std::vector<std::uint8_t>& out) {
    return write_packet(header, out, [&](auto& w) {
        if (static_cast<std::uint8_t>(code) == 0 && properties.empty())
            return;
        w.u8(static_cast<std::uint8_t>(code));
        if (!properties.empty())
            write_properties(properties, w);
    });
}

}  // namespace

bool decode_disconnect(byte_reader& r, protocol_version v, disconnect& out) {
    if (v != protocol_version::v5)
        return r.expect_end();
    return read_reason_and_properties(r, property_context::disconnect, out.reason_code,
                                      out.properties);
}

std::error_code encode_disconnect(const disconnect& p, protocol_version v,
                                  std::vector<std::uint8_t>& out) {
    if (v != protocol_version::v5)
        return write_packet(0xE0, out, [](auto&) {});
    return write_reason_and_properties(0xE0, p.reason_code, p.properties, out);
}

bool decode_auth(byte_reader& r, auth& out) {
    // Unlike DISCONNECT, AUTH has no form with a reason code but no property length (3.15.2.1).
    if (r.remaining() > 0) {
        const std::size_t offset = r.offset();
        std::uint8_t byte = 0;
        r.u8(byte, "reason code");
        out.reason_code = static_cast<auth_reason>(byte);
        if (!is_valid(out.reason_code)) {
            return r.fail_at(codec_errc::invalid_reason_code, "reason code", offset);
        }
        if (!read_properties(r, property_context::auth, out.properties))
            return false;
    }
    if (!out.properties.contains(property_id::authentication_method)) {
        return r.fail(codec_errc::missing_authentication_method, "properties");
    }
    return r.expect_end();
}

std::error_code encode_auth(const auth& p, std::vector<std::uint8_t>& out) {
    return write_packet(0xF0, out, [&](auto& w) {
        if (p.reason_code == auth_reason::success && p.properties.empty())
            return;
        w.u8(static_cast<std::uint8_t>(p.reason_code));
        write_properties(p.properties, w);
    });
}

}  // namespace harness::codec::detail
