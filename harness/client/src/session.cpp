// Connection lifecycle of the client session: CONNECT/CONNACK, keep-alive, receiving and
// dispatching packets, DISCONNECT in both directions, protocol errors.
#include "harness/client/session.hpp"

#include <algorithm>

namespace harness::client {

using namespace codec;

session::session(session_options options) : options_(std::move(options)) {
    const auto& props = options_.connect.properties;
    receive_maximum_ = props.integer(property_id::receive_maximum).value_or(65535);
    topic_alias_maximum_ =
        static_cast<std::uint16_t>(props.integer(property_id::topic_alias_maximum).value_or(0));
    reader_ =
        frame_reader(props.integer(property_id::maximum_packet_size).value_or(max_packet_size));
    reader_.set_protocol(options_.connect.version);
    client_id_ = options_.connect.client_id;
}

void session::start(time_point now) {
    state_ = session_state::connecting;
    reader_ = frame_reader(reader_.max_packet_size());
    reader_.set_protocol(options_.connect.version);
    out_.clear();
    out_pos_ = 0;
    connack_.reset();
    ping_sent_.reset();
    topic_aliases_.clear();
    server_receive_maximum_ = 65535;
    server_maximum_packet_size_ = max_packet_size;
    server_maximum_qos_ = 2;
    server_retain_available_ = true;
    keep_alive_ = std::chrono::seconds(options_.connect.keep_alive);
    connect_deadline_ = now + options_.connect_timeout;
    send(options_.connect, now);
}

void session::connection_lost(time_point now) {
    (void)now;
    if (state_ == session_state::connecting || state_ == session_state::connected) {
        close_with({make_error_code(client_errc::connection_lost),
                    "the connection was lost",
                    false,
                    std::nullopt,
                    std::nullopt,
                    {}});
    }
    state_ = session_state::closed;
}

void session::consume_output(std::size_t n) noexcept {
    out_pos_ = std::min(out_pos_ + n, out_.size());
    if (out_pos_ == out_.size()) {
        out_.clear();
        out_pos_ = 0;
    }
}

event session::pop_event() {
    event e = std::move(events_.front());
    events_.pop_front();
    return e;
}

void session::send(const packet& p, time_point now) {
    encode(p, options_.connect.version, out_);
    last_sent_ = now;
}

void session::close_with(disconnected_event e) {
    state_ = session_state::closed;
    events_.emplace_back(std::move(e));
}

void session::fail(client_errc error, std::string message, std::optional<disconnect_reason> reason,
                   time_point now) {
    if (state_ == session_state::closed)
        return;
    if (reason && options_.connect.version == protocol_version::v5 &&
        state_ == session_state::connected) {
        send(codec::disconnect{*reason, {}}, now);
    }
    close_with({make_error_code(error), std::move(message), false, std::nullopt, std::nullopt, {}});
}

std::optional<time_point> session::next_deadline() const {
    if (state_ == session_state::connecting)
        return connect_deadline_;
    if (state_ != session_state::connected || keep_alive_.count() == 0)
        return std::nullopt;
    if (ping_sent_) {
        const auto timeout =
            options_.ping_timeout.count() > 0
                ? std::chrono::duration_cast<clock::duration>(options_.ping_timeout)
                : std::chrono::duration_cast<clock::duration>(keep_alive_);
        return *ping_sent_ + timeout;
    }
    return last_sent_ + keep_alive_;
}

void session::tick(time_point now) {
    const auto deadline = next_deadline();
    if (!deadline || now < *deadline)
        return;
    if (state_ == session_state::connecting) {
        fail(client_errc::connack_timeout,
             "no CONNACK within " + std::to_string(options_.connect_timeout.count()) + " ms",
             std::nullopt, now);
    } else if (ping_sent_) {
        fail(client_errc::keep_alive_timeout,
             "no PINGRESP within the keep-alive timeout: the server is not answering", std::nullopt,
             now);
    } else {
        send(pingreq{}, now);
        ping_sent_ = now;
    }
}

void session::receive(std::span<const std::uint8_t> bytes, time_point now) {
    if (state_ != session_state::connecting && state_ != session_state::connected)
        return;
    reader_.feed(bytes);
    packet p;
    decode_error error;
    while (state_ != session_state::closed) {
        auto next = reader_.next();
        if (!next) {
            const bool too_large = next.error().code == codec_errc::packet_too_large;
            fail(too_large ? client_errc::packet_too_large : client_errc::malformed_packet,
                 next.error().message, static_cast<disconnect_reason>(next.error().reason()), now);
            return;
        }
        if (!*next)
            return;
        if (!decode_body(**next, options_.connect.version, p, error)) {
            // 0x84 (an unknown protocol level) is a CONNACK code only: a Protocol Error here.
            const auto code = error.reason() == codec::reason_code::unsupported_protocol_version
                                  ? codec::reason_code::protocol_error
                                  : error.reason();
            const auto reason = static_cast<disconnect_reason>(code);
            fail(reason == disconnect_reason::malformed_packet ? client_errc::malformed_packet
                                                               : client_errc::protocol_error,
                 error.message, reason, now);
            return;
        }
        on_packet(p, now);
    }
}

void session::on_packet(packet& p, time_point now) {
    if (state_ == session_state::connecting && !std::holds_alternative<codec::connack>(p) &&
        !std::holds_alternative<codec::auth>(p)) {
        fail(client_errc::protocol_error, std::string(to_string(type_of(p))) + " before CONNACK",
             disconnect_reason::protocol_error, now);
        return;
    }
    std::visit(
        [&](auto& value) {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, codec::connack>) {
                on_connack(value, now);
            } else if constexpr (std::is_same_v<T, codec::publish>) {
                on_publish(value, now);
            } else if constexpr (std::is_same_v<T, codec::puback>) {
                on_puback(value, now);
            } else if constexpr (std::is_same_v<T, codec::pubrec>) {
                on_pubrec(value, now);
            } else if constexpr (std::is_same_v<T, codec::pubrel>) {
                on_pubrel(value, now);
            } else if constexpr (std::is_same_v<T, codec::pubcomp>) {
                on_pubcomp(value, now);
            } else if constexpr (std::is_same_v<T, codec::suback>) {
                if (pending_subscribe_.erase(value.packet_id) != 0) {
                    ids_.release(value.packet_id);
                    events_.emplace_back(subscribe_done_event{value.packet_id, value.reason_codes,
                                                              value.properties});
                }
            } else if constexpr (std::is_same_v<T, codec::unsuback>) {
                if (pending_unsubscribe_.erase(value.packet_id) != 0) {
                    ids_.release(value.packet_id);
                    events_.emplace_back(unsubscribe_done_event{value.packet_id, value.reason_codes,
                                                                value.properties});
                }
            } else if constexpr (std::is_same_v<T, codec::pingresp>) {
                ping_sent_.reset();
            } else if constexpr (std::is_same_v<T, codec::disconnect>) {
                on_disconnect(value);
            } else if constexpr (std::is_same_v<T, codec::auth>) {
                events_.emplace_back(auth_event{value});
            } else {
                fail(client_errc::protocol_error,
                     "the server sent " + std::string(to_string(type_of(p))) +
                         ", which only a client may send",
                     disconnect_reason::protocol_error, now);
            }
        },
        p);
}

