// CONNECT and CONNACK for protocol levels 3, 4 and 5 (MQTT 3.1.1 sections 3.1-3.2, 5.0 3.1-3.2).
#include "harness/codec/topic.hpp"
#include "packet_codecs.hpp"
#include "property_codec.hpp"

namespace harness::codec::detail {
namespace {

constexpr std::uint8_t flag_reserved = 0x01;
constexpr std::uint8_t flag_clean_start = 0x02;
constexpr std::uint8_t flag_will = 0x04;
constexpr std::uint8_t flag_will_retain = 0x20;
constexpr std::uint8_t flag_password = 0x40;
constexpr std::uint8_t flag_username = 0x80;

bool read_version(byte_reader& r, protocol_version& out) {
    const std::size_t start = r.offset();
    std::string name;
    std::uint8_t level = 0;
    if (!r.utf8(name, "protocol name") || !r.u8(level, "protocol level"))
        return false;
    if (name == "MQIsdp" && level == 3) {
        out = protocol_version::v3_1;
    } else if (name == "MQTT" && (level == 4 || level == 5)) {
        out = static_cast<protocol_version>(level);
    } else {
        return r.fail_at(codec_errc::unsupported_protocol_version, "protocol name and level",
                         start);
    }
    return true;
}

bool check_will_topic(byte_reader& r, const std::string& topic, std::size_t offset) {
    switch (validate_topic_name(topic)) {
        case topic_error::none:
            return true;
        case topic_error::empty:
            return r.fail_at(codec_errc::empty_topic_name, "will topic", offset);
        default:
            return r.fail_at(codec_errc::topic_name_has_wildcard, "will topic",
                             offset + 2 + topic.find_first_of("+#"));
    }
}

}  // namespace

bool decode_connect(byte_reader& r, connect& out) {
    if (!read_version(r, out.version))
        return false;
    const bool v5 = out.version == protocol_version::v5;
    const std::size_t flags_offset = r.offset();
    std::uint8_t flags = 0;
    if (!r.u8(flags, "connect flags"))
        return false;
    if ((flags & flag_reserved) != 0) {
        return r.fail_at(codec_errc::connect_reserved_flag, "connect flags", flags_offset);
    }
    const bool has_will = (flags & flag_will) != 0;
    const auto will_qos = static_cast<std::uint8_t>((flags >> 3) & 0x03);
    const bool will_retain = (flags & flag_will_retain) != 0;
    if (will_qos == 3)
        return r.fail_at(codec_errc::invalid_qos, "will QoS", flags_offset);
    if (!has_will && (will_qos != 0 || will_retain)) {
        return r.fail_at(codec_errc::invalid_will_flags, "connect flags", flags_offset);
    }
    const bool has_username = (flags & flag_username) != 0;
    const bool has_password = (flags & flag_password) != 0;
    if (!v5 && has_password && !has_username) {
        return r.fail_at(codec_errc::password_without_user_name, "connect flags", flags_offset);
    }
    out.clean_start = (flags & flag_clean_start) != 0;
    if (!r.u16(out.keep_alive, "keep alive"))
        return false;
    if (v5 && !read_properties(r, property_context::connect, out.properties))
        return false;
    if (!r.utf8(out.client_id, "client identifier"))
        return false;
    if (has_will) {
        auto& will = out.will.emplace();
        will.qos = static_cast<qos>(will_qos);
        will.retain = will_retain;
        if (v5 && !read_properties(r, property_context::will, will.properties))
            return false;
        const std::size_t topic_offset = r.offset();
        if (!r.utf8(will.topic, "will topic"))
            return false;
        if (!check_will_topic(r, will.topic, topic_offset))
            return false;
        if (!r.binary_data(will.payload, "will payload"))
            return false;
    }
    if (has_username && !r.utf8(out.username.emplace(), "user name"))
        return false;
    if (has_password && !r.binary_data(out.password.emplace(), "password"))
        return false;
    return r.expect_end();
}

std::error_code encode_connect(const connect& p, std::vector<std::uint8_t>& out) {
    const bool v5 = p.version == protocol_version::v5;
    std::uint8_t flags = 0;
    if (p.clean_start)
        flags |= flag_clean_start;
    if (p.will) {
        flags |= flag_will;
        flags |= static_cast<std::uint8_t>(static_cast<std::uint8_t>(p.will->qos) << 3);
        if (p.will->retain)
            flags |= flag_will_retain;
    }
    if (p.username)
        flags |= flag_username;
    if (p.password)
        flags |= flag_password;
    return write_packet(0x10, out, [&](auto& w) {
        w.utf8(protocol_name(p.version));
        w.u8(static_cast<std::uint8_t>(p.version));
        w.u8(flags);
        w.u16(p.keep_alive);
        if (v5)
            write_properties(p.properties, w);
        w.utf8(p.client_id);
        if (p.will) {
            if (v5)
                write_properties(p.will->properties, w);
            w.utf8(p.will->topic);
            w.binary_data(p.will->payload);
        }
        if (p.username)
            w.utf8(*p.username);
        if (p.password)
            w.binary_data(*p.password);
    });
}

bool decode_connack(byte_reader& r, protocol_version v, connack& out) {
    const std::size_t flags_offset = r.offset();
    std::uint8_t flags = 0;
    std::uint8_t code = 0;
    if (!r.u8(flags, "acknowledge flags"))
        return false;
    if (v == protocol_version::v3_1)
        flags = 0;  // unused in MQTT 3.1: no session present flag, no reserved bits
    if ((flags & 0xFE) != 0) {
        return r.fail_at(codec_errc::invalid_connack_flags, "acknowledge flags", flags_offset);
    }
    const std::size_t code_offset = r.offset();
    if (!r.u8(code, v == protocol_version::v5 ? "reason code" : "return code"))
        return false;
    out.session_present = (flags & 0x01) != 0;
    if (v == protocol_version::v5) {
        out.reason_code = static_cast<connack_reason>(code);
        if (!is_valid(out.reason_code)) {
            return r.fail_at(codec_errc::invalid_reason_code, "reason code", code_offset);
        }
    } else {
        const auto rc = static_cast<connect_return_code>(code);
        if (!is_valid(rc)) {
            return r.fail_at(codec_errc::invalid_reason_code, "return code", code_offset);
        }
        out.reason_code = from_v3(rc);
    }
    if (out.session_present && is_failure(out.reason_code)) {
        return r.fail_at(codec_errc::session_present_on_failure, "acknowledge flags", flags_offset);
    }
    if (v == protocol_version::v5 &&
        !read_properties(r, property_context::connack, out.properties)) {
        return false;
    }
    return r.expect_end();
}

std::error_code encode_connack(const connack& p, protocol_version v,
                               std::vector<std::uint8_t>& out) {
    const bool v5 = v == protocol_version::v5;
    const auto code = v5 ? static_cast<std::uint8_t>(p.reason_code)
                         : static_cast<std::uint8_t>(to_v3(p.reason_code));
    return write_packet(0x20, out, [&](auto& w) {
        w.u8(p.session_present && v != protocol_version::v3_1 ? 1 : 0);
        w.u8(code);
        if (v5)
            write_properties(p.properties, w);
    });
}

}  // namespace harness::codec::detail
