// Model-level mutations of one decoded MQTT packet for the codec_decode custom mutator: each call
// changes one field to a nearby, boundary or deliberately invalid value, so that re-encoding
// gives well-framed packets that reach deep into the decoder's checks.
#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "harness/codec/properties.hpp"
#include "packet_mutator.hpp"

namespace codec_fuzz {

namespace {

using codec::property_id;

constexpr std::array<std::string_view, 22> topic_samples = {
    "",      "a",          "#",          "+",           "a/b",         "a/+/c",
    "a/#",   "/",          "//",         "a//b",        "$SYS/broker", "$SYS/#",
    "+/+",   "$share/g/a", "$share/g/#", "$share//a",   "$share/g",    "$share/g+/a",
    "a/#/b", "a+/b",       "t\xff",      "\xed\xa0\x80"};

constexpr std::array<std::uint32_t, 14> integer_samples = {
    0, 1, 2, 3, 127, 128, 255, 256, 16383, 16384, 65535, 65536, 268435455, 0xFFFFFFFFu};

std::uint16_t mutate_id(std::uint16_t id, random_source& rng) {
    switch (rng.below(6)) {
        case 0:
            return 0;
        case 1:
            return 65535;
        case 2:
            return 1;
        case 3:
            return static_cast<std::uint16_t>(id + 1);
        case 4:
            return static_cast<std::uint16_t>(id ^ (1u << rng.below(16)));
        default:
            return static_cast<std::uint16_t>(rng.next());
    }
}

codec::qos mutate_qos(random_source& rng) {
    return static_cast<codec::qos>(rng.below(8) == 0 ? 3 : rng.below(3));  // 3 is invalid
}

void mutate_string(std::string& s, bool topic, random_source& rng) {
    switch (rng.below(topic ? 9 : 7)) {
        case 0:
            s.clear();
            break;
        case 1:  // long
            s.assign(1 + rng.below(rng.one_in(8) ? 66000 : 300),
                     static_cast<char>('a' + rng.below(26)));
            break;
        case 2:  // one byte changed, possibly to NUL or a UTF-8 lead byte
            if (s.empty())
                s.push_back('x');
            s[rng.below(static_cast<std::uint32_t>(s.size()))] =
                static_cast<char>(rng.one_in(3)   ? 0
                                  : rng.one_in(2) ? 0xC3
                                                  : rng.next());
            break;
        case 3:  // truncated
            s.resize(rng.below(static_cast<std::uint32_t>(s.size() + 1)));
            break;
        case 4:  // appended
            s.append(rng.one_in(2) ? "/" : "\xc3\xa9");
            break;
        case 5:
            s.append(s.substr(0, 64));
            break;
        case 6:
            s.assign(topic_samples[rng.below(topic_samples.size())]);
            break;
        case 7: {  // deep
            s.clear();
            const std::uint32_t levels = 1 + rng.below(rng.one_in(4) ? 2000 : 40);
            for (std::uint32_t i = 0; i < levels; ++i)
                s.append(i == 0 ? "l" : "/l");
            break;
        }
        default:  // a wildcard level
            s.append(rng.one_in(2) ? "/+" : "/#");
            break;
    }
}

void mutate_binary(codec::binary& b, random_source& rng) {
    switch (rng.below(4)) {
        case 0:
            b.clear();
            break;
        case 1:
            b.resize(rng.below(rng.one_in(8) ? 70000 : 200), static_cast<std::uint8_t>(rng.next()));
            break;
        case 2:
            if (!b.empty())
                b[rng.below(static_cast<std::uint32_t>(b.size()))] =
                    static_cast<std::uint8_t>(rng.next());
            break;
        default:
            b.insert(b.end(), b.begin(), b.begin() + static_cast<std::ptrdiff_t>(b.size() / 2));
            break;
    }
}

std::uint32_t sample_integer(codec::wire_type type, random_source& rng) {
    if (rng.one_in(3))
        return rng.next() >> rng.below(32);
    const std::uint32_t v = integer_samples[rng.below(integer_samples.size())];
    switch (type) {  // mostly values that fit, sometimes one that does not
        case codec::wire_type::byte:
            return rng.one_in(8) ? v : v & 0xFF;
        case codec::wire_type::two_byte_integer:
            return rng.one_in(8) ? v : v & 0xFFFF;
        default:
            return v;
    }
}

codec::property random_property(random_source& rng) {
    const auto table = codec::property_table();
    const auto& info = table[rng.below(static_cast<std::uint32_t>(table.size()))];
    const auto id = info.id;
    switch (info.type) {
        case codec::wire_type::utf8_string: {
            std::string s(topic_samples[rng.below(topic_samples.size())]);
            if (rng.one_in(4))
                mutate_string(s, true, rng);
            return {id, std::in_place_index<1>, std::move(s)};
        }
        case codec::wire_type::binary_data: {
            codec::binary b(rng.below(8), 0x5A);
            if (rng.one_in(4))
                mutate_binary(b, rng);
            return {id, std::in_place_index<2>, std::move(b)};
        }
        case codec::wire_type::utf8_string_pair: {
            codec::string_pair pair{std::string(topic_samples[rng.below(topic_samples.size())]),
                                    std::string(topic_samples[rng.below(topic_samples.size())])};
            return {id, std::in_place_index<3>, std::move(pair)};
        }
        default:
            return {id, std::in_place_index<0>, sample_integer(info.type, rng)};
    }
}

void mutate_properties(codec::property_list& list, random_source& rng) {
    std::vector<codec::property> items = list.items();
    switch (rng.below(items.empty() ? 2 : 6)) {
        case 0:
        case 1:  // add, at the end or in front
            if (rng.one_in(3)) {
                items.emplace_back(property_id::user_property, std::in_place_index<3>,
                                   codec::string_pair{"k", rng.one_in(2) ? "" : "v"});
            } else if (rng.one_in(2)) {
                items.push_back(random_property(rng));
            } else {
                items.insert(items.begin(), random_property(rng));
            }
            break;
        case 2:  // remove one
            items.erase(items.begin() + rng.below(static_cast<std::uint32_t>(items.size())));
            break;
        case 3:  // duplicate one
            items.push_back(items[rng.below(static_cast<std::uint32_t>(items.size()))]);
            break;
        case 4: {  // change a value
            auto& p = items[rng.below(static_cast<std::uint32_t>(items.size()))];
            if (auto* n = std::get_if<std::uint32_t>(&p.value)) {
                const auto* info = codec::find_property_info(static_cast<std::uint8_t>(p.id));
                *n = sample_integer(info ? info->type : codec::wire_type::four_byte_integer, rng);
            } else if (auto* s = std::get_if<std::string>(&p.value)) {
                mutate_string(*s, true, rng);
            } else if (auto* b = std::get_if<codec::binary>(&p.value)) {
                mutate_binary(*b, rng);
            } else if (auto* pair = std::get_if<codec::string_pair>(&p.value)) {
                mutate_string(rng.one_in(2) ? pair->first : pair->second, false, rng);
            }
            break;
        }
        default:
            items.clear();
            break;
    }
    list.clear();
    for (auto& p : items)
        list.push_back(std::move(p));
}

template <class Enum>
Enum mutate_reason(random_source& rng) {
    static constexpr std::array<std::uint8_t, 12> samples = {0x00, 0x01, 0x02, 0x04, 0x10, 0x11,
                                                             0x80, 0x83, 0x87, 0x8F, 0x91, 0x97};
    return static_cast<Enum>(rng.one_in(4) ? rng.next() : samples[rng.below(samples.size())]);
}

void mutate_will(codec::connect& c, random_source& rng) {
    if (!c.will || rng.one_in(6)) {
        if (c.will && rng.one_in(2)) {
            c.will.reset();
            return;
        }
        c.will = codec::will_message{"will/t", {'w'}, codec::qos::at_least_once, false, {}};
    }
    auto& w = *c.will;
    switch (rng.below(5)) {
        case 0:
            mutate_string(w.topic, true, rng);
            break;
        case 1:
            mutate_binary(w.payload, rng);
            break;
        case 2:
            w.qos = mutate_qos(rng);
            break;
        case 3:
            w.retain = !w.retain;
            break;
        default:
            mutate_properties(w.properties, rng);
            break;
    }
}

void mutate_connect(codec::connect& c, random_source& rng) {
    switch (rng.below(9)) {
        case 0:
            c.version = static_cast<codec::protocol_version>(rng.one_in(8) ? rng.below(8)
                                                                           : 3 + rng.below(3));
            break;
        case 1:
            c.clean_start = !c.clean_start;
            break;
        case 2:
            c.keep_alive = rng.one_in(2) ? static_cast<std::uint16_t>(rng.below(2) * 65535)
                                         : static_cast<std::uint16_t>(rng.next());
            break;
        case 3:
            mutate_string(c.client_id, false, rng);
            break;
        case 4:
            if (c.username && rng.one_in(2))
                c.username.reset();
            else
                mutate_string(c.username.emplace(), false, rng);
            break;
        case 5:
            if (c.password && rng.one_in(2))
                c.password.reset();
            else
                mutate_binary(c.password.emplace(), rng);
            break;
        case 6:
        case 7:
            mutate_will(c, rng);
            break;
        default:
            mutate_properties(c.properties, rng);
            break;
    }
}

void mutate_subscription(codec::subscription& s, random_source& rng) {
    switch (rng.below(5)) {
        case 0:
        case 1:
            mutate_string(s.topic_filter, true, rng);
            break;
        case 2:
            s.max_qos = mutate_qos(rng);
            break;
        case 3:
            s.no_local = !s.no_local;
            s.retain_as_published = rng.one_in(2);
            break;
        default:
            s.retain_handling = static_cast<codec::retain_handling>(rng.below(4));  // 3 invalid
            break;
    }
}

template <class T>
void mutate_list(std::vector<T>& items, random_source& rng, auto&& make, auto&& mutate_one) {
    switch (rng.below(items.empty() ? 1 : 5)) {
        case 0:
            items.push_back(make());
            break;
        case 1:
            items.erase(items.begin() + rng.below(static_cast<std::uint32_t>(items.size())));
            break;
        case 2:
            items.push_back(items[rng.below(static_cast<std::uint32_t>(items.size()))]);
            break;
        default:
            mutate_one(items[rng.below(static_cast<std::uint32_t>(items.size()))]);
            break;
    }
}

void mutate_publish(codec::publish& p, random_source& rng) {
    switch (rng.below(8)) {
        case 0:
            p.packet_id = mutate_id(p.packet_id, rng);
            break;
        case 1:
            p.qos = mutate_qos(rng);
            if (p.qos != codec::qos::at_most_once && p.packet_id == 0)
                p.packet_id = 1;
            break;
        case 2:
            p.dup = !p.dup;
            break;
        case 3:
            p.retain = !p.retain;
            break;
        case 4:
        case 5:
            mutate_string(p.topic, true, rng);
            break;
        case 6:
            mutate_binary(p.payload, rng);
            break;
        default:
            if (rng.one_in(3)) {  // a topic alias, with or without the topic
                p.properties.add(property_id::topic_alias, rng.below(4));
                if (rng.one_in(2))
                    p.topic.clear();
            } else {
                mutate_properties(p.properties, rng);
            }
            break;
    }
}

/// Packets with a packet id, reason code and properties (PUBACK to PUBCOMP).
template <class Ack>
void mutate_ack(Ack& a, random_source& rng) {
    switch (rng.below(3)) {
        case 0:
            a.packet_id = mutate_id(a.packet_id, rng);
            break;
        case 1:
            a.reason_code = mutate_reason<decltype(a.reason_code)>(rng);
            break;
        default:
            mutate_properties(a.properties, rng);
            break;
    }
}

}  // namespace

void mutate_packet(codec::packet& p, codec::protocol_version version, random_source& rng) {
    (void)version;
    std::visit(
        [&](auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, codec::connect>) {
                mutate_connect(v, rng);
            } else if constexpr (std::is_same_v<T, codec::connack>) {
                if (rng.one_in(3))
                    v.session_present = !v.session_present;
                else if (rng.one_in(2))
                    v.reason_code = mutate_reason<codec::connack_reason>(rng);
                else
                    mutate_properties(v.properties, rng);
            } else if constexpr (std::is_same_v<T, codec::publish>) {
                mutate_publish(v, rng);
            } else if constexpr (std::is_same_v<T, codec::puback> ||
                                 std::is_same_v<T, codec::pubrec> ||
                                 std::is_same_v<T, codec::pubrel> ||
                                 std::is_same_v<T, codec::pubcomp>) {
                mutate_ack(v, rng);
            } else if constexpr (std::is_same_v<T, codec::subscribe>) {
                if (rng.one_in(5)) {
                    v.packet_id = mutate_id(v.packet_id, rng);
                } else if (rng.one_in(4)) {
                    mutate_properties(v.properties, rng);
                } else {
                    mutate_list(
                        v.subscriptions, rng,
                        [&] {
                            return codec::subscription{"a/+", codec::qos::at_least_once};
                        },
                        [&](codec::subscription& s) { mutate_subscription(s, rng); });
                }
            } else if constexpr (std::is_same_v<T, codec::suback> ||
                                 std::is_same_v<T, codec::unsuback>) {
                using reason = typename decltype(v.reason_codes)::value_type;
                if (rng.one_in(5)) {
                    v.packet_id = mutate_id(v.packet_id, rng);
                } else if (rng.one_in(4)) {
                    mutate_properties(v.properties, rng);
                } else {
                    mutate_list(
                        v.reason_codes, rng, [&] { return mutate_reason<reason>(rng); },
                        [&](reason& r) { r = mutate_reason<reason>(rng); });
                }
            } else if constexpr (std::is_same_v<T, codec::unsubscribe>) {
                if (rng.one_in(5)) {
                    v.packet_id = mutate_id(v.packet_id, rng);
                } else if (rng.one_in(4)) {
                    mutate_properties(v.properties, rng);
                } else {
                    mutate_list(
                        v.topic_filters, rng, [] { return std::string("a/#"); },
                        [&](std::string& s) { mutate_string(s, true, rng); });
                }
            } else if constexpr (std::is_same_v<T, codec::disconnect> ||
                                 std::is_same_v<T, codec::auth>) {
                if (rng.one_in(2))
                    v.reason_code = mutate_reason<decltype(v.reason_code)>(rng);
                else
                    mutate_properties(v.properties, rng);
            }
            // PINGREQ and PINGRESP have no fields.
        },
        p);
}