void session::on_connack(const codec::connack& p, time_point now) {
    if (state_ != session_state::connecting) {
        fail(client_errc::protocol_error, "a second CONNACK", disconnect_reason::protocol_error,
             now);
        return;
    }
    if (is_failure(p.reason_code)) {
        disconnected_event e{make_error_code(client_errc::connection_refused),
                             "the server refused the connection: " +
                                 std::string(options_.connect.version == protocol_version::v5
                                                 ? to_string(p.reason_code)
                                                 : to_string(to_v3(p.reason_code))),
                             true,
                             std::nullopt,
                             p.reason_code,
                             p.properties};
        close_with(std::move(e));
        return;
    }
    if (p.session_present && options_.connect.clean_start) {
        fail(client_errc::protocol_error, "session present on a clean start",
             disconnect_reason::protocol_error, now);
        return;
    }
    state_ = session_state::connected;
    connack_ = p;
    const auto& props = p.properties;
    server_receive_maximum_ = props.integer(property_id::receive_maximum).value_or(65535);
    server_maximum_packet_size_ =
        props.integer(property_id::maximum_packet_size).value_or(max_packet_size);
    server_maximum_qos_ =
        static_cast<std::uint8_t>(props.integer(property_id::maximum_qos).value_or(2));
    server_retain_available_ = props.integer(property_id::retain_available).value_or(1) != 0;
    if (const auto keep_alive = props.integer(property_id::server_keep_alive)) {
        keep_alive_ = std::chrono::seconds(*keep_alive);
    }
    if (const auto* assigned = props.string(property_id::assigned_client_identifier)) {
        client_id_ = *assigned;
    }

    if (!p.session_present) {
        discard_session_state();
    } else {
        // Resend what was in flight, in the order it was first sent ([MQTT-4.4.0-1]).
        std::vector<outgoing*> order;
        for (auto& [id, o] : in_flight_)
            order.push_back(&o);
        std::sort(order.begin(), order.end(),
                  [](const outgoing* a, const outgoing* b) { return a->order < b->order; });
        for (auto* o : order)
            send_in_flight(*o, now);
    }
    events_.emplace_back(connected_event{p});
    pump_queue(now);
}

void session::on_disconnect(const codec::disconnect& p) {
    std::string message = "the server disconnected: " + std::string(to_string(p.reason_code));
    if (const auto* text = p.properties.string(property_id::reason_string)) {
        message += " (" + *text + ")";
    }
    close_with({make_error_code(client_errc::server_disconnected), std::move(message), true,
                p.reason_code, std::nullopt, p.properties});
}

void session::disconnect(disconnect_reason reason, property_list properties, time_point now) {
    if (state_ == session_state::connected) {
        send(codec::disconnect{reason, std::move(properties)}, now);
    }
    state_ = session_state::closed;
}

void session::send_auth(const codec::auth& packet, time_point now) {
    if (state_ == session_state::connecting || state_ == session_state::connected) {
        send(packet, now);
    }
}

}  // namespace harness::client
