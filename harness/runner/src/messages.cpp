// Message specs to PUBLISH packets.
#include "messages.hpp"
#include "harness/packet_json/json_text.hpp"

#include <fmt/format.h>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <iterator>

namespace harness::runner {

namespace {

codec::binary to_bytes(std::string_view s) {
    return codec::binary(s.begin(), s.end());
}

/// Expands templates in every string of a JSON value.
bool expand_json(scenario_context& ctx, boost::json::value& v, const scenario::position& where,
                 const scenario::template_resolver& resolve) {
    if (v.is_string()) {
        auto s = ctx.expand(std::string(v.get_string()), where, resolve);
        if (!s)
            return false;
        v = *s;
    } else if (v.is_array()) {
        for (auto& e : v.get_array())
            if (!expand_json(ctx, e, where, resolve))
                return false;
    } else if (v.is_object()) {
        for (auto& [k, e] : v.get_object())
            if (!expand_json(ctx, e, where, resolve))
                return false;
    }
    return true;
}

std::optional<codec::binary> from_hex(std::string_view digits) {
    codec::binary out;
    int high = -1;
    for (char c : digits) {
        int v;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else if (c == ' ' || c == ':' || c == '\n' || c == '\t')
            continue;
        else
            return std::nullopt;
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(high << 4 | v));
            high = -1;
        }
    }
    if (high >= 0)
        return std::nullopt;
    return out;
}

}  // namespace

std::optional<codec::binary> build_payload(scenario_context& ctx,
                                           const scenario::payload_spec& spec,
                                           const scenario::position& where,
                                           const scenario::template_resolver& resolve) {
    using kind = scenario::payload_spec::kind;
    switch (spec.form) {
        case kind::text: {
            auto s = ctx.expand(spec.text, where, resolve);
            if (!s)
                return std::nullopt;
            return to_bytes(*s);
        }
        case kind::json: {
            boost::json::value v = spec.json;
            if (!expand_json(ctx, v, where, resolve))
                return std::nullopt;
            return to_bytes(packet_json::json_text(v));
        }
        case kind::hex: {
            auto bytes = from_hex(spec.text);
            if (!bytes)
                ctx.abort(
                    make_failure(fmt::format("{}: payload hex \"{}\" is not hexadecimal digits",
                                             where.to_string(), spec.text),
                                 "publish", where.to_string()));
            return bytes;
        }
        case kind::file: {
            std::ifstream in(spec.text, std::ios::binary);
            if (!in) {
                ctx.abort(make_failure(
                    fmt::format("{}: cannot read payload file {}", where.to_string(), spec.text),
                    "publish", where.to_string()));
                return std::nullopt;
            }
            return codec::binary(std::istreambuf_iterator<char>(in), {});
        }
    }
    return codec::binary{};
}

std::optional<codec::property_list> build_properties(scenario_context& ctx,
                                                     const scenario::publish_properties_spec& spec,
                                                     const scenario::position& where,
                                                     const scenario::template_resolver& resolve) {
    codec::property_list props;
    auto text = [&](const std::optional<std::string>& raw) -> std::optional<std::string> {
        return raw ? ctx.expand(*raw, where, resolve) : std::nullopt;
    };
    if (spec.payload_format_utf8)
        props.add(codec::property_id::payload_format_indicator,
                  *spec.payload_format_utf8 ? 1u : 0u);
    if (spec.message_expiry_interval)
        props.add(codec::property_id::message_expiry_interval, *spec.message_expiry_interval);
    if (auto v = text(spec.content_type))
        props.add(codec::property_id::content_type, *v);
    if (auto v = text(spec.response_topic))
        props.add(codec::property_id::response_topic, ctx.to_wire_topic(*v));
    if (auto v = text(spec.correlation_data))
        props.add(codec::property_id::correlation_data, to_bytes(*v));
    for (const auto& [k, raw] : spec.user_properties) {
        auto v = ctx.expand(raw, where, resolve);
        if (!v)
            return std::nullopt;
        props.add_user_property(k, *v);
    }
    if (ctx.aborted)
        return std::nullopt;
    return props;
}

std::optional<codec::publish> build_publish(scenario_context& ctx,
                                            const scenario::message_spec& spec,
                                            const scenario::position& where,
                                            const scenario::template_resolver& resolve) {
    auto topic = ctx.expand(spec.topic, where, resolve);
    if (!topic)
        return std::nullopt;
    auto payload = build_payload(ctx, spec.payload, where, resolve);
    if (!payload)
        return std::nullopt;
    auto props = build_properties(ctx, spec.properties, where, resolve);
    if (!props)
        return std::nullopt;
    codec::publish p;
    p.topic = ctx.to_wire_topic(*topic);
    p.qos = static_cast<codec::qos>(spec.qos);
    p.retain = spec.retain;
    p.payload = std::move(*payload);
    p.properties = std::move(*props);
    return p;
}

}  // namespace harness::runner
