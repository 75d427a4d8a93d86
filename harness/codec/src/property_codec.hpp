// Internal: reading and writing a property list (length, then identifier/value pairs).
#pragma once

#include <type_traits>
#include <variant>

#include "harness/codec/properties.hpp"
#include "wire.hpp"

namespace harness::codec::detail {

/// Reads a property length and the properties it covers, checking each identifier against
/// the packet, values against their rules, and repeats.
bool read_properties(byte_reader& reader, property_context context, property_list& out);

/// Writes one property's value as its wire type; a value of the wrong kind fails.
template <class Writer>
void write_property_value(const property_info& info, const property_value& value, Writer& w) {
    switch (info.type) {
        case wire_type::byte:
        case wire_type::two_byte_integer:
        case wire_type::four_byte_integer:
        case wire_type::variable_byte_integer: {
            const auto* v = std::get_if<std::uint32_t>(&value);
            if (v == nullptr)
                return w.fail(codec_errc::invalid_property_value);
            if (info.type == wire_type::byte) {
                if (*v > 0xFF)
                    return w.fail(codec_errc::value_too_large);
                w.u8(static_cast<std::uint8_t>(*v));
            } else if (info.type == wire_type::two_byte_integer) {
                if (*v > 0xFFFF)
                    return w.fail(codec_errc::value_too_large);
                w.u16(static_cast<std::uint16_t>(*v));
            } else if (info.type == wire_type::four_byte_integer) {
                w.u32(*v);
            } else {
                w.varint(*v);
            }
            return;
        }
        case wire_type::utf8_string: {
            const auto* v = std::get_if<std::string>(&value);
            if (v == nullptr)
                return w.fail(codec_errc::invalid_property_value);
            return w.utf8(*v);
        }
        case wire_type::binary_data: {
            const auto* v = std::get_if<binary>(&value);
            if (v == nullptr)
                return w.fail(codec_errc::invalid_property_value);
            return w.binary_data(*v);
        }
        case wire_type::utf8_string_pair: {
            const auto* v = std::get_if<string_pair>(&value);
            if (v == nullptr)
                return w.fail(codec_errc::invalid_property_value);
            w.utf8(v->first);
            return w.utf8(v->second);
        }
    }
}

template <class Writer>
void write_property_items(const property_list& properties, Writer& w) {
    for (const auto& p : properties) {
        const property_info* info = find_property_info(static_cast<std::uint8_t>(p.id));
        if (info == nullptr)
            return w.fail(codec_errc::unknown_property);
        w.varint(static_cast<std::uint32_t>(p.id));
        write_property_value(*info, p.value, w);
    }
}

/// Writes the property length and the properties. The counting pass walks the list once; the
/// writing pass counts again (the length comes first) and then writes.
template <class Writer>
void write_properties(const property_list& properties, Writer& w) {
    if (properties.empty())
        return w.u8(0);
    size_counter counter;
    write_property_items(properties, counter);
    if (counter.error)
        return w.fail(static_cast<codec_errc>(counter.error.value()));
    w.varint(static_cast<std::uint32_t>(counter.size));
    if constexpr (std::is_same_v<Writer, size_counter>) {
        w.size += counter.size;
    } else {
        write_property_items(properties, w);
    }
}

}  // namespace harness::codec::detail
