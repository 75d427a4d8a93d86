// PUBLISH in both directions: topic aliases, capability checks, exactly-once reception, routing
// to merged subscriptions, the per-client in-flight window and bounded queue, redelivery, and
// message expiry.
#include <algorithm>

#include "broker_impl.hpp"

namespace harness::broker {

using namespace codec;

namespace {

std::size_t pending_bytes(const connection& c) {
    return c.out.size() + c.in_transit;
}

}  // namespace

void broker::impl::retain(const message_ptr& m) {
    retained_message r;
    r.topic = m->topic;
    r.payload = m->payload;
    r.qos = m->qos;
    r.properties = m->properties;
    r.expires_at = m->expires_at;
    retained.store(std::move(r));  // an empty payload deletes ([MQTT-3.3.1-10])
}

void broker::impl::on_publish(connection& c, publish& p, time_point now) {
    auto* s = session_of(c);
    if (!s)
        return;
    if (is_v5(c)) {
        if (p.properties.contains(property_id::subscription_identifier)) {  // [MQTT-3.3.4-6]
            ++stats.protocol_errors;
            close_with(c, disconnect_reason::protocol_error,
                       "a client PUBLISH carries a Subscription Identifier", now);
            return;
        }
        if (const auto alias = p.properties.integer(property_id::topic_alias)) {
            if (*alias == 0 || *alias > options.topic_alias_maximum) {  // [MQTT-3.3.2-9/10]
                ++stats.protocol_errors;
                close_with(c, disconnect_reason::topic_alias_invalid,
                           "topic alias " + std::to_string(*alias) + " outside 1.." +
                               std::to_string(options.topic_alias_maximum),
                           now);
                return;
            }
            const auto key = static_cast<std::uint16_t>(*alias);
            if (p.topic.empty()) {
                const std::string* known = nullptr;
                if (c.topic_aliases) {
                    const auto it = c.topic_aliases->find(key);
                    if (it != c.topic_aliases->end())
                        known = &it->second;
                }
                if (!known) {
                    ++stats.protocol_errors;
                    close_with(c, disconnect_reason::protocol_error,
                               "topic alias " + std::to_string(key) + " was never set", now);
                    return;
                }
                p.topic = *known;
            } else {
                if (!c.topic_aliases)
                    c.topic_aliases =
                        std::make_unique<std::unordered_map<std::uint16_t, std::string>>();
                (*c.topic_aliases)[key] = p.topic;
            }
            p.properties.erase(property_id::topic_alias);
        }
    }
    if (p.qos > options.maximum_qos) {  // [MQTT-3.2.2-11]
        ++stats.protocol_errors;
        close_with(c, disconnect_reason::qos_not_supported, "PUBLISH above the maximum QoS", now);
        return;
    }
    if (p.retain && !options.retain_available) {  // [MQTT-3.2.2-14]
        ++stats.protocol_errors;
        close_with(c, disconnect_reason::retain_not_supported, "retain is not available", now);
        return;
    }
    ++stats.messages_received;
    const auto id = p.packet_id;
    if (p.qos == qos::exactly_once) {
        if (s->flow().incoming_qos2.contains(id)) {  // a resend: acknowledge, do not route again
            send(c, pubrec{id, pubrec_reason::success, {}}, now);
            return;
        }
        if (s->flow().incoming_qos2.size() >= options.receive_maximum) {  // [MQTT-3.3.4-9]
            ++stats.protocol_errors;
            close_with(c, disconnect_reason::receive_maximum_exceeded,
                       "more QoS 2 messages unacknowledged than Receive Maximum", now);
            return;
        }
    }

    std::size_t receivers = 0;
    std::optional<puback_reason> refused;
    // Clients cannot publish into $SYS, nor where the ACL denies it, nor payloads above
    // message_size_limit: acknowledged (5.0 PUBACK / PUBREC 0x87 Not authorized as Mosquitto
    // 2.0.11, or 0x83 Implementation specific error for the size, where Mosquitto sends 0x95,
    // which the PUBACK table does not have; 3.1.1 a plain PUBACK / PUBREC), not delivered, not
    // retained.
    if (options.message_size_limit != 0 && p.payload.size() > options.message_size_limit) {
        refused = puback_reason::implementation_specific_error;
        note("dropped PUBLISH from " + client_id_of(c) + " to " + p.topic + ": payload of " +
             std::to_string(p.payload.size()) + " bytes above message_size_limit");
    } else if (!may_publish(*s, p.topic)) {
        refused = puback_reason::not_authorized;
        note("denied PUBLISH from " + client_id_of(c) + " to " + p.topic);
    } else {
        auto m = std::make_shared<message>();
        m->topic = std::move(p.topic);
        m->payload = std::move(p.payload);
        m->qos = p.qos;
        m->retain = p.retain;
        m->origin = s->key;
        if (is_v5(c) && !p.properties.empty()) {
            m->properties = std::move(p.properties);
            if (const auto e = m->properties.integer(property_id::message_expiry_interval)) {
                m->expires_at = now + std::chrono::seconds(*e);
                m->properties.erase(property_id::message_expiry_interval);
            }
            m->properties.erase(property_id::subscription_identifier);
        }
        if (m->retain)
            retain(m);
        routing_from = c.id;
        overfull.clear();
        receivers = route(m, now);
        routing_from = 0;
    }

    const auto reason = refused                      ? *refused
                        : receivers == 0 && is_v5(c) ? puback_reason::no_matching_subscribers
                                                     : puback_reason::success;
    if (p.qos == qos::exactly_once && reason < puback_reason::unspecified_error)
        s->flow().incoming_qos2.insert(id);  // [MQTT-4.3.3-9] until PUBREL
    if (p.qos == qos::at_most_once)
        return;
    if (!overfull.empty() || (c.held_acks && !c.held_acks->empty())) {
        // A subscriber's queue is over its limit: hold the acknowledgement (and every later
        // one, to keep their order, [MQTT-4.6.0-2]) until the queues drain.
        if (!c.held_acks)
            c.held_acks = std::make_unique<std::vector<connection::held_ack>>();
        c.held_acks->push_back({id, p.qos, reason, std::move(overfull)});
        overfull.clear();
        holding_acks.insert(c.id);
        return;
    }
    if (p.qos == qos::at_least_once) {
        send(c, puback{id, reason, {}}, now);
    } else {
        send(c, pubrec{id, reason, {}}, now);
    }
}

bool broker::impl::queue_full(const session_state& s, std::size_t extra_bytes) const {
    const std::size_t bytes = s.flow_ ? s.flow_->queued_bytes : 0;
    return (options.max_queued_messages != 0 && s.queued() >= options.max_queued_messages) ||
           (options.max_queued_bytes != 0 && bytes + extra_bytes > options.max_queued_bytes);
}

bool broker::impl::queue_at_limit(const session_state& s) const {
    return options.max_queued_messages != 0 && s.queued() >= options.max_queued_messages;
}

void broker::impl::release_acks(time_point now) {
    for (auto it = holding_acks.begin(); it != holding_acks.end();) {
        const auto c = connections.find(*it);
        if (c == connections.end() || c->second.state != connection::phase::connected) {
            it = holding_acks.erase(it);
            continue;
        }
        if (!c->second.held_acks) {
            it = holding_acks.erase(it);
            continue;
        }
        auto& held = *c->second.held_acks;
        while (!held.empty()) {
            auto& front = held.front();
            std::erase_if(front.blockers, [&](session_key key) {
                const auto s = sessions.find(key);
                return s == sessions.end() || s->second.connection == 0 ||
                       !queue_full(s->second, 0);
            });
            if (!front.blockers.empty())
                break;
            if (front.qos == qos::at_least_once) {
                send(c->second, puback{front.packet_id, front.reason, {}}, now);
            } else {
                send(c->second, pubrec{front.packet_id, front.reason, {}}, now);
            }
            held.erase(held.begin());
        }
        it = held.empty() ? holding_acks.erase(it) : std::next(it);
    }
}

void broker::impl::on_pubrel(connection& c, const pubrel& p, time_point now) {
    auto* s = session_of(c);
    if (!s)
        return;
    const bool known = s->flow().incoming_qos2.erase(p.packet_id) > 0;
    send(c,
         pubcomp{p.packet_id,
                 known ? pubcomp_reason::success : pubcomp_reason::packet_identifier_not_found,
                 {}},
         now);
}

void broker::impl::on_puback(connection& c, std::uint16_t id, time_point now) {
    auto* s = session_of(c);
    if (!s)
        return;
    const auto it = s->flow().outgoing.find(id);
    if (it != s->flow().outgoing.end() && it->second.awaiting == inflight::stage::puback) {
        s->flow().outgoing.erase(it);
        pump(*s, now);
    }
}

void broker::impl::on_pubrec(connection& c, const pubrec& p, time_point now) {
    auto* s = session_of(c);
    if (!s)
        return;
    const auto it = s->flow().outgoing.find(p.packet_id);
    if (it == s->flow().outgoing.end() || it->second.awaiting == inflight::stage::puback) {
        send(c, pubrel{p.packet_id, pubrel_reason::packet_identifier_not_found, {}}, now);
        return;
    }
    if (p.reason_code >= pubrec_reason::unspecified_error) {  // the flow ends here
        s->flow().outgoing.erase(it);
        pump(*s, now);
        return;
    }
    it->second.awaiting = inflight::stage::pubcomp;
    it->second.d.msg.reset();  // only the packet id is needed from now on
    send(c, pubrel{p.packet_id, pubrel_reason::success, {}}, now);
}

void broker::impl::on_pubcomp(connection& c, std::uint16_t id, time_point now) {
    auto* s = session_of(c);
    if (!s)
        return;
    const auto it = s->flow().outgoing.find(id);
    if (it != s->flow().outgoing.end() && it->second.awaiting == inflight::stage::pubcomp) {
        s->flow().outgoing.erase(it);
        pump(*s, now);
    }
}

std::size_t broker::impl::route(const message_ptr& m, time_point now) {
    auto& matches = scratch_matches;
    matches.clear();
    std::size_t receivers = 0;
    subscriptions.match(
        m->topic,
        [&](const subscriber& sub) {
            if (sub.options.no_local && sub.session == m->origin)
                return;  // [MQTT-3.8.3-3]
            matches.push_back({sub.session, &sub});
        },
        [&](session_key key) {
            const auto it = sessions.find(key);
            return it != sessions.end() && it->second.connection != 0;
        });
    // One copy per session, carrying every matching subscription's identifier and the highest
    // granted QoS ([MQTT-3.3.4-2], [MQTT-3.3.4-3]); a shared subscription's copy is its own.
    std::stable_sort(
        matches.begin(), matches.end(),
        [](const match_entry& a, const match_entry& b) { return a.session < b.session; });
    for (std::size_t k = 0; k < matches.size();) {
        const auto key = matches[k].session;
        const auto it = sessions.find(key);
        if (any_authorize && it != sessions.end() &&
            !authorized(it->second, m->topic, acl_access::read)) {
            while (k < matches.size() && matches[k].session == key)
                ++k;  // the ACL denies this subscriber the topic: not sent ([read] check)
            continue;
        }
        delivery merged;
        merged.msg = m;
        bool any_plain = false;
        std::size_t end = k;
        for (; end < matches.size() && matches[end].session == key; ++end) {
            const auto& sub = *matches[end].sub;
            const bool shared = sub.options.topic_filter.starts_with("$share/");
            delivery single;
            delivery& target = shared ? single : merged;
            if (shared)
                single.msg = m;
            target.qos = std::max(target.qos, std::min(m->qos, sub.options.max_qos));
            if (sub.options.retain_as_published)
                target.retain = m->retain;  // [MQTT-3.3.1-12]; otherwise 0 ([MQTT-3.3.1-13])
            if (sub.identifier)
                target.subscription_ids.push_back(*sub.identifier);
            if (shared && it != sessions.end()) {
                deliver(it->second, std::move(single), now);
                ++receivers;
            }
            any_plain = any_plain || !shared;
        }
        if (any_plain && it != sessions.end()) {
            deliver(it->second, std::move(merged), now);
            ++receivers;
        }
        k = end;
    }
    return receivers;
}

std::uint16_t broker::impl::window(const connection& c) const {
    const std::uint16_t ours =
        options.max_inflight_messages ? options.max_inflight_messages : std::uint16_t{65535};
    return std::min(c.client_receive_maximum, ours);
}

void broker::impl::deliver(session_state& s, delivery d, time_point now) {
    if (s.connection == 0 && d.qos == qos::at_most_once && !options.queue_qos0_offline) {
        ++stats.messages_dropped;
        return;
    }
    if (s.connection != 0 && s.queued() == 0) {
        connection& c = connections.at(s.connection);
        if (c.state == connection::phase::connected &&
            pending_bytes(c) < options.output_high_water) {
            if (d.qos == qos::at_most_once) {
                send_publish(c, s, d, 0, false, now);
                return;
            }
            if (s.flow().outgoing.size() < window(c)) {
                send_publish(c, s, d, 0, false, now);
                return;
            }
        }
    }
    const auto size = d.msg->payload.size();
    if (queue_full(s, size)) {
        // QoS 1/2 for an online subscriber wait: queued beyond the limit while the publisher's
        // acknowledgement is held, which stalls its window. A hard cap (twice the limit) bounds
        // what publishers that ignore acknowledgements can queue.
        const bool can_wait = d.qos != qos::at_most_once && s.connection != 0 &&
                              routing_from != 0 && routing_from != s.connection &&
                              s.queued() < 2 * options.max_queued_messages + 64;
        if (!can_wait) {
            ++stats.messages_dropped;  // the queue is full: dropped and counted
            return;
        }
        if (std::find(overfull.begin(), overfull.end(), s.key) == overfull.end())
            overfull.push_back(s.key);
    }
    auto& f = s.flow();
    f.queued_bytes += size;
    f.queue.push_back(std::move(d));
}

void broker::impl::pump(session_state& s, time_point now) {
    if (s.connection == 0)
        return;
    connection& c = connections.at(s.connection);
    if (c.state != connection::phase::connected)
        return;
    if (!s.flow_)
        return;  // nothing in flight, nothing waiting
    auto& f = *s.flow_;
    while (!f.queue.empty() && pending_bytes(c) < options.output_high_water) {
        auto& d = f.queue.front();
        if (d.qos != qos::at_most_once && f.outgoing.size() >= window(c))
            break;
        f.queued_bytes -= d.msg->payload.size();
        send_publish(c, s, d, 0, false, now);
        f.queue.pop_front();
    }
    if (!holding_acks.empty() && !queue_full(s, 0))
        release_acks(now);
}

bool broker::impl::send_publish(connection& c, session_state& s, const delivery& d,
                                std::uint16_t id, bool dup, time_point now) {
    const message& m = *d.msg;
    std::optional<std::uint32_t> remaining;
    if (m.expires_at) {
        // Expired before onward delivery started: not sent ([MQTT-3.3.2-5]). A redelivery (dup)
        // was started already and must go on ([MQTT-4.3.3-7]), with 0 left at worst.
        if (*m.expires_at <= now && !dup) {
            ++stats.messages_dropped;
            return false;
        }
        const auto left = std::chrono::ceil<std::chrono::seconds>(*m.expires_at - now);
        remaining = static_cast<std::uint32_t>(std::max<std::int64_t>(left.count(), 0));
    }
    const bool fresh = id == 0 && d.qos != qos::at_most_once;
    if (fresh) {
        do {
            id = ++s.flow().last_packet_id;
        } while (id == 0 || s.flow().outgoing.contains(id));
    }
    auto& p = scratch_publish;
    p.dup = dup;
    p.qos = d.qos;
    p.retain = d.retain;
    p.topic.assign(m.topic);
    p.packet_id = d.qos == qos::at_most_once ? 0 : id;
    p.payload.assign(m.payload.begin(), m.payload.end());
    p.properties.clear();
    if (is_v5(c)) {
        p.properties = m.properties;
        if (remaining)
            p.properties.add(property_id::message_expiry_interval, *remaining);
        for (const auto sid : d.subscription_ids)
            p.properties.add(property_id::subscription_identifier, sid);
    }
    const auto before = c.out.size();
    if (encode(p, c.version, c.out))
        return false;
    if (c.out.size() - before > c.client_maximum_packet_size) {  // [MQTT-3.1.2-24]
        c.out.resize(before);
        ++stats.messages_dropped;
        return false;
    }
    if (!faults.empty() && !fault_out(c, p, before, now)) {
        // dropped or delayed by a fault rule: the flow goes on as if it had been sent
    } else {
        stats.bytes_sent += c.out.size() - before;
    }
    ++stats.messages_sent;
    if (observer)
        observer(c.id, direction::out, p, now);
    mark_ready(c);
    if (fresh) {
        auto& flow = s.flow();
        auto& f = flow.outgoing[id];
        f.d = d;
        f.awaiting =
            d.qos == qos::at_least_once ? inflight::stage::puback : inflight::stage::pubrec;
        f.order = ++flow.send_order;
    }
    return true;
}

void broker::impl::resend_inflight(connection& c, session_state& s, time_point now) {
    std::vector<std::pair<std::uint64_t, std::uint16_t>> order;
    if (!s.flow_)
        return;
    auto& flow = *s.flow_;
    order.reserve(flow.outgoing.size());
    for (const auto& [id, f] : flow.outgoing)
        order.emplace_back(f.order, id);
    std::sort(order.begin(), order.end());
    for (const auto& [_, id] : order) {
        const auto& f = flow.outgoing.at(id);
        if (f.awaiting == inflight::stage::pubcomp) {
            send(c, pubrel{id, pubrel_reason::success, {}}, now);
        } else if (!send_publish(c, s, f.d, id, true, now)) {
            flow.outgoing.erase(id);  // expired or too large now: the flow ends
        }
    }
}

}  // namespace harness::broker
