// The mutations of mutator.hpp. Model-level mutations change the step's packet and re-encode it
// (a value that no longer fits its wire type leaves the step as it was); byte-level mutations
// drop the packet, since the bytes no longer encode it.
#include "harness/netfuzz/mutator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>
#include <type_traits>
#include <variant>

#include "harness/codec/codec.hpp"
#include "harness/netfuzz/session_generator.hpp"

namespace harness::netfuzz {

namespace {

using codec::property_id;

// --- helpers -----------------------------------------------------------------------------

/// Offset of the variable header (fixed header length), or 0 when the bytes do not hold a
/// well-formed fixed header.
std::size_t fixed_header_length(const std::vector<std::uint8_t>& b) {
    for (std::size_t i = 1; i < b.size() && i <= 4; ++i)
        if ((b[i] & 0x80) == 0)
            return i + 1;
    return 0;
}

void reencode(fuzz_step& s) {
    std::vector<std::uint8_t> bytes;
    if (s.packet && !codec::encode(*s.packet, s.version, bytes)) {
        s.bytes = std::move(bytes);
        s.note = describe_packet(*s.packet);
    }
}

std::string deep_topic(fuzz_random& r) {
    std::string t = "fz";
    const auto n = r.chance(50) ? r.between(9, 40) : r.between(100, 3000);
    for (std::uint64_t i = 0; i < n; ++i)
        t += r.chance(80) ? "/a" : "/";
    return t;
}

std::string odd_topic(fuzz_random& r) {
    switch (r.below(10)) {
        case 0:
            return "";
        case 1:
            return "fz/+/x";
        case 2:
            return "fz/#";
        case 3:
            return deep_topic(r);
        case 4:
            return std::string(r.chance(50) ? 65'535 : r.between(200, 5000), 'a');
        case 5:
            return std::string("fz/\xC0\xAF", 5);  // overlong UTF-8
        case 6:
            return std::string("fz/\0x", 5);  // U+0000
        case 7:
            return "$SYS/broker/x";
        case 8:
            return "$share/g/fz/a";
        default:
            return std::string("fz/\xED\xA0\x80", 6);  // a surrogate
    }
}

std::uint32_t boundary_integer(fuzz_random& r) {
    static constexpr std::array<std::uint32_t, 9> values = {
        0, 1, 2, 127, 128, 255, 65'535, 268'435'455, 0xFFFFFFFFu};
    return values[r.below(values.size())];
}

codec::property random_property(fuzz_random& r) {
    const auto table = codec::property_table();
    const auto& info = table[r.below(table.size())];
    switch (info.type) {
        case codec::wire_type::byte:
            return {info.id, static_cast<std::uint32_t>(r.chance(50) ? r.below(3) : 255u)};
        case codec::wire_type::two_byte_integer:
            return {info.id, r.chance(50) ? static_cast<std::uint32_t>(r.below(3)) : 65'535u};
        case codec::wire_type::four_byte_integer:
        case codec::wire_type::variable_byte_integer: {
            auto v = boundary_integer(r);
            if (info.type == codec::wire_type::variable_byte_integer)
                v = std::min<std::uint32_t>(v, 268'435'455);
            return {info.id, v};
        }
        case codec::wire_type::utf8_string:
            return {info.id, odd_topic(r).substr(0, 300)};
        case codec::wire_type::binary_data:
            return {info.id, codec::binary(r.below(2) ? 0 : r.between(1, 300), 0xAB)};
        case codec::wire_type::utf8_string_pair:
            return {info.id, codec::string_pair{std::string(r.below(400), 'k'), "v"}};
    }
    return {info.id, 0u};
}

codec::property_list* properties_of(codec::packet& p) {
    return std::visit(
        [](auto& v) -> codec::property_list* {
            if constexpr (requires { v.properties; })
                return &v.properties;
            else
                return nullptr;
        },
        p);
}

std::uint16_t* packet_id_of(codec::packet& p) {
    return std::visit(
        [](auto& v) -> std::uint16_t* {
            if constexpr (requires { v.packet_id; })
                return &v.packet_id;
            else
                return nullptr;
        },
        p);
}

// --- model level ---------------------------------------------------------------------------

std::string mutate_field(fuzz_step& s, fuzz_random& r, const fuzz_case& c) {
    auto& p = *s.packet;
    std::string what;
    if (auto* pub = std::get_if<codec::publish>(&p); pub && r.chance(60)) {
        switch (r.below(5)) {
            case 0:
                pub->topic = odd_topic(r);
                what = "odd topic";
                break;
            case 1:
                pub->payload.assign(r.chance(50) ? 0 : r.between(20'000, 100'000), 0x5A);
                what = "payload size";
                break;
            case 2:
                pub->qos = static_cast<codec::qos>(r.below(3));
                if (pub->qos != codec::qos::at_most_once && pub->packet_id == 0)
                    pub->packet_id = 1;
                what = "QoS";
                break;
            case 3:
                pub->retain = !pub->retain;
                pub->dup = r.chance(50);
                what = "retain/dup";
                break;
            default:
                pub->topic.clear();
                pub->properties.add(
                    property_id::topic_alias,
                    static_cast<std::uint32_t>(r.chance(50) ? r.below(5) : 65'535u));
                what = "topic alias only";
                break;
        }
    } else if (auto* sub = std::get_if<codec::subscribe>(&p); sub && r.chance(60)) {
        switch (r.below(4)) {
            case 0:
                sub->subscriptions.clear();
                what = "no subscriptions";
                break;
            case 1:
                for (int i = 0; i < 50; ++i)
                    sub->subscriptions.push_back(
                        {fmt::format("fz/{}/#", i), codec::qos::exactly_once});
                what = "50 filters";
                break;
            default:
                if (!sub->subscriptions.empty()) {
                    auto& f = sub->subscriptions[r.below(sub->subscriptions.size())];
                    f.topic_filter = r.chance(50) ? odd_topic(r) : "fz/#/a";
                    f.no_local = r.chance(50);
                }
                what = "odd filter";
                break;
        }
    } else if (auto* con = std::get_if<codec::connect>(&p); con && r.chance(70)) {
        switch (r.below(6)) {
            case 0:
                con->client_id.assign(r.chance(50) ? 65'535 : r.between(24, 300), 'c');
                what = "long client id";
                break;
            case 1:
                con->version = static_cast<codec::protocol_version>(3 + r.below(3));
                what = "protocol level";
                break;
            case 2:
                con->keep_alive = r.chance(50) ? 0 : 65'535;
                what = "keep alive";
                break;
            case 3:
                con->password = codec::binary{'x'};
                con->username.reset();
                what = "password without user name";
                break;
            case 4:
                con->will =
                    codec::will_message{odd_topic(r), {}, codec::qos::exactly_once, true, {}};
                what = "odd will";
                break;
            default:
                con->client_id = c.steps.empty() ? "fz-0" : "fz-1";
                con->clean_start = false;
                what = "shared client id";
                break;
        }
    } else if (auto* id = packet_id_of(p); id && r.chance(70)) {
        // A boundary id, or the id of another step (duplicated ids).
        std::vector<std::uint16_t> others;
        for (const auto& o : c.steps)
            if (o.packet)
                if (auto oid = packet_id_of(const_cast<codec::packet&>(*o.packet)); oid && *oid)
                    others.push_back(*oid);
        *id = !others.empty() && r.chance(50) ? others[r.below(others.size())]
              : r.chance(50)                  ? 0
                                              : 65'535;
        what = "packet id";
    } else if (auto* props = properties_of(p)) {
        switch (r.below(4)) {
            case 0:
                props->push_back(random_property(r));
                what = "property added";
                break;
            case 1:
                if (!props->empty()) {
                    props->push_back(props->items()[r.below(props->size())]);
                    what = "property duplicated";
                } else {
                    props->add_user_property(std::string(r.between(1, 2000), 'u'), "v");
                    what = "long user property";
                }
                break;
            case 2:
                props->clear();
                what = "properties removed";
                break;
            default:
                for (int i = 0; i < 30; ++i)
                    props->add_user_property(fmt::format("k{}", i), "v");
                what = "many user properties";
                break;
        }
        s.version = codec::protocol_version::v5;  // properties need 5.0 to be written
    } else {
        return "";
    }
    const auto before = s.bytes;
    reencode(s);
    if (s.bytes == before)
        return "";
    s.note += " + " + what;
    return what;
}

// --- packet level --------------------------------------------------------------------------

codec::packet server_only_packet(fuzz_random& r) {
    switch (r.below(4)) {
        case 0:
            return codec::connack{};
        case 1:
            return codec::suback{1, {}, {codec::suback_reason::granted_qos_0}};
        case 2:
            return codec::unsuback{1, {}, {codec::unsuback_reason::success}};
        default:
            return codec::pingresp{};
    }
}

codec::protocol_version case_version(const fuzz_case& c) {
    for (const auto& s : c.steps)
        if (s.packet)
            if (const auto* con = std::get_if<codec::connect>(&*s.packet))
                return con->version;
    return codec::protocol_version::v5;
}

std::string mutate_packets(fuzz_case& c, fuzz_random& r, const mutation_limits& limits) {
    const auto at = r.below(c.steps.size() + 1);
    const auto conn =
        c.steps.empty() ? std::uint8_t{0} : c.steps[std::min(at, c.steps.size() - 1)].connection;
    const auto version = case_version(c);
    auto insert = [&](fuzz_step s) {
        s.connection = conn;
        c.steps.insert(c.steps.begin() + static_cast<std::ptrdiff_t>(std::max<std::size_t>(at, 1)),
                       std::move(s));
    };
    switch (r.below(9)) {
        case 0:
        case 1:
            insert(make_step(conn, server_only_packet(r), version));
            return "server-only packet";
        case 2:
            if (c.steps.size() < limits.max_steps && !c.steps.empty()) {
                auto copy = c.steps[r.below(c.steps.size())];
                copy.reconnect = false;
                insert(std::move(copy));
                return "duplicated packet";
            }
            return "";
        case 3:
            if (c.steps.size() > 1) {
                c.steps.erase(c.steps.begin() +
                              static_cast<std::ptrdiff_t>(r.between(1, c.steps.size() - 1)));
                return "removed packet";
            }
            return "";
        case 4:
            if (c.steps.size() > 2) {
                const auto a = r.between(1, c.steps.size() - 1),
                           b = r.between(1, c.steps.size() - 1);
                std::swap(c.steps[a], c.steps[b]);
                return "packets out of order";
            }
            return "";
        case 5: {
            codec::connect again;
            again.version = version;
            again.client_id = "fz-again";
            insert(make_step(conn, again, version));
            return "second CONNECT";
        }
        case 6: {
            // A flood: one QoS 1/2 PUBLISH many times (past any receive maximum), or many PINGREQs.
            fuzz_step s = make_step(conn, codec::pingreq{}, version);
            for (const auto& o : c.steps)
                if (o.packet && std::holds_alternative<codec::publish>(*o.packet))
                    s = o;
            s.reconnect = false;
            const auto n = std::min<std::size_t>(r.between(10, 100), limits.max_steps);
            for (std::size_t i = 0; i < n && c.steps.size() < limits.max_steps; ++i)
                insert(s);
            return "flood";
        }
        case 7: {
            codec::auth a;
            a.reason_code = r.chance(50) ? codec::auth_reason::continue_authentication
                                         : codec::auth_reason::re_authenticate;
            if (r.chance(50))
                a.properties.add(property_id::authentication_method, std::string("SCRAM-SHA-1"));
            insert(make_step(conn, a, codec::protocol_version::v5));
            return "AUTH";
        }
        default:
            if (!c.steps.empty()) {
                auto& s = c.steps[r.below(c.steps.size())];
                s.connection = static_cast<std::uint8_t>(r.below(max_connections));
                return "moved to another connection";
            }
            return "";
    }
}

// --- byte level ----------------------------------------------------------------------------

std::string mutate_bytes(fuzz_step& s, fuzz_random& r) {
    auto& b = s.bytes;
    if (b.empty())
        return "";
    const auto header = fixed_header_length(b);
    std::string what;
    switch (r.below(9)) {
        case 0:
            if (header >= 2) {
                // A remaining length that lies: longer, shorter, or five bytes long.
                b.erase(b.begin() + 1, b.begin() + static_cast<std::ptrdiff_t>(header));
                static constexpr std::array<std::array<std::uint8_t, 5>, 5> lies = {
                    {{0x00, 0, 0, 0, 0},
                     {0x7F, 0, 0, 0, 0},
                     {0xFF, 0x7F, 0, 0, 0},
                     {0xFF, 0xFF, 0xFF, 0x7F, 0},
                     {0xFF, 0xFF, 0xFF, 0xFF, 0x7F}}};
                const auto& lie = lies[r.below(lies.size())];
                const std::size_t n = lie[0] == 0 || lie[0] == 0x7F ? 1
                                      : lie[1] == 0x7F              ? 2
                                      : lie[3] == 0x7F              ? 4
                                                                    : 5;
                b.insert(b.begin() + 1, lie.begin(), lie.begin() + static_cast<std::ptrdiff_t>(n));
                what = "length lie";
            }
            break;
        case 1:
            b[0] = static_cast<std::uint8_t>((b[0] & 0xF0) | r.below(16));
            what = "header flags";
            break;
        case 2:
            b[0] = static_cast<std::uint8_t>((b[0] & 0x0F) | (r.chance(50) ? 0x00 : 0xF0));
            what = "reserved packet type";
            break;
        case 3:
            b.resize(r.below(b.size()));
            what = "truncated";
            break;
        case 4: {
            const auto i = r.below(b.size());
            b[i] ^= static_cast<std::uint8_t>(1u << r.below(8));
            what = "bit flip";
            break;
        }
        case 5:
            if (b.size() > header + 1) {
                // A string or id length at a random place set to a boundary.
                const auto i = r.between(header, b.size() - 2);
                b[i] = r.chance(50) ? 0xFF : 0x00;
                b[i + 1] = r.chance(50) ? 0xFF : 0x00;
                what = "length field boundary";
            }
            break;
        case 6: {
            const auto i = r.below(b.size() + 1);
            std::vector<std::uint8_t> junk(r.between(1, 16));
            for (auto& j : junk)
                j = static_cast<std::uint8_t>(r.next());
            b.insert(b.begin() + static_cast<std::ptrdiff_t>(i), junk.begin(), junk.end());
            what = "bytes inserted";
            break;
        }
        case 7:
            b[r.below(b.size())] = static_cast<std::uint8_t>(r.next());
            what = "byte set";
            break;
        default: {
            const auto i = r.below(b.size());
            b.erase(
                b.begin() + static_cast<std::ptrdiff_t>(i),
                b.begin() + static_cast<std::ptrdiff_t>(std::min(b.size(), i + r.between(1, 8))));
            what = "bytes removed";
            break;
        }
    }
    if (what.empty())
        return "";
    s.packet.reset();
    s.note += " + " + what;
    return what;
}

std::string splice(fuzz_case& c, fuzz_random& r, std::span<const fuzz_case> others,
                   const mutation_limits& limits) {
    if (others.empty())
        return "";
    const auto& o = others[r.below(others.size())];
    if (o.steps.empty())
        return "";
    const auto from = r.below(o.steps.size());
    const auto n = r.between(1, std::min<std::size_t>(8, o.steps.size() - from));
    const auto at = r.below(c.steps.size() + 1);
    std::vector<fuzz_step> part(o.steps.begin() + static_cast<std::ptrdiff_t>(from),
                                o.steps.begin() + static_cast<std::ptrdiff_t>(from + n));
    if (r.chance(50))
        for (auto& s : part)
            s.connection = static_cast<std::uint8_t>((s.connection + 1) % max_connections);
    c.steps.insert(c.steps.begin() + static_cast<std::ptrdiff_t>(at), part.begin(), part.end());
    if (c.steps.size() > limits.max_steps)
        c.steps.resize(limits.max_steps);
    return "spliced";
}

}  // namespace

std::string mutate(fuzz_case& c, fuzz_random& random, std::span<const fuzz_case> others,
                   const mutation_limits& limits) {
    std::string done;
    const auto rounds = random.between(1, 3);
    for (std::uint64_t i = 0; i < rounds; ++i) {
        std::string what;
        const auto level = random.below(100);
        if (c.steps.empty() || level < 15) {
            what = mutate_packets(c, random, limits);
        } else if (level < 50) {
            auto& s = c.steps[random.below(c.steps.size())];
            if (s.packet)
                what = mutate_field(s, random, c);
        } else if (level < 85) {
            what = mutate_bytes(c.steps[random.below(c.steps.size())], random);
        } else if (level < 93) {
            what = splice(c, random, others, limits);
        } else {
            auto& s = c.steps[random.below(c.steps.size())];
            s.reconnect = !s.reconnect;
            what = "reconnect toggled";
        }
        if (!what.empty())
            done += (done.empty() ? "" : "; ") + what;
    }
    // Keep the case within bounds: drop steps from the end.
    if (c.steps.size() > std::max<std::size_t>(limits.max_steps, 1))
        c.steps.resize(std::max<std::size_t>(limits.max_steps, 1));
    while (c.steps.size() > 1 && c.byte_count() > limits.max_case_bytes)
        c.steps.pop_back();
    return done;
}

}  // namespace harness::netfuzz
