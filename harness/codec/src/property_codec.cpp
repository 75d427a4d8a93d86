// Decoding of property lists with the checks of MQTT 5.0 section 2.2.2.2 and the value rules
// stated for each property (section 3).
#include "property_codec.hpp"

#include <cstdint>

namespace harness::codec::detail {
namespace {

bool must_not_be_zero(property_id id) {
    return id == property_id::receive_maximum || id == property_id::maximum_packet_size ||
           id == property_id::subscription_identifier;
}

bool read_value(byte_reader& r, const property_info& info, property_value& out) {
    switch (info.type) {
        case wire_type::byte: {
            std::uint8_t v = 0;
            if (!r.u8(v, info.name))
                return false;
            out = std::uint32_t{v};
            return true;
        }
        case wire_type::two_byte_integer: {
            std::uint16_t v = 0;
            if (!r.u16(v, info.name))
                return false;
            out = std::uint32_t{v};
            return true;
        }
        case wire_type::four_byte_integer: {
            std::uint32_t v = 0;
            if (!r.u32(v, info.name))
                return false;
            out = v;
            return true;
        }
        case wire_type::variable_byte_integer: {
            std::uint32_t v = 0;
            if (!r.varint(v, info.name))
                return false;
            out = v;
            return true;
        }
        case wire_type::utf8_string: {
            std::string v;
            if (!r.utf8(v, info.name))
                return false;
            out = std::move(v);
            return true;
        }
        case wire_type::binary_data: {
            binary v;
            if (!r.binary_data(v, info.name))
                return false;
            out = std::move(v);
            return true;
        }
        case wire_type::utf8_string_pair: {
            string_pair v;
            if (!r.utf8(v.first, "user_property name") ||
                !r.utf8(v.second, "user_property value")) {
                return false;
            }
            out = std::move(v);
            return true;
        }
    }
    return false;
}

}  // namespace

bool read_properties(byte_reader& reader, property_context context, property_list& out) {
    const std::size_t length_offset = reader.offset();
    std::uint32_t length = 0;
    if (!reader.varint(length, "property length"))
        return false;
    if (length == 0)
        return true;
    if (length > reader.remaining())
        return reader.fail_at(codec_errc::truncated, "property length", length_offset);
    byte_reader r = reader;
    if (!reader.sub_reader(length, "property length", r))
        return false;

    const auto context_bit = static_cast<std::uint16_t>(context);
    std::uint64_t seen = 0;
    std::size_t data_offset = 0;
    while (r.ok() && r.remaining() > 0) {
        const std::size_t start = r.offset();
        std::uint32_t raw_id = 0;
        if (!r.varint(raw_id, "property identifier"))
            return false;
        const property_info* info =
            raw_id <= 0xFF ? find_property_info(static_cast<std::uint8_t>(raw_id)) : nullptr;
        if (info == nullptr) {
            return r.fail_at(codec_errc::unknown_property, "property identifier", start);
        }
        if ((info->contexts & context_bit) == 0) {
            return r.fail_at(codec_errc::property_not_allowed, info->name, start);
        }
        const std::uint64_t bit = std::uint64_t{1} << raw_id;
        const bool repeatable =
            info->repeatable && !(info->id == property_id::subscription_identifier &&
                                  context == property_context::subscribe);
        if ((seen & bit) != 0 && !repeatable) {
            return r.fail_at(codec_errc::duplicate_property, info->name, start);
        }
        seen |= bit;
        if (info->id == property_id::authentication_data)
            data_offset = start;

        const std::size_t value_offset = r.offset();
        property p{info->id, std::uint32_t{0}};
        if (!read_value(r, *info, p.value))
            return false;
        if (const auto* v = std::get_if<std::uint32_t>(&p.value)) {
            if ((info->boolean && *v > 1) || (*v == 0 && must_not_be_zero(info->id))) {
                return r.fail_at(codec_errc::invalid_property_value, info->name, value_offset);
            }
            if (*v == 0 && info->id == property_id::topic_alias) {
                return r.fail_at(codec_errc::invalid_topic_alias, info->name, value_offset);
            }
        } else if (info->id == property_id::response_topic) {
            // A topic name: no wildcards ([MQTT-3.3.2-14]).
            const auto& topic = std::get<std::string>(p.value);
            if (const auto wildcard = topic.find_first_of("+#"); wildcard != std::string::npos) {
                return r.fail_at(codec_errc::topic_name_has_wildcard, info->name,
                                 value_offset + 2 + wildcard);
            }
        }
        out.push_back(std::move(p));
    }
    const auto data_bit = std::uint64_t{1}
                          << static_cast<unsigned>(property_id::authentication_data);
    const auto method_bit = std::uint64_t{1}
                            << static_cast<unsigned>(property_id::authentication_method);
    if ((seen & data_bit) != 0 && (seen & method_bit) == 0) {
        return reader.fail_at(codec_errc::authentication_data_without_method, "authentication_data",
                              data_offset);
    }
    return r.ok();
}

}  // namespace harness::codec::detail