codec::packet make_packet(codec::protocol_version version, random_source& rng) {
    codec::packet p;
    switch (rng.below(15)) {
        case 0: {
            codec::connect c;
            c.version = version;
            c.client_id = "c";
            p = std::move(c);
            break;
        }
        case 1:
            p = codec::connack{};
            break;
        case 2:
        case 3: {
            codec::publish pub;
            pub.topic = "a/b";
            pub.qos = static_cast<codec::qos>(rng.below(3));
            pub.packet_id = pub.qos == codec::qos::at_most_once ? 0 : 1 + rng.below(65535);
            pub.payload = {'p'};
            p = std::move(pub);
            break;
        }
        case 4:
            p = codec::puback{static_cast<std::uint16_t>(1 + rng.below(65535)), {}, {}};
            break;
        case 5:
            p = codec::pubrec{static_cast<std::uint16_t>(1 + rng.below(65535)), {}, {}};
            break;
        case 6:
            p = codec::pubrel{static_cast<std::uint16_t>(1 + rng.below(65535)), {}, {}};
            break;
        case 7:
            p = codec::pubcomp{static_cast<std::uint16_t>(1 + rng.below(65535)), {}, {}};
            break;
        case 8:
            p = codec::subscribe{1, {}, {codec::subscription{"a/#", codec::qos::exactly_once}}};
            break;
        case 9:
            p = codec::suback{1, {}, {codec::suback_reason::granted_qos_1}};
            break;
        case 10:
            p = codec::unsubscribe{1, {}, {"a/#"}};
            break;
        case 11:
            p = codec::unsuback{1, {}, {codec::unsuback_reason::success}};
            break;
        case 12:
            p = rng.one_in(2) ? codec::packet{codec::pingreq{}} : codec::packet{codec::pingresp{}};
            break;
        case 13:
            p = codec::disconnect{};
            break;
        default: {
            codec::auth a;
            a.properties.add(property_id::authentication_method, std::string("m"));
            p = std::move(a);
            break;
        }
    }
    if (rng.one_in(2))
        mutate_packet(p, version, rng);
    return p;
}

}  // namespace codec_fuzz
