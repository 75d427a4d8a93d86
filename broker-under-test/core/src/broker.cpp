// The broker core's plumbing: connections in and out, framing and decoding, dispatch of each
// packet to its flow, output buffers, timers and the public API.
#include <string_view>

#include "broker_impl.hpp"

namespace harness::broker {

using namespace codec;

namespace {

/// How often keep-alive, CONNECT timeouts, will delays and session expiry are checked: one
/// sweep a second keeps per-packet work independent of the number of connections.
constexpr auto sweep_interval = std::chrono::seconds(1);

/// The protocol level a CONNECT body names, when it is one the broker speaks.
std::optional<protocol_version> connect_level(std::span<const std::uint8_t> body) {
    if (body.size() < 2)
        return std::nullopt;
    const std::size_t n = std::size_t{body[0]} << 8 | body[1];
    if (body.size() < 2 + n + 1)
        return std::nullopt;
    const std::string_view name(reinterpret_cast<const char*>(body.data() + 2), n);
    const auto level = body[2 + n];
    if (name == "MQIsdp" && level == 3)
        return protocol_version::v3_1;
    if (name == "MQTT" && (level == 4 || level == 5))
        return static_cast<protocol_version>(level);
    return std::nullopt;
}

}  // namespace

broker::impl::impl(broker_options o) : options(std::move(o)) {
    any_authorize = static_cast<bool>(options.access.authorize);
    for (const auto& rules : options.listener_access)
        any_authorize = any_authorize || static_cast<bool>(rules.authorize);
}

void broker::impl::note(const std::string& line) const {
    if (log)
        log(line);
}

void broker::impl::mark_ready(connection& c) {
    if (!c.ready) {
        c.ready = true;
        ready.push_back(c.id);
    }
}

namespace {

/// Removes the Reason String and User Properties of a packet other than PUBLISH; true when it
/// had any.
bool strip_diagnostics(packet& p) {
    return std::visit(
        [](auto& value) {
            if constexpr (requires { value.properties; } &&
                          !std::is_same_v<std::decay_t<decltype(value)>, publish>) {
                const bool had = value.properties.contains(property_id::reason_string) ||
                                 value.properties.contains(property_id::user_property);
                value.properties.erase(property_id::reason_string);
                value.properties.erase(property_id::user_property);
                return had;
            } else {
                return false;
            }
        },
        p);
}

}  // namespace

void broker::impl::send(connection& c, const packet& p, time_point now) {
    const auto before = c.out.size();
    if (encode(p, c.version, c.out))
        return;  // a value did not fit its wire type: a bug in the caller, nothing was sent
    if (c.out.size() - before > c.client_maximum_packet_size) {
        // [MQTT-3.1.2-25] [MQTT-3.14.2-3] and the like: the Reason String and User Properties
        // go when they would make a packet larger than the client accepts.
        packet smaller = p;
        if (strip_diagnostics(smaller)) {
            c.out.resize(before);
            if (encode(smaller, c.version, c.out))
                return;
            return send_encoded(c, smaller, before, now);
        }
    }
    send_encoded(c, p, before, now);
}

void broker::impl::send_encoded(connection& c, const packet& p, std::size_t before,
                                time_point now) {
    if (!faults.empty() && !fault_out(c, p, before, now))
        return;
    stats.bytes_sent += c.out.size() - before;
    if (observer)
        observer(c.id, direction::out, p, now);
    mark_ready(c);
}

void broker::impl::add_reason_string(const connection& c, property_list& props,
                                     const std::string& why) const {
    if (is_v5(c) && c.problem_information && !why.empty())
        props.add(property_id::reason_string, why);
}

void broker::impl::close_with(connection& c, disconnect_reason reason, std::string why,
                              time_point now) {
    if (c.state == connection::phase::closing)
        return;
    note("closing " + name_of(c) + ": " + why);
    // DISCONNECT from the server exists in 5.0 only, and only after CONNACK.
    if (is_v5(c) && c.state == connection::phase::connected) {
        disconnect d;
        d.reason_code = reason;
        add_reason_string(c, d.properties, why);
        send(c, d, now);
    }
    c.state = connection::phase::closing;
    mark_ready(c);
}

const std::string& broker::impl::client_id_of(const connection& c) {
    static const std::string none;
    const auto* s = session_of(c);
    return s ? s->client_id : none;
}

const std::string& broker::impl::name_of(const connection& c) {
    const auto& id = client_id_of(c);
    return id.empty() ? c.remote : id;
}

session_state* broker::impl::session_of(const connection& c) {
    if (c.session == 0)
        return nullptr;
    const auto it = sessions.find(c.session);
    return it == sessions.end() ? nullptr : &it->second;
}

void broker::impl::handle(connection& c, packet& p, time_point now) {
    if (c.state == connection::phase::awaiting_connect && !std::holds_alternative<connect>(p)) {
        ++stats.protocol_errors;  // [MQTT-3.1.0-1] the first packet must be CONNECT
        close_with(c, disconnect_reason::protocol_error, "first packet is not CONNECT", now);
        return;
    }
    std::visit(
        [&](auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, connect>) {
                on_connect(c, v, now);
            } else if constexpr (std::is_same_v<T, publish>) {
                on_publish(c, v, now);
            } else if constexpr (std::is_same_v<T, puback>) {
                on_puback(c, v.packet_id, now);
            } else if constexpr (std::is_same_v<T, pubrec>) {
                on_pubrec(c, v, now);
            } else if constexpr (std::is_same_v<T, pubrel>) {
                on_pubrel(c, v, now);
            } else if constexpr (std::is_same_v<T, pubcomp>) {
                on_pubcomp(c, v.packet_id, now);
            } else if constexpr (std::is_same_v<T, subscribe>) {
                on_subscribe(c, v, now);
            } else if constexpr (std::is_same_v<T, unsubscribe>) {
                on_unsubscribe(c, v, now);
            } else if constexpr (std::is_same_v<T, pingreq>) {
                send(c, pingresp{}, now);
            } else if constexpr (std::is_same_v<T, disconnect>) {
                on_disconnect(c, v, now);
            } else if constexpr (std::is_same_v<T, auth>) {
                ++stats.protocol_errors;  // no authentication method was agreed in CONNECT
                close_with(c, disconnect_reason::protocol_error,
                           "AUTH without an authentication method in CONNECT", now);
            } else {
                ++stats.protocol_errors;  // CONNACK, SUBACK, UNSUBACK, PINGRESP
                close_with(c, disconnect_reason::protocol_error,
                           "a client sent " + std::string(to_string(type_of(p))) +
                               ", which only a server sends",
                           now);
            }
        },
        p);
}

