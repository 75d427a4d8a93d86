// CONNECT and DISCONNECT: client identifiers, session take-over, clean start and session expiry,
// keep alive, the limits each side announces, wills with their delay, and session timers.
#include <algorithm>
#include <cstdio>

#include "broker_impl.hpp"

namespace harness::broker {

using namespace codec;

namespace {

constexpr std::uint32_t never_expires = 0xFFFFFFFF;

std::string describe(const connect& p) {
    return "(" + std::string(protocol_name(p.version)) + " level " +
           std::to_string(static_cast<int>(p.version)) + ", clean start " +
           (p.clean_start ? "1" : "0") + ", keep alive " + std::to_string(p.keep_alive) + ")";
}

}  // namespace

std::string broker::impl::assign_client_id() {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "auto-%016llx-%llu",
                  static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(this)),
                  static_cast<unsigned long long>(++assigned_ids));
    return buffer;
}

void broker::impl::refuse(connection& c, connack_reason reason, std::string why, time_point now,
                          std::string_view client_id) {
    note("refused " + (client_id.empty() ? c.remote : std::string(client_id)) + ": " + why);
    connack ack;
    ack.reason_code = reason;
    if (is_v5(c))
        add_reason_string(c, ack.properties, why);
    // Before 5.0 only some refusals have a return code; the rest just close.
    if (is_v5(c) || to_v3(reason) != connect_return_code::server_unavailable ||
        reason == connack_reason::server_unavailable) {
        send(c, ack, now);
    }
    c.will.reset();
    c.state = connection::phase::closing;
    mark_ready(c);
}

