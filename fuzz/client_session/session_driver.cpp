// The operations of the client_session fuzz script (listed in session_driver.hpp): server bytes,
// time, API calls, connection loss, output written, and server packets built to fit the
// session's state (so that acknowledgements carry the ids in use).
#include "session_driver.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace client_fuzz {

namespace {

using namespace std::chrono_literals;
using codec::property_id;

constexpr std::array<std::string_view, 8> topics = {
    "t/a", "t/b", "sensors/1/temp", "$SYS/x", "a", "t/a/b/c/d/e", "x/y", "t"};
constexpr std::array<std::string_view, 8> filters = {
    "t/#", "t/+", "#", "sensors/+/temp", "$share/g/t/#", "t/a", "+/+/+/+", "$SYS/#"};

client::session_options make_options(std::uint8_t o, std::uint8_t l) {
    client::session_options options;
    auto& c = options.connect;
    c.version = (o & 1) ? codec::protocol_version::v5 : codec::protocol_version::v3_1_1;
    c.clean_start = (o & 2) != 0;
    static constexpr std::array<std::uint16_t, 4> keep_alives = {0, 1, 10, 60};
    c.keep_alive = keep_alives[(o >> 2) & 3];
    c.client_id = "fuzz-client";
    if (o & 0x10)
        c.will = codec::will_message{
            "will/fuzz", {'g', 'o', 'n', 'e'}, codec::qos::at_least_once, false, {}};
    if (o & 0x20)
        options.ping_timeout = 500ms;
    if (o & 0x40) {
        c.username = "user";
        c.password = codec::binary{'p', 'w'};
    }
    options.connect_timeout = (o & 0x80) ? 1000ms : 10'000ms;
    if (c.version == codec::protocol_version::v5) {
        static constexpr std::array<std::uint32_t, 4> receive_maximum = {0, 1, 2, 65535};
        static constexpr std::array<std::uint32_t, 4> alias_maximum = {0, 1, 2, 10};
        static constexpr std::array<std::uint32_t, 4> packet_size = {0, 20, 128, 4096};
        if (l & 3)
            c.properties.add(property_id::receive_maximum, receive_maximum[l & 3]);
        if ((l >> 2) & 3)
            c.properties.add(property_id::topic_alias_maximum, alias_maximum[(l >> 2) & 3]);
        if ((l >> 4) & 3)
            c.properties.add(property_id::maximum_packet_size, packet_size[(l >> 4) & 3]);
        if (l & 0x40)
            c.properties.add(property_id::session_expiry_interval, 60u);
    }
    return options;
}

/// The first key of `m` at or after `from` (wrapping), or 0 when `m` is empty.
std::uint16_t pick(const std::map<std::uint16_t, unsigned>& m, unsigned from) {
    if (m.empty())
        return 0;
    auto it = m.begin();
    std::advance(it, from % m.size());
    return it->first;
}

}  // namespace

