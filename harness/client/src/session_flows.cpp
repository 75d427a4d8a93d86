// Message flows of the client session: QoS 0/1/2 in both directions, the in-flight window
// bounded by the server's Receive Maximum, redelivery, topic aliases, SUBSCRIBE/UNSUBSCRIBE.
#include "harness/client/session.hpp"

namespace harness::client {

using namespace codec;

namespace {

std::uint32_t encoded_size(const packet& p, protocol_version v) {
    std::vector<std::uint8_t> bytes;
    encode(p, v, bytes);
    return static_cast<std::uint32_t>(bytes.size());
}

}  // namespace

expected<std::uint16_t, std::error_code> session::publish(codec::publish message, time_point now) {
    const bool connected = state_ == session_state::connected;
    if (message.qos == qos::at_most_once && !connected) {
        return unexpected{make_error_code(client_errc::not_connected)};
    }
    if (connected && static_cast<std::uint8_t>(message.qos) > server_maximum_qos_) {
        return unexpected{make_error_code(client_errc::qos_not_supported)};
    }
    if (connected && message.retain && !server_retain_available_) {
        return unexpected{make_error_code(client_errc::retain_not_supported)};
    }
    message.dup = false;
    message.packet_id = 0;
    if (message.qos == qos::at_most_once) {
        if (encoded_size(message, version()) > server_maximum_packet_size_) {
            return unexpected{make_error_code(client_errc::packet_too_large)};
        }
        send(message, now);
        return std::uint16_t{0};
    }
    const auto id = ids_.allocate();
    if (!id)
        return unexpected{make_error_code(client_errc::no_packet_identifier)};
    message.packet_id = *id;
    if (connected && encoded_size(message, version()) > server_maximum_packet_size_) {
        ids_.release(*id);
        return unexpected{make_error_code(client_errc::packet_too_large)};
    }
    outgoing o{std::move(message), stage::await_puback, next_order_++};
    o.at = o.message.qos == qos::at_least_once ? stage::await_puback : stage::await_pubrec;
    queued_.emplace(*id, std::move(o));
    queue_.push_back(*id);
    pump_queue(now);
    return *id;
}

void session::pump_queue(time_point now) {
    if (state_ != session_state::connected)
        return;
    while (!queue_.empty() && in_flight_.size() < server_receive_maximum_) {
        const std::uint16_t id = queue_.front();
        queue_.pop_front();
        auto node = queued_.extract(id);
        auto& o = in_flight_.insert(std::move(node)).position->second;
        send_in_flight(o, now);
    }
}

void session::send_in_flight(outgoing& o, time_point now) {
    if (o.at == stage::await_pubcomp) {
        send(pubrel{o.message.packet_id, pubrel_reason::success, {}}, now);
        return;
    }
    send(o.message, now);
    o.message.dup = true;  // any later send of it is a redelivery ([MQTT-3.3.1-1])
}

void session::complete(std::uint16_t id, std::uint8_t reason, property_list properties,
                       time_point now) {
    in_flight_.erase(id);
    ids_.release(id);
    events_.emplace_back(publish_done_event{id, reason, std::move(properties), {}});
    pump_queue(now);
}

void session::discard_session_state() {
    // [MQTT-3.2.2-5]: no session on the server, so none here. Messages that were in flight
    // cannot complete; queued ones are sent afresh.
    for (auto& [id, o] : in_flight_) {
        ids_.release(id);
        events_.emplace_back(
            publish_done_event{id, 0, {}, make_error_code(client_errc::session_lost)});
    }
    in_flight_.clear();
    incoming_qos2_.clear();
    for (auto id : pending_subscribe_)
        ids_.release(id);
    for (auto id : pending_unsubscribe_)
        ids_.release(id);
    pending_subscribe_.clear();
    pending_unsubscribe_.clear();
}

void session::on_puback(const codec::puback& p, time_point now) {
    const auto it = in_flight_.find(p.packet_id);
    if (it == in_flight_.end() || it->second.at != stage::await_puback)
        return;  // stale
    complete(p.packet_id, static_cast<std::uint8_t>(p.reason_code), p.properties, now);
}

void session::on_pubrec(const codec::pubrec& p, time_point now) {
    const auto it = in_flight_.find(p.packet_id);
    if (it == in_flight_.end()) {
        if (version() == protocol_version::v5) {
            send(pubrel{p.packet_id, pubrel_reason::packet_identifier_not_found, {}}, now);
        }
        return;
    }
    if (is_failure(p.reason_code)) {  // the flow ends here (5.0, 4.3.3)
        complete(p.packet_id, static_cast<std::uint8_t>(p.reason_code), p.properties, now);
        return;
    }
    it->second.at = stage::await_pubcomp;
    send(pubrel{p.packet_id, pubrel_reason::success, {}}, now);
}

void session::on_pubcomp(const codec::pubcomp& p, time_point now) {
    const auto it = in_flight_.find(p.packet_id);
    if (it == in_flight_.end() || it->second.at != stage::await_pubcomp)
        return;  // stale
    complete(p.packet_id, static_cast<std::uint8_t>(p.reason_code), p.properties, now);
}

void session::on_pubrel(const codec::pubrel& p, time_point now) {
    const bool known = incoming_qos2_.erase(p.packet_id) != 0;
    const auto reason = known || version() != protocol_version::v5
                            ? pubcomp_reason::success
                            : pubcomp_reason::packet_identifier_not_found;
    send(pubcomp{p.packet_id, reason, {}}, now);
}

void session::on_publish(codec::publish& p, time_point now) {
    if (const auto alias = p.properties.integer(property_id::topic_alias)) {
        if (*alias == 0 || *alias > topic_alias_maximum_) {
            fail(client_errc::topic_alias_invalid,
                 "topic alias " + std::to_string(*alias) + " is above our maximum of " +
                     std::to_string(topic_alias_maximum_),
                 disconnect_reason::topic_alias_invalid, now);
            return;
        }
        const auto key = static_cast<std::uint16_t>(*alias);
        if (!p.topic.empty()) {
            topic_aliases_[key] = p.topic;
        } else if (const auto found = topic_aliases_.find(key); found != topic_aliases_.end()) {
            p.topic = found->second;
        } else {
            fail(client_errc::protocol_error,
                 "topic alias " + std::to_string(*alias) + " was never set",
                 disconnect_reason::protocol_error, now);
            return;
        }
    }
    switch (p.qos) {
        case qos::at_most_once:
            events_.emplace_back(message_event{p});
            break;
        case qos::at_least_once:
            events_.emplace_back(message_event{p});
            send(puback{p.packet_id, puback_reason::success, {}}, now);
            break;
        case qos::exactly_once:
            if (!incoming_qos2_.contains(p.packet_id)) {
                if (incoming_qos2_.size() >= receive_maximum_) {
                    fail(client_errc::receive_maximum_exceeded,
                         "more than " + std::to_string(receive_maximum_) +
                             " QoS 2 messages unacknowledged",
                         disconnect_reason::receive_maximum_exceeded, now);
                    return;
                }
                incoming_qos2_.insert(p.packet_id);
                events_.emplace_back(message_event{p});  // delivered once ([MQTT-4.3.3-10])
            }
            send(pubrec{p.packet_id, pubrec_reason::success, {}}, now);
            break;
    }
}

expected<std::uint16_t, std::error_code> session::subscribe(std::vector<subscription> subscriptions,
                                                            property_list properties,
                                                            time_point now) {
    if (state_ != session_state::connected) {
        return unexpected{make_error_code(client_errc::not_connected)};
    }
    const auto id = ids_.allocate();
    if (!id)
        return unexpected{make_error_code(client_errc::no_packet_identifier)};
    pending_subscribe_.insert(*id);
    send(codec::subscribe{*id, std::move(properties), std::move(subscriptions)}, now);
    return *id;
}

expected<std::uint16_t, std::error_code> session::unsubscribe(
    std::vector<std::string> topic_filters, property_list properties, time_point now) {
    if (state_ != session_state::connected) {
        return unexpected{make_error_code(client_errc::not_connected)};
    }
    const auto id = ids_.allocate();
    if (!id)
        return unexpected{make_error_code(client_errc::no_packet_identifier)};
    pending_unsubscribe_.insert(*id);
    send(codec::unsubscribe{*id, std::move(properties), std::move(topic_filters)}, now);
    return *id;
}

}  // namespace harness::client