void broker::impl::on_connect(connection& c, connect& p, time_point now) {
    if (c.state != connection::phase::awaiting_connect) {
        ++stats.protocol_errors;  // [MQTT-3.1.0-2] a second CONNECT is a protocol error
        close_with(c, disconnect_reason::protocol_error, "second CONNECT", now);
        return;
    }
    c.version = p.version;
    c.reader.set_protocol(p.version);
    const bool v5 = is_v5(c);
    const auto& props = p.properties;
    c.problem_information = props.integer(property_id::request_problem_information).value_or(1);

    if (now < refuse_until) {  // a fault hook: connections refused for a while
        refuse(c, connack_reason::server_unavailable, "the broker refuses connections for now", now,
               p.client_id);
        return;
    }
    if (v5 && props.contains(property_id::authentication_method)) {
        refuse(c, connack_reason::bad_authentication_method,
               "enhanced authentication is not supported", now, p.client_id);
        return;
    }
    bool assigned = false;
    if (p.client_id.empty()) {
        if (!v5 && !p.clean_start) {  // [MQTT-3.1.3-8]
            refuse(c, connack_reason::client_identifier_not_valid,
                   "an empty client identifier needs clean session 1", now, p.client_id);
            return;
        }
        p.client_id = assign_client_id();  // [MQTT-3.1.3-6]
        assigned = true;
    }
    // Authentication, before any session is touched. Mosquitto 2.0.11 answers Not authorized
    // (5.0 0x87, 3.1.1 return code 5) for an anonymous client and for a bad user name or
    // password alike, never 0x86 / 4.
    const auto& rules = rules_of(c.listener);
    if (c.certificate_identity) {
        // use_identity_as_username: the certificate speaks for the client, as in Mosquitto.
        if (c.certificate_identity->empty()) {
            refuse(c, connack_reason::not_authorized,
                   "no identity in the TLS client certificate (use_identity_as_username)", now,
                   p.client_id);
            return;
        }
        p.username = *c.certificate_identity;
        p.password.reset();
    } else if (!p.username) {
        if (!rules.allow_anonymous) {
            refuse(c, connack_reason::not_authorized, "anonymous clients are not allowed", now,
                   p.client_id);
            return;
        }
    } else if (rules.authenticate) {
        const bool ok =
            p.password &&
            rules.authenticate(*p.username,
                               std::string_view(reinterpret_cast<const char*>(p.password->data()),
                                                p.password->size()));
        if (!ok) {
            refuse(c, connack_reason::not_authorized,
                   "bad user name or password for user " + *p.username, now, p.client_id);
            return;
        }
    }
    if (p.will) {
        if (p.will->qos > options.maximum_qos) {  // [MQTT-3.2.2-12]
            refuse(c, connack_reason::qos_not_supported, "will QoS above the maximum QoS", now,
                   p.client_id);
            return;
        }
        if (p.will->retain && !options.retain_available) {  // [MQTT-3.2.2-13]
            refuse(c, connack_reason::retain_not_supported, "retained will not available", now,
                   p.client_id);
            return;
        }
    }

    c.client_receive_maximum =
        static_cast<std::uint16_t>(props.integer(property_id::receive_maximum).value_or(65535));
    c.client_maximum_packet_size =
        props.integer(property_id::maximum_packet_size).value_or(codec::max_packet_size);
    const std::uint32_t requested_expiry =
        v5 ? props.integer(property_id::session_expiry_interval).value_or(0)
           : (p.clean_start ? 0 : never_expires);
    const std::uint32_t expiry = std::min(requested_expiry, options.max_session_expiry);
    std::uint16_t keep_alive = p.keep_alive;
    bool server_keep_alive = false;
    if (v5 && options.max_keepalive != 0 &&
        (keep_alive == 0 || keep_alive > options.max_keepalive)) {
        keep_alive = options.max_keepalive;
        server_keep_alive = true;
    }

    // Take-over and session resumption.
    bool session_present = false;
    session_key key = 0;
    if (const auto it = by_client_id.find(p.client_id); it != by_client_id.end()) {
        key = it->second;
        auto& old = sessions.at(key);
        if (old.connection != 0) {  // [MQTT-3.1.4-3]
            connection& previous = connections.at(old.connection);
            close_with(previous, disconnect_reason::session_taken_over,
                       "session taken over by a new connection", now);
            --stats.clients_connected;
            detach_session(previous, now);  // its will follows the usual rules
        }
        if (p.clean_start || !sessions.contains(key)) {
            if (sessions.contains(key))
                end_session(key, now);
            key = 0;
        } else {
            session_present = true;
            auto& s = sessions.at(key);
            s.pending_will.reset();  // [MQTT-3.1.3-9] reconnected before the will delay ended
            s.will_at.reset();
        }
    }
    if (key == 0) {
        key = ++last_session;
        auto& s = sessions[key];
        s.key = key;
        s.client_id = p.client_id;
        by_client_id[s.client_id] = key;
    }
    auto& s = sessions.at(key);
    s.connection = c.id;
    s.username = p.username;
    s.listener = c.listener;
    s.expiry_interval = expiry;
    s.expires_at.reset();

    c.session = key;
    c.will = p.will ? std::make_unique<will_message>(std::move(*p.will)) : nullptr;
    if (c.will) {
        c.will_delay = c.will->properties.integer(property_id::will_delay_interval).value_or(0);
        c.will->properties.erase(property_id::will_delay_interval);
    }
    c.keep_alive = std::chrono::seconds(keep_alive);
    c.deadline = keep_alive ? now + c.keep_alive * 3 / 2 : time_point::max();
    c.state = connection::phase::connected;
    ++stats.clients_connected;
    stats.clients_maximum = std::max(stats.clients_maximum, stats.clients_connected);

    connack ack;
    ack.session_present = session_present;  // [MQTT-3.2.2-2], [MQTT-3.2.2-3]
    if (v5) {
        auto& out = ack.properties;
        if (assigned)
            out.add(property_id::assigned_client_identifier, p.client_id);
        if (expiry != requested_expiry)
            out.add(property_id::session_expiry_interval, expiry);
        if (options.receive_maximum != 65535)
            out.add(property_id::receive_maximum, std::uint32_t{options.receive_maximum});
        if (options.maximum_qos != qos::exactly_once)
            out.add(property_id::maximum_qos, static_cast<std::uint32_t>(options.maximum_qos));
        if (!options.retain_available)
            out.add(property_id::retain_available, 0u);
        if (options.maximum_packet_size != 0)
            out.add(property_id::maximum_packet_size, options.maximum_packet_size);
        if (options.topic_alias_maximum != 0)
            out.add(property_id::topic_alias_maximum, std::uint32_t{options.topic_alias_maximum});
        if (!options.wildcard_subscriptions)
            out.add(property_id::wildcard_subscription_available, 0u);
        if (!options.subscription_identifiers)
            out.add(property_id::subscription_identifier_available, 0u);
        if (!options.shared_subscriptions)
            out.add(property_id::shared_subscription_available, 0u);
        if (server_keep_alive)
            out.add(property_id::server_keep_alive, std::uint32_t{keep_alive});
    }
    send(c, ack, now);
    note("client " + p.client_id + " connected from " + c.remote + " " + describe(p) +
         (session_present ? ", session resumed" : ""));
    resend_inflight(c, s, now);  // [MQTT-4.4.0-1]
    pump(s, now);
}

