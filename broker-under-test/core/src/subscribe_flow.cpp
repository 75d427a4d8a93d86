// SUBSCRIBE and UNSUBSCRIBE: capability checks, granted QoS, subscription identifiers, shared
// subscriptions, and the retained messages a new subscription receives (retain handling).
#include <algorithm>

#include "broker_impl.hpp"
#include "harness/codec/topic.hpp"

namespace harness::broker {

using namespace codec;

namespace {

bool has_wildcard(std::string_view filter) {
    return filter.find_first_of("+#") != std::string_view::npos;
}

}  // namespace

void broker::impl::on_subscribe(connection& c, subscribe& p, time_point now) {
    auto* s = session_of(c);
    if (!s)
        return;
    const bool v5 = is_v5(c);
    std::optional<std::uint32_t> identifier;
    if (v5) {
        const auto ids = p.properties.subscription_identifiers();
        if (!ids.empty()) {
            if (!options.subscription_identifiers) {  // [MQTT-3.2.2-?] not available
                ++stats.protocol_errors;
                close_with(c, disconnect_reason::subscription_identifiers_not_supported,
                           "subscription identifiers are not available", now);
                return;
            }
            identifier = ids.front();
        }
    }
    suback ack;
    ack.packet_id = p.packet_id;
    // The filters whose retained messages are sent, after the SUBACK.
    struct retained_request {
        std::string_view filter;  // without "$share/{group}/"; views p.subscriptions
        codec::qos max_qos;
    };
    std::vector<retained_request> wanted;
    for (auto& sub : p.subscriptions) {
        const auto shared = parse_shared_subscription(sub.topic_filter);
        const std::string_view inner = shared ? shared->filter : std::string_view(sub.topic_filter);
        if (!options.wildcard_subscriptions && has_wildcard(inner)) {
            ack.reason_codes.push_back(v5 ? suback_reason::wildcard_subscriptions_not_supported
                                          : suback_reason::unspecified_error);
            continue;
        }
        if (shared && !options.shared_subscriptions) {
            ack.reason_codes.push_back(v5 ? suback_reason::shared_subscriptions_not_supported
                                          : suback_reason::unspecified_error);
            continue;
        }
        if (!authorized(*s, sub.topic_filter, acl_access::subscribe)) {
            note("denied SUBSCRIBE from " + s->client_id + " to " + sub.topic_filter);
            ack.reason_codes.push_back(v5 ? suback_reason::not_authorized
                                          : suback_reason::unspecified_error);  // 0x80
            continue;
        }
        subscriber entry;
        entry.session = s->key;
        entry.options = sub;
        entry.options.max_qos = std::min(sub.max_qos, options.maximum_qos);  // downgrade
        if (!v5) {
            entry.options.no_local = false;
            entry.options.retain_as_published = false;
            entry.options.retain_handling = retain_handling::send_on_subscribe;
        }
        entry.identifier = identifier;
        const bool existed = subscriptions.subscribe(entry);  // replaces ([MQTT-3.8.4-3])
        ack.reason_codes.push_back(static_cast<suback_reason>(entry.options.max_qos));

        // Retained messages: none for a shared subscription ([MQTT-3.3.1-?]), and per retain
        // handling ([MQTT-3.3.1-9], [MQTT-3.3.1-10], [MQTT-3.3.1-11] in 5.0).
        const auto rh = entry.options.retain_handling;
        if (shared || rh == retain_handling::do_not_send ||
            (rh == retain_handling::send_if_new_subscription && existed)) {
            continue;
        }
        wanted.push_back({inner, entry.options.max_qos});
    }
    send(c, ack, now);
    for (const auto& request : wanted) {
        // Delivered as the store is walked, so the walk ends once the session's queue is full:
        // every later message would be dropped (no acknowledgement is held here), and a broad
        // filter over a large store then costs what the session can take (window plus
        // max_queued_messages), not a copy of every retained message. Those not reached are
        // not counted as dropped.
        retained.match(request.filter, now, [&](const retained_message& r) {
            if (queue_at_limit(*s))
                return false;
            if (!authorized(*s, r.topic, acl_access::read))
                return true;  // a retained message the client may not read is not sent
            auto m = std::make_shared<message>();
            m->topic = r.topic;
            m->payload = r.payload;
            m->qos = r.qos;
            m->retain = true;
            m->properties = r.properties;
            m->expires_at = r.expires_at;
            delivery d;
            d.msg = std::move(m);
            d.qos = std::min(r.qos, request.max_qos);
            d.retain = true;  // [MQTT-3.3.1-8]
            if (identifier)
                d.subscription_ids.push_back(*identifier);
            deliver(*s, std::move(d), now);
            return true;
        });
    }
}

void broker::impl::on_unsubscribe(connection& c, const unsubscribe& p, time_point now) {
    auto* s = session_of(c);
    if (!s)
        return;
    unsuback ack;
    ack.packet_id = p.packet_id;
    for (const auto& filter : p.topic_filters) {
        const bool existed = subscriptions.unsubscribe(filter, s->key);
        if (is_v5(c)) {
            ack.reason_codes.push_back(existed ? unsuback_reason::success
                                               : unsuback_reason::no_subscription_existed);
        }
    }
    send(c, ack, now);  // [MQTT-3.10.4-4] even when nothing matched
}

}  // namespace harness::broker