void broker::impl::end_connection(connection& c, time_point now) {
    if (c.state != connection::phase::awaiting_connect && c.session != 0) {
        --stats.clients_connected;
        detach_session(c, now);
    }
}

// --- public API -------------------------------------------------------------------------------

broker::broker(broker_options options) : impl_(std::make_unique<impl>(std::move(options))) {}
broker::~broker() = default;

connection_id broker::open(time_point now, std::string remote) {
    return open(now, connection_info{std::move(remote), 0, std::nullopt});
}

connection_id broker::open(time_point now, connection_info info) {
    auto& i = *impl_;
    const connection_id id = ++i.last_connection;
    auto [it, inserted] = i.connections.try_emplace(id);
    connection& c = it->second;
    c.id = id;
    c.remote = std::move(info.remote);
    c.listener = info.listener;
    if (info.certificate_identity)
        c.certificate_identity =
            std::make_unique<std::string>(std::move(*info.certificate_identity));
    if (i.options.maximum_packet_size != 0)
        c.reader = frame_reader(i.options.maximum_packet_size);
    c.deadline = now + i.options.connect_timeout;
    if (!i.sys.started)
        i.run_sys(now);  // the $SYS clock starts with the first time seen
    if (i.connections.size() == 1 && i.sessions.empty())
        i.next_sweep = now + sweep_interval;  // timers start with the first connection
    ++i.stats.connections_opened;
    return id;
}

void broker::receive(connection_id id, std::span<const std::uint8_t> bytes, time_point now) {
    auto& i = *impl_;
    const auto it = i.connections.find(id);
    if (it == i.connections.end())
        return;
    connection& c = it->second;
    if (c.state == connection::phase::closing)
        return;  // input after the decision to close is ignored
    i.stats.bytes_received += bytes.size();
    c.reader.feed(bytes);
    while (c.state != connection::phase::closing) {
        auto f = c.reader.next();
        if (!f) {
            ++i.stats.protocol_errors;
            i.close_with(c, static_cast<disconnect_reason>(f.error().reason()), f.error().message,
                         now);
            return;
        }
        if (!*f)
            return;
        if (c.state == connection::phase::awaiting_connect &&
            (*f)->type() != packet_type::connect) {
            // [MQTT-3.1.0-1]: closed unanswered; the level to decode it at is not even known.
            ++i.stats.protocol_errors;
            i.close_with(c, disconnect_reason::protocol_error, "first packet is not CONNECT", now);
            return;
        }
        decode_error error;
        if (!decode_body(**f, c.version, i.scratch_in, error)) {
            ++i.stats.protocol_errors;
            if (c.state == connection::phase::awaiting_connect) {
                // Answered at the CONNECT's own level; an unknown level gets the 3.1.1 form,
                // which any client can read ([MQTT-3.1.2-2]: return code 1).
                c.version = connect_level((*f)->body).value_or(protocol_version::v3_1_1);
                i.refuse(c, static_cast<connack_reason>(error.reason()), error.message, now);
            } else {
                // 0x84 (an unknown protocol level) is a CONNACK code only; once connected, a
                // CONNECT that does not decode is a Protocol Error.
                const auto code = error.reason() == codec::reason_code::unsupported_protocol_version
                                      ? codec::reason_code::protocol_error
                                      : error.reason();
                i.close_with(c, static_cast<disconnect_reason>(code), error.message, now);
            }
            return;
        }
        if (c.state == connection::phase::connected && c.keep_alive.count() > 0)
            c.deadline = now + c.keep_alive * 3 / 2;  // [MQTT-3.1.2-22]
        if (i.observer)
            i.observer(c.id, direction::in, i.scratch_in, now);
        if (!i.faults.empty()) {
            if (const auto rule = i.take_fault(c, direction::in, i.scratch_in)) {
                if (rule->what == fault_rule::action::delay) {
                    i.held_in.push_back({now + rule->delay, c.id, i.scratch_in});
                    continue;
                }
                if (rule->what == fault_rule::action::drop)
                    continue;
                i.handle(c, i.scratch_in, now);  // duplicate: handled twice
                if (c.state == connection::phase::closing)
                    return;
            }
        }
        i.handle(c, i.scratch_in, now);
    }
}