void broker::impl::on_disconnect(connection& c, const disconnect& p, time_point now) {
    auto* s = session_of(c);
    if (s && is_v5(c)) {
        if (const auto e = p.properties.integer(property_id::session_expiry_interval)) {
            if (s->expiry_interval == 0 && *e != 0) {  // [MQTT-3.14.2-2]
                ++stats.protocol_errors;
                close_with(c, disconnect_reason::protocol_error,
                           "DISCONNECT sets a session expiry after CONNECT set 0", now);
                return;
            }
            s->expiry_interval = std::min(*e, options.max_session_expiry);
        }
    }
    // [MQTT-3.14.4-3] the will is discarded on 0x00 only: 0x04 asks for it, and any other
    // reason (an error on the client's side) keeps it too ([MQTT-3.1.2-8] in 5.0).
    c.will_on_close = p.reason_code != disconnect_reason::normal_disconnection;
    if (!c.will_on_close)
        c.will.reset();
    c.state = connection::phase::closing;
    mark_ready(c);
}

const access_rules& broker::impl::rules_of(std::uint16_t listener) const {
    return listener < options.listener_access.size() ? options.listener_access[listener]
                                                     : options.access;
}

bool broker::impl::authorized(const session_state& s, std::string_view topic,
                              acl_access access) const {
    const auto& authorize = rules_of(s.listener).authorize;
    if (!authorize)
        return true;
    return authorize(s.client_id,
                     s.username ? std::optional<std::string_view>(*s.username) : std::nullopt,
                     topic, access);
}

bool broker::impl::may_publish(const session_state& s, std::string_view topic) const {
    return !topic.starts_with("$SYS") && authorized(s, topic, acl_access::write);
}

void broker::impl::publish_will(const will_message& will, session_key origin, time_point now) {
    // Checked when it is published, as Mosquitto does: denied, it is dropped.
    if (const auto it = sessions.find(origin);
        it != sessions.end() && !may_publish(it->second, will.topic)) {
        note("denied the will of " + it->second.client_id + " on " + will.topic);
        return;
    }
    auto m = std::make_shared<message>();
    m->topic = will.topic;
    m->payload = will.payload;
    m->qos = will.qos;
    m->retain = will.retain;
    m->properties = will.properties;
    m->origin = origin;
    if (const auto e = m->properties.integer(property_id::message_expiry_interval)) {
        m->expires_at = now + std::chrono::seconds(*e);
        m->properties.erase(property_id::message_expiry_interval);
    }
    note("publishing the will of session " + std::to_string(origin) + " on " + will.topic);
    if (m->retain)
        retain(m);
    route(m, now);
}

void broker::impl::detach_session(connection& c, time_point now) {
    auto* s = session_of(c);
    c.session = 0;
    if (!s)
        return;
    if (c.will && c.will_on_close) {
        if (c.will_delay == 0) {
            publish_will(*c.will, s->key, now);
        } else {
            s->pending_will = std::move(c.will);
            s->will_at = now + std::chrono::seconds(c.will_delay);
        }
    }
    c.will.reset();
    s->connection = 0;
    if (s->expiry_interval == 0) {
        end_session(s->key, now);
    } else if (s->expiry_interval != never_expires) {
        s->expires_at = now + std::chrono::seconds(s->expiry_interval);
    }
}

void broker::impl::end_session(session_key key, time_point now) {
    const auto it = sessions.find(key);
    if (it == sessions.end())
        return;
    auto& s = it->second;
    // A will still waiting for its delay goes out when the session ends ([MQTT-3.1.3-9]).
    if (s.pending_will) {
        auto will = std::move(*s.pending_will);
        s.pending_will.reset();
        publish_will(will, key, now);
    }
    stats.messages_dropped += s.queued();
    subscriptions.unsubscribe_all(key);
    if (const auto c = by_client_id.find(s.client_id); c != by_client_id.end() && c->second == key)
        by_client_id.erase(c);
    sessions.erase(key);
}

void broker::impl::run_session_timers(time_point now) {
    std::vector<session_key> ending;
    for (auto& [key, s] : sessions) {
        if (s.will_at && *s.will_at <= now && s.pending_will) {
            auto will = std::move(*s.pending_will);
            s.pending_will.reset();
            s.will_at.reset();
            publish_will(will, key, now);
        }
        if (s.connection == 0 && s.expires_at && *s.expires_at <= now)
            ending.push_back(key);
    }
    for (const auto key : ending)
        end_session(key, now);
}

}  // namespace harness::broker
