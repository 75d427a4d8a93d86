// SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK.
#include "harness/codec/topic.hpp"
#include "packet_codecs.hpp"
#include "property_codec.hpp"

namespace harness::codec::detail {
namespace {

constexpr std::uint8_t option_no_local = 0x04;
constexpr std::uint8_t option_retain_as_published = 0x08;

/// Reads a topic filter and checks it against the rules of section 4.7 (and 4.8.2 in 5.0).
bool read_topic_filter(byte_reader& r, protocol_version v, std::string& out) {
    const std::size_t offset = r.offset();
    if (!r.utf8(out, "topic filter"))
        return false;
    if (validate_topic_filter(out, v == protocol_version::v5) != topic_error::none)
        return r.fail_at(codec_errc::invalid_topic_filter, "topic filter", offset);
    return true;
}

bool read_subscription(byte_reader& r, protocol_version v, subscription& out) {
    if (!read_topic_filter(r, v, out.topic_filter))
        return false;
    const std::size_t offset = r.offset();
    std::uint8_t options = 0;
    if (!r.u8(options, "subscription options"))
        return false;
    const std::uint8_t reserved = v == protocol_version::v5 ? 0xC0 : 0xFC;
    if ((options & reserved) != 0) {
        return r.fail_at(codec_errc::invalid_subscription_options, "subscription options", offset);
    }
    if ((options & 0x03) == 3) {
        // Reserved bits before 5.0 ([MQTT-3-8.3-4]); a Protocol Error in 5.0 (3.8.3.1).
        const auto code = v == protocol_version::v5 ? codec_errc::invalid_subscription_qos
                                                    : codec_errc::invalid_subscription_options;
        return r.fail_at(code, "maximum QoS", offset);
    }
    out.max_qos = static_cast<qos>(options & 0x03);
    if (v != protocol_version::v5)
        return true;
    const auto handling = static_cast<std::uint8_t>((options >> 4) & 0x03);
    if (handling == 3)
        return r.fail_at(codec_errc::invalid_retain_handling, "retain handling", offset);
    out.retain_handling = static_cast<retain_handling>(handling);
    out.no_local = (options & option_no_local) != 0;
    out.retain_as_published = (options & option_retain_as_published) != 0;
    if (out.no_local && parse_shared_subscription(out.topic_filter)) {
        return r.fail_at(codec_errc::no_local_on_shared_subscription, "subscription options",
                         offset);
    }
    return true;
}

std::uint8_t options_byte(const subscription& s, protocol_version v) {
    auto options = static_cast<std::uint8_t>(s.max_qos);
    if (v == protocol_version::v5) {
        if (s.no_local)
            options |= option_no_local;
        if (s.retain_as_published)
            options |= option_retain_as_published;
        options |= static_cast<std::uint8_t>(static_cast<std::uint8_t>(s.retain_handling) << 4);
    }
    return options;
}

/// Reads one reason code per remaining byte, each checked against its table.
template <class Code, class Valid>
bool read_codes(byte_reader& r, std::vector<Code>& out, Valid valid) {
    if (r.remaining() == 0)
        return r.fail(codec_errc::empty_subscription_list, "reason codes");
    out.reserve(r.remaining());
    while (r.remaining() > 0) {
        const std::size_t offset = r.offset();
        std::uint8_t code = 0;
        r.u8(code, "reason code");
        if (!valid(code))
            return r.fail_at(codec_errc::invalid_reason_code, "reason code", offset);
        out.push_back(static_cast<Code>(code));
    }
    return true;
}

}  // namespace

bool decode_subscribe(byte_reader& r, protocol_version v, subscribe& out) {
    if (!read_packet_id(r, out.packet_id))
        return false;
    if (v == protocol_version::v5 &&
        !read_properties(r, property_context::subscribe, out.properties)) {
        return false;
    }
    if (r.remaining() == 0)
        return r.fail(codec_errc::empty_subscription_list, "payload");
    while (r.ok() && r.remaining() > 0) {
        if (!read_subscription(r, v, out.subscriptions.emplace_back()))
            return false;
    }
    return r.ok();
}

std::error_code encode_subscribe(const subscribe& p, protocol_version v,
                                 std::vector<std::uint8_t>& out) {
    return write_packet(0x82, out, [&](auto& w) {
        w.u16(p.packet_id);
        if (v == protocol_version::v5)
            write_properties(p.properties, w);
        for (const auto& s : p.subscriptions) {
            w.utf8(s.topic_filter);
            w.u8(options_byte(s, v));
        }
    });
}

bool decode_suback(byte_reader& r, protocol_version v, suback& out) {
    if (!read_packet_id(r, out.packet_id))
        return false;
    if (v == protocol_version::v5) {
        if (!read_properties(r, property_context::suback, out.properties))
            return false;
        return read_codes(r, out.reason_codes,
                          [](std::uint8_t c) { return is_valid(static_cast<suback_reason>(c)); });
    }
    return read_codes(r, out.reason_codes,
                      [](std::uint8_t c) { return is_valid(static_cast<suback_return_code>(c)); });
}

std::error_code encode_suback(const suback& p, protocol_version v, std::vector<std::uint8_t>& out) {
    const bool v5 = v == protocol_version::v5;
    return write_packet(0x90, out, [&](auto& w) {
        w.u16(p.packet_id);
        if (v5)
            write_properties(p.properties, w);
        for (auto code : p.reason_codes) {
            auto byte = static_cast<std::uint8_t>(code);
            if (!v5 && byte > 2)
                byte = 0x80;  // 3.1.1 knows one failure code
            w.u8(byte);
        }
    });
}

bool decode_unsubscribe(byte_reader& r, protocol_version v, unsubscribe& out) {
    if (!read_packet_id(r, out.packet_id))
        return false;
    if (v == protocol_version::v5 &&
        !read_properties(r, property_context::unsubscribe, out.properties)) {
        return false;
    }
    if (r.remaining() == 0)
        return r.fail(codec_errc::empty_subscription_list, "payload");
    while (r.ok() && r.remaining() > 0) {
        if (!read_topic_filter(r, v, out.topic_filters.emplace_back()))
            return false;
    }
    return r.ok();
}

std::error_code encode_unsubscribe(const unsubscribe& p, protocol_version v,
                                   std::vector<std::uint8_t>& out) {
    return write_packet(0xA2, out, [&](auto& w) {
        w.u16(p.packet_id);
        if (v == protocol_version::v5)
            write_properties(p.properties, w);
        for (const auto& filter : p.topic_filters)
            w.utf8(filter);
    });
}

bool decode_unsuback(byte_reader& r, protocol_version v, unsuback& out) {
    if (!read_packet_id(r, out.packet_id))
        return false;
    if (v != protocol_version::v5)
        return r.expect_end();
    if (!read_properties(r, property_context::unsuback, out.properties))
        return false;
    return read_codes(r, out.reason_codes,
                      [](std::uint8_t c) { return is_valid(static_cast<unsuback_reason>(c)); });
}

std::error_code encode_unsuback(const unsuback& p, protocol_version v,
                                std::vector<std::uint8_t>& out) {
    return write_packet(0xB0, out, [&](auto& w) {
        w.u16(p.packet_id);
        if (v != protocol_version::v5)
            return;
        write_properties(p.properties, w);
        for (auto code : p.reason_codes)
            w.u8(static_cast<std::uint8_t>(code));
    });
}

}  // namespace harness::codec::detail