void broker::close(connection_id id, time_point now) {
    auto& i = *impl_;
    const auto it = i.connections.find(id);
    if (it == i.connections.end())
        return;
    i.end_connection(it->second, now);
    i.connections.erase(it);
    if (!i.holding_acks.empty())
        i.release_acks(now);  // the closed client may have been what held them
}

void broker::tick(time_point now) {
    auto& i = *impl_;
    if (!i.held_in.empty() || !i.held_out.empty())
        i.run_delayed(now);
    i.run_sys(now);
    if (now < i.next_sweep)
        return;
    i.next_sweep = now + sweep_interval;
    for (auto& [id, c] : i.connections) {
        if (c.state == connection::phase::closing || now < c.deadline)
            continue;
        if (c.state == connection::phase::awaiting_connect) {
            i.close_with(c, disconnect_reason::maximum_connect_time, "no CONNECT in time", now);
        } else {
            i.close_with(c, disconnect_reason::keep_alive_timeout,
                         "keep alive timeout: nothing received for 1.5 x " +
                             std::to_string(c.keep_alive.count() / 1000) + " s",
                         now);
        }
    }
    i.run_session_timers(now);
}

std::optional<time_point> broker::next_deadline() const {
    const auto& i = *impl_;
    std::optional<time_point> next = i.earliest_delayed();
    const auto earliest = [&](std::optional<time_point> t) {
        if (t && (!next || *t < *next))
            next = t;
    };
    earliest(i.sys_deadline());
    if (!i.connections.empty() || !i.sessions.empty())
        earliest(i.next_sweep);  // the sweep runs only while there are connections or sessions
    return next;
}

std::vector<connection_id> broker::take_ready() {
    auto& i = *impl_;
    std::vector<connection_id> result;
    result.swap(i.ready);
    for (const auto id : result) {
        if (const auto it = i.connections.find(id); it != i.connections.end())
            it->second.ready = false;
    }
    return result;
}

bool broker::take_output(connection_id id, std::vector<std::uint8_t>& into) {
    auto& i = *impl_;
    into.clear();
    const auto it = i.connections.find(id);
    if (it == i.connections.end() || it->second.out.empty())
        return false;
    into.swap(it->second.out);
    it->second.in_transit += into.size();
    return true;
}

void broker::written(connection_id id, time_point now) {
    auto& i = *impl_;
    const auto it = i.connections.find(id);
    if (it == i.connections.end())
        return;
    it->second.in_transit = 0;
    if (auto* s = i.session_of(it->second))
        i.pump(*s, now);
}

bool broker::should_close(connection_id id) const {
    const auto it = impl_->connections.find(id);
    return it == impl_->connections.end() || it->second.state == connection::phase::closing;
}

bool broker::disconnect_client(const std::string& client_id, disconnect_reason reason,
                               time_point now) {
    auto& i = *impl_;
    const auto it = i.by_client_id.find(client_id);
    if (it == i.by_client_id.end())
        return false;
    const auto& s = i.sessions.at(it->second);
    if (s.connection == 0)
        return false;
    i.close_with(i.connections.at(s.connection), reason, "disconnected by the broker", now);
    return true;
}

void broker::observe(packet_observer observer) {
    impl_->observer = std::move(observer);
}

void broker::note(const std::string& line) const {
    impl_->note(line);
}

void broker::log_to(std::function<void(const std::string&)> sink) {
    impl_->log = std::move(sink);
}

const broker_stats& broker::stats() const noexcept {
    return impl_->stats;
}

const broker_options& broker::options() const noexcept {
    return impl_->options;
}

std::size_t broker::session_count() const noexcept {
    return impl_->sessions.size();
}

std::size_t broker::retained_count() const noexcept {
    return impl_->retained.size();
}

std::size_t broker::queued_messages(const std::string& client_id) const {
    const auto it = impl_->by_client_id.find(client_id);
    return it == impl_->by_client_id.end() ? 0 : impl_->sessions.at(it->second).queued();
}

}  // namespace harness::broker
