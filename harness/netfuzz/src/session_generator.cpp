// Builds valid sessions from the packet model: see session_generator.hpp.
#include "harness/netfuzz/session_generator.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "harness/codec/codec.hpp"

namespace harness::netfuzz {

namespace {

using codec::property_id;
using codec::protocol_version;

constexpr std::array<std::string_view, 7> levels = {"a", "b", "c", "1", "x", "", "long-level"};

struct builder {
    fuzz_random& random;
    const generator_options& options;
    protocol_version version = protocol_version::v5;
    fuzz_case out;
    std::array<bool, max_connections> open{};
    std::array<std::uint16_t, max_connections> next_id{};
    std::vector<std::pair<std::uint8_t, std::uint16_t>> pending_pubrel;  // QoS 2 sent, not released

    bool v5() const { return version == protocol_version::v5; }

    std::string topic_name() {
        std::string t = options.prefix;
        const auto n = random.between(1, 4);
        for (std::uint64_t i = 0; i < n; ++i) {
            t += '/';
            t += levels[random.below(levels.size())];
        }
        return t;
    }

    std::string topic_filter() {
        if (random.chance(2))
            return "#";  // everything, $SYS aside
        std::string f = options.prefix;
        const auto n = random.between(1, 4);
        for (std::uint64_t i = 0; i < n; ++i) {
            f += '/';
            if (i + 1 == n && random.chance(20)) {
                f += '#';
                break;
            }
            f += random.chance(25) ? std::string_view("+") : levels[random.below(levels.size())];
        }
        if (v5() && random.chance(15))
            f = fmt::format("$share/g{}/{}", random.below(2), f);
        return f;
    }