void fail(const std::string& what) {
    std::fprintf(stderr, "\n==client_session_fuzzer== INVARIANT BROKEN: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

session_driver::session_driver(std::uint8_t options_byte, std::uint8_t limits_byte)
    : session_(make_options(options_byte, limits_byte)),
      version_((options_byte & 1) ? codec::protocol_version::v5 : codec::protocol_version::v3_1_1),
      now_(client::time_point{} + 1h) {
    session_.start(now_);
    ++connection_;
    output_reader_.set_protocol(version_);
    add_budget(session_.output().size());
    after_operation();
}

void session_driver::run(bytes_view script) {
    std::size_t pos = 0;
    const auto next_byte = [&]() -> std::uint8_t {
        return pos < script.size() ? script[pos++] : 0;
    };
    while (pos < script.size()) {
        const std::uint8_t op = script[pos++];
        const unsigned arg = op >> 4;
        switch (op & 0x0F) {
            case 0:
            case 1:
            case 2: {
                const std::size_t n = std::min<std::size_t>(next_byte(), script.size() - pos);
                receive(script.subspan(pos, n), arg);
                pos += n;
                break;
            }
            case 3: {
                const unsigned b = next_byte();
                tick_to(now_ + (arg == 0 ? std::chrono::milliseconds(100 * b)
                                         : std::chrono::milliseconds(1000 * b * arg)));
                break;
            }
            case 4:
                if (const auto deadline = session_.next_deadline())
                    tick_to(std::max(now_, *deadline) + std::chrono::milliseconds(100 * arg));
                break;
            case 5:
                publish(arg, next_byte());
                break;
            case 6:
                subscribe(arg, next_byte());
                break;
            case 7:
                unsubscribe(arg);
                break;
            case 8:
                session_.disconnect((arg & 1)
                                        ? codec::disconnect_reason::disconnect_with_will_message
                                        : codec::disconnect_reason::normal_disconnection,
                                    {}, now_);
                add_budget(64);
                break;
            case 9:
                connection_lost((arg & 1) == 0);
                break;
            case 10:
                consume(arg);
                break;
            default:
                server_packet(arg, next_byte());
                break;
        }
        after_operation();
    }
}

void session_driver::receive(bytes_view bytes, unsigned chunk) {
    // Every received byte may be answered (PUBACK for PUBLISH, PUBREL for PUBREC...), and each
    // acknowledgement may let a queued message go out.
    add_budget(64 + 16 * bytes.size() +
               (session_.in_flight() + session_.queued() + 1) * largest_message_);
    const std::size_t step = chunk == 0 ? bytes.size() : chunk;
    for (std::size_t at = 0; at < bytes.size(); at += step)
        session_.receive(bytes.subspan(at, std::min(step, bytes.size() - at)), now_);
    if (bytes.empty())
        session_.receive(bytes, now_);
}

void session_driver::tick_to(client::time_point t) {
    now_ = t;
    add_budget(64);
    session_.tick(now_);
    if (const auto deadline = session_.next_deadline(); deadline && *deadline < now_)
        fail("next_deadline() lies in the past after tick()");
}

void session_driver::publish(unsigned arg, std::uint8_t b) {
    codec::publish message;
    message.qos = static_cast<codec::qos>(b % 3);
    message.retain = (b & 4) != 0;
    message.topic = topics[(b >> 3) & 7];
    message.payload.assign(arg == 15 ? 5000 : arg * 16, 'p');
    if (version_ == codec::protocol_version::v5 && (b & 0x40))
        message.properties.add(property_id::message_expiry_interval, 30u);
    if (version_ == codec::protocol_version::v5 && (b & 0x80))
        message.properties.add_user_property("k", "v");
    const std::size_t size = message.topic.size() + message.payload.size() + 64;
    largest_message_ = std::max(largest_message_, size);
    const auto result = session_.publish(std::move(message), now_);
    add_budget(size);
    if (result && *result != 0)
        handed_out(*result, publishes_);
}

void session_driver::subscribe(unsigned arg, std::uint8_t b) {
    std::vector<codec::subscription> subscriptions;
    const unsigned count = 1 + arg % 3;
    for (unsigned i = 0; i < count; ++i) {
        codec::subscription s;
        s.topic_filter = filters[(b + i) & 7];
        s.max_qos = static_cast<codec::qos>(((b >> 3) + i) % 3);
        if (version_ == codec::protocol_version::v5) {
            // No Local on a shared subscription is a protocol error: not asked for.
            s.no_local = (b & 0x20) != 0 && !s.topic_filter.starts_with("$share/");
            s.retain_handling = static_cast<codec::retain_handling>((b >> 7) + (i & 1));
        }
        subscriptions.push_back(std::move(s));
    }
    codec::property_list properties;
    if (version_ == codec::protocol_version::v5 && (b & 0x40))
        properties.add(property_id::subscription_identifier, 1u + arg);
    add_budget(256);
    const auto result = session_.subscribe(std::move(subscriptions), std::move(properties), now_);
    if (result) {
        handed_out(*result, subscribes_);
        subscribes_[*result] = count;
    }
}

void session_driver::unsubscribe(unsigned arg) {
    std::vector<std::string> list{std::string(filters[arg & 7])};
    if (arg & 8)
        list.emplace_back(filters[(arg + 3) & 7]);
    const auto count = static_cast<unsigned>(list.size());
    add_budget(256);
    const auto result = session_.unsubscribe(std::move(list), {}, now_);
    if (result) {
        handed_out(*result, unsubscribes_);
        unsubscribes_[*result] = count;
    }
}

void session_driver::connection_lost(bool start_again) {
    session_.connection_lost(now_);
    if (!start_again)
        return;
    session_.start(now_);
    ++connection_;
    output_reader_ = codec::frame_reader();
    output_reader_.set_protocol(version_);
    output_seen_ = 0;
    server_qos2_.clear();
    budget_ = session_.output().size();
}

void session_driver::consume(unsigned arg) {
    const std::size_t pending = session_.output().size();
    const std::size_t n = arg == 0 ? pending : std::min<std::size_t>(pending, arg * 8u);
    session_.consume_output(n);
    output_seen_ -= std::min(output_seen_, n);
    budget_ -= std::min(budget_, n);
}

void session_driver::server_packet(unsigned kind, std::uint8_t b) {
    codec::packet p;
    const bool v5 = version_ == codec::protocol_version::v5;
    switch (kind) {
        case 0:
        case 1: {  // CONNACK: b bit 0 session present, bit 1 refused, bits 2-7 5.0 properties
            codec::connack ack;
            ack.session_present = (b & 1) != 0;
            if (b & 2) {
                ack.session_present = false;
                ack.reason_code = v5 ? codec::connack_reason::not_authorized
                                     : codec::connack_reason::server_unavailable;
            }
            if (v5) {
                if (b & 0x04)
                    ack.properties.add(property_id::receive_maximum, 1u + (b >> 6));
                if (b & 0x08)
                    ack.properties.add(property_id::server_keep_alive,
                                       static_cast<std::uint32_t>(b >> 6));
                if (b & 0x10)
                    ack.properties.add(property_id::maximum_qos, (b >> 6) & 1u);
                if (b & 0x20)
                    ack.properties.add(property_id::maximum_packet_size, 16u + 32u * (b >> 6));
                if ((b & 0xC0) == 0xC0)
                    ack.properties.add(property_id::assigned_client_identifier,
                                       std::string("assigned"));
                if ((b & 0xC0) == 0x40)
                    ack.properties.add(property_id::retain_available, 0u);
            }
            p = std::move(ack);
            break;
        }
        case 2: {  // SUBACK for an id in use: b low bits the granted QoS, 0x80 failure
            codec::suback ack;
            ack.packet_id = pick(subscribes_, b >> 4);
            const unsigned count = subscribes_.empty() ? 1 : subscribes_[ack.packet_id];
            for (unsigned i = 0; i < count; ++i)
                ack.reason_codes.push_back(
                    static_cast<codec::suback_reason>((b & 8) ? 0x80 : ((b + i) & 3) % 3));
            if (ack.packet_id == 0)
                ack.packet_id = 1 + b;
            p = std::move(ack);
            break;
        }
        case 3: {
            codec::unsuback ack;
            ack.packet_id = pick(unsubscribes_, b >> 4);
            if (v5) {
                const unsigned count = unsubscribes_.empty() ? 1 : unsubscribes_[ack.packet_id];
                for (unsigned i = 0; i < count; ++i)
                    ack.reason_codes.push_back((b & 1)
                                                   ? codec::unsuback_reason::no_subscription_existed
                                                   : codec::unsuback_reason::success);
            }
            if (ack.packet_id == 0)
                ack.packet_id = 1 + b;
            p = std::move(ack);
            break;
        }
        case 4:
        case 5:
        case 6: {  // PUBACK, PUBREC, PUBCOMP for an id in use (b & 0x80: a failure code)
            const std::uint16_t id = publishes_.empty() ? 1 + b : pick(publishes_, b & 0x7F);
            const bool failure = v5 && (b & 0x80);
            if (kind == 4)
                p = codec::puback{
                    id,
                    failure ? codec::puback_reason::quota_exceeded : codec::puback_reason::success,
                    {}};
            else if (kind == 5)
                p = codec::pubrec{
                    id,
                    failure ? codec::pubrec_reason::not_authorized : codec::pubrec_reason::success,
                    {}};
            else
                p = codec::pubcomp{id,
                                   failure ? codec::pubcomp_reason::packet_identifier_not_found
                                           : codec::pubcomp_reason::success,
                                   {}};
            break;
        }
        case 7:
        case 8:
        case 9: {  // PUBLISH QoS 0, 1, 2 from the server
            codec::publish m;
            m.qos = static_cast<codec::qos>(kind - 7);
            m.topic = topics[b & 7];
            m.payload.assign(b >> 3, 'm');
            if (m.qos != codec::qos::at_most_once) {
                m.packet_id = (b & 0x80) ? server_next_id_ : server_next_id_++;  // resend: same id
                m.dup = (b & 0x80) != 0;
                if (m.qos == codec::qos::exactly_once)
                    server_qos2_.push_back(m.packet_id);
            }
            p = std::move(m);
            break;
        }
        case 10: {  // PUBREL for a QoS 2 message the server sent
            std::uint16_t id = 1 + b;
            if (!server_qos2_.empty()) {
                id = server_qos2_.front();
                server_qos2_.pop_front();
            }
            p = codec::pubrel{id, codec::pubrel_reason::success, {}};
            break;
        }
        case 11:
            p = codec::pingresp{};
            break;
        case 12: {
            codec::disconnect d;
            d.reason_code = (b & 1) ? codec::disconnect_reason::server_shutting_down
                                    : codec::disconnect_reason::session_taken_over;
            if (v5 && (b & 2))
                d.properties.add(property_id::reason_string, std::string("bye"));
            p = std::move(d);
            break;
        }
        case 13:
        case 14: {  // PUBLISH with a topic alias (b & 3), setting it (13) or using it (14)
            codec::publish m;
            m.qos = static_cast<codec::qos>((b >> 2) % 3);
            if (m.qos != codec::qos::at_most_once)
                m.packet_id = server_next_id_++;
            m.topic = kind == 13 ? std::string(topics[(b >> 4) & 7]) : std::string();
            m.properties.add(property_id::topic_alias, b & 3u);
            m.payload = {'a'};
            p = std::move(m);
            break;
        }
        default: {
            codec::auth a;
            a.reason_code = codec::auth_reason::continue_authentication;
            a.properties.add(property_id::authentication_method, std::string("m"));
            p = std::move(a);
            break;
        }
    }
    std::vector<std::uint8_t> bytes;
    if (codec::encode(p, version_, bytes))
        return;
    receive(bytes, 0);
}

}  // namespace client_fuzz