    codec::binary payload() {
        codec::binary p;
        if (random.chance(20))
            return p;
        if (random.chance(30)) {
            const auto text = fmt::format(R"({{"seq":{},"v":"{}"}})", random.below(1000), "ok");
            return {text.begin(), text.end()};
        }
        const auto size = random.chance(3) ? random.between(1000, 70'000) : random.below(64);
        p.resize(size);
        for (auto& b : p)
            b = static_cast<std::uint8_t>(random.next());
        return p;
    }

    std::uint16_t packet_id(std::uint8_t c) {
        if (++next_id[c] == 0)
            next_id[c] = 1;
        return next_id[c];
    }

    void add(std::uint8_t c, codec::packet p, bool reconnect = false) {
        auto step = make_step(c, std::move(p), version);
        step.reconnect = reconnect;
        out.steps.push_back(std::move(step));
    }

    codec::connect connect_packet(std::uint8_t c) {
        codec::connect p;
        p.version = version;
        p.clean_start = random.chance(70);
        p.keep_alive = static_cast<std::uint16_t>(random.chance(80) ? 60 : random.below(5));
        // A small pool of ids: connections of one case meet (take-over) now and then.
        if (random.chance(5) && version != protocol_version::v3_1)
            p.client_id = "";
        else
            p.client_id =
                fmt::format("{}-{}", options.prefix, random.chance(70) ? c : random.below(3));
        if (random.chance(15)) {
            p.username = "user";
            if (random.chance(80))
                p.password = codec::binary{'p', 'w'};
        }
        if (random.chance(20)) {
            codec::will_message w;
            w.topic = topic_name();
            w.payload = payload();
            w.qos = static_cast<codec::qos>(random.below(3));
            w.retain = random.chance(20);
            if (v5() && random.chance(50))
                w.properties.add(property_id::will_delay_interval,
                                 static_cast<std::uint32_t>(random.below(3)));
            p.will = std::move(w);
        }
        if (v5()) {
            if (random.chance(40))
                p.properties.add(property_id::session_expiry_interval, random.chance(50) ? 0u
                                                                       : random.chance(50)
                                                                           ? 10u
                                                                           : 0xFFFFFFFFu);
            if (random.chance(25))
                p.properties.add(property_id::receive_maximum,
                                 static_cast<std::uint32_t>(random.between(1, 65535)));
            if (random.chance(25))
                p.properties.add(property_id::topic_alias_maximum,
                                 static_cast<std::uint32_t>(random.below(11)));
            if (random.chance(15))
                p.properties.add(property_id::maximum_packet_size,
                                 static_cast<std::uint32_t>(random.between(20, 1 << 20)));
            if (random.chance(10))
                p.properties.add(property_id::request_problem_information, 0u);
            if (random.chance(10))
                p.properties.add_user_property("k", "v");
        }
        return p;
    }

    void open_connection(std::uint8_t c, bool reconnect) {
        add(c, connect_packet(c), reconnect);
        open[c] = true;
    }

    codec::publish publish_packet(std::uint8_t c) {
        codec::publish p;
        p.qos = static_cast<codec::qos>(random.below(3));
        p.retain = random.chance(15);
        p.topic = topic_name();
        if (p.qos != codec::qos::at_most_once)
            p.packet_id = packet_id(c);
        p.payload = payload();
        if (v5()) {
            if (random.chance(10))
                p.properties.add(property_id::topic_alias,
                                 static_cast<std::uint32_t>(random.between(1, 3)));
            if (random.chance(10))
                p.properties.add(property_id::message_expiry_interval,
                                 static_cast<std::uint32_t>(random.below(100)));
            if (random.chance(10)) {
                p.properties.add(property_id::payload_format_indicator, 1u);
                p.properties.add(property_id::content_type, std::string("application/json"));
            }
            if (random.chance(10)) {
                p.properties.add(property_id::response_topic, topic_name());
                p.properties.add(property_id::correlation_data, codec::binary{1, 2, 3});
            }
            if (random.chance(10))
                p.properties.add_user_property("trace", "1");
        }
        return p;
    }

    codec::subscribe subscribe_packet(std::uint8_t c) {
        codec::subscribe p;
        p.packet_id = packet_id(c);
        const auto n = random.between(1, 3);
        for (std::uint64_t i = 0; i < n; ++i) {
            codec::subscription s;
            s.topic_filter = topic_filter();
            s.max_qos = static_cast<codec::qos>(random.below(3));
            if (v5()) {
                s.no_local = random.chance(20) && s.topic_filter.rfind("$share/", 0) != 0;
                s.retain_as_published = random.chance(20);
                s.retain_handling = static_cast<codec::retain_handling>(random.below(3));
            }
            p.subscriptions.push_back(std::move(s));
        }
        if (v5() && random.chance(20))
            p.properties.add(property_id::subscription_identifier,
                             static_cast<std::uint32_t>(random.between(1, 1000)));
        return p;
    }

    void one_packet() {
        // A connection: mostly one that is open; sometimes a new one.
        std::uint8_t c = static_cast<std::uint8_t>(random.below(max_connections - 1));
        if (!open[c]) {
            if (random.chance(60))
                c = 0;
            if (!open[c]) {
                open_connection(c, false);
                return;
            }
        }
        const auto roll = random.below(100);
        if (roll < 35) {
            auto p = publish_packet(c);
            if (p.qos == codec::qos::exactly_once)
                pending_pubrel.emplace_back(c, p.packet_id);
            add(c, std::move(p));
        } else if (roll < 55) {
            add(c, subscribe_packet(c));
        } else if (roll < 63) {
            codec::unsubscribe p;
            p.packet_id = packet_id(c);
            p.topic_filters.push_back(topic_filter());
            add(c, std::move(p));
        } else if (roll < 71) {
            if (!pending_pubrel.empty()) {
                const auto [pc, id] = pending_pubrel.front();
                pending_pubrel.erase(pending_pubrel.begin());
                codec::pubrel p;
                p.packet_id = id;
                add(pc, std::move(p));
            } else {
                add(c, codec::pingreq{});
            }
        } else if (roll < 81) {
            // What a client owes for deliveries: the broker numbers them from 1.
            const auto id = static_cast<std::uint16_t>(random.between(1, 3));
            switch (random.below(3)) {
                case 0:
                    add(c, codec::puback{id, {}, {}});
                    break;
                case 1:
                    add(c, codec::pubrec{id, {}, {}});
                    break;
                default:
                    add(c, codec::pubcomp{id, {}, {}});
                    break;
            }
        } else if (roll < 88) {
            add(c, codec::pingreq{});
        } else if (roll < 94) {
            codec::disconnect p;
            if (v5() && random.chance(30))
                p.reason_code = codec::disconnect_reason::disconnect_with_will_message;
            add(c, std::move(p));
            open[c] = false;
            if (random.chance(60))
                open_connection(c, true);
        } else {
            open_connection(c, true);  // take-over of our own session, or a clean restart
        }
    }
};

protocol_version pick_version(fuzz_random& random, const generator_options& o) {
    std::vector<protocol_version> allowed;
    if (o.allow_v5)
        allowed.insert(allowed.end(), 2, protocol_version::v5);
    if (o.allow_v3_1_1)
        allowed.insert(allowed.end(), 2, protocol_version::v3_1_1);
    if (o.allow_v3_1)
        allowed.push_back(protocol_version::v3_1);
    if (allowed.empty())
        return protocol_version::v5;
    return allowed[random.below(allowed.size())];
}

}  // namespace

std::string describe_packet(const codec::packet& p) {
    const auto type = codec::to_string(codec::type_of(p));
    return std::visit(
        [&](const auto& v) -> std::string {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, codec::connect>) {
                return fmt::format("{} v{} id=\"{}\"{}{}", type, static_cast<int>(v.version),
                                   v.client_id, v.clean_start ? " clean" : "",
                                   v.will ? " will" : "");
            } else if constexpr (std::is_same_v<T, codec::publish>) {
                return fmt::format("{} q{}{}{} id={} {} ({} bytes)", type, static_cast<int>(v.qos),
                                   v.retain ? " retain" : "", v.dup ? " dup" : "", v.packet_id,
                                   v.topic.size() > 60 ? v.topic.substr(0, 60) + "..." : v.topic,
                                   v.payload.size());
            } else if constexpr (std::is_same_v<T, codec::subscribe>) {
                std::string filters;
                for (const auto& s : v.subscriptions)
                    filters += (filters.empty() ? "" : " ") + s.topic_filter.substr(0, 60);
                return fmt::format("{} id={} [{}]", type, v.packet_id, filters);
            } else if constexpr (std::is_same_v<T, codec::unsubscribe>) {
                std::string filters;
                for (const auto& f : v.topic_filters)
                    filters += (filters.empty() ? "" : " ") + f.substr(0, 60);
                return fmt::format("{} id={} [{}]", type, v.packet_id, filters);
            } else if constexpr (requires { v.packet_id; }) {
                return fmt::format("{} id={}", type, v.packet_id);
            } else {
                return std::string(type);
            }
        },
        p);
}

fuzz_step make_step(std::uint8_t connection, codec::packet p, codec::protocol_version version) {
    fuzz_step s;
    s.connection = connection;
    s.version = version;
    s.note = describe_packet(p);
    codec::encode(p, version, s.bytes);
    s.packet = std::move(p);
    return s;
}

fuzz_case generate_session(fuzz_random& random, const generator_options& options) {
    builder b{random, options, protocol_version::v5, {}, {}, {}, {}};
    b.version = pick_version(random, options);
    b.open_connection(0, false);
    const auto n = random.between(1, options.max_packets == 0 ? 1 : options.max_packets);
    for (std::uint64_t i = 0; i < n; ++i)
        b.one_packet();
    return std::move(b.out);
}

}  // namespace harness::netfuzz
