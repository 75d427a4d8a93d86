// The broker_session target's delivery checks (see delivery_checker.hpp): both directions of each
// slot decoded in order, subscriptions per session from SUBSCRIBE/SUBACK and
// UNSUBSCRIBE/UNSUBACK, PUBLISH to clients checked against them, outgoing ids in flight.
#include "delivery_checker.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <variant>

#include "harness/codec/topic.hpp"

namespace broker_fuzz {

namespace {

/// The largest packet a client may send (broker_options::maximum_packet_size in the target).
constexpr std::uint32_t input_packet_limit = 4096;

std::string hex_of(std::string_view s) {
    std::string out;
    for (const unsigned char ch : s) {
        if (ch >= 0x20 && ch < 0x7F) {
            out.push_back(static_cast<char>(ch));
        } else {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\x%02x", ch);
            out += buffer;
        }
    }
    return out;
}

/// Whether a subscription with this filter (as subscribed) takes a PUBLISH on `topic`.
bool filter_takes(const std::string& filter, const std::string& topic) {
    if (const auto shared = codec::parse_shared_subscription(filter)) {
        // Before 5.0 the broker still treats $share/ as shared; accept either reading.
        return codec::topic_matches(shared->filter, topic) || codec::topic_matches(filter, topic);
    }
    return codec::topic_matches(filter, topic);
}

void keep_highest(std::map<std::string, codec::qos>& m, const std::string& filter, codec::qos q) {
    auto [it, inserted] = m.emplace(filter, q);
    if (!inserted)
        it->second = std::max(it->second, q);
}

}  // namespace

void fail(const std::string& what) {
    std::fprintf(stderr, "\n==broker_session_fuzzer== INVARIANT BROKEN: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

delivery_checker::delivery_checker(broker::broker& b) : broker_(b) {}

void delivery_checker::open(std::size_t slot, broker::time_point now) {
    connection_model c;
    c.id = broker_.open(now, "fuzz");
    c.serial = ++next_serial_;
    c.input = codec::frame_reader(input_packet_limit);
    slots_[slot] = std::move(c);
}

void delivery_checker::close(std::size_t slot, broker::time_point now) {
    broker_.close(slots_[slot].id, now);
    slots_[slot].output_pending = 0;
    drain();
}

void delivery_checker::written(std::size_t slot, broker::time_point now) {
    slots_[slot].output_pending = 0;
    broker_.written(slots_[slot].id, now);
    drain();
}

void delivery_checker::receive(std::size_t slot, bytes_view bytes, broker::time_point now) {
    auto& c = slots_[slot];
    const std::size_t chunk_offset = c.input_offset;
    c.input.feed(bytes);
    c.input_offset += bytes.size();
    std::size_t given = 0;  // bytes of `bytes` the broker has
    codec::packet p;
    while (!c.input_failed) {
        auto next = c.input.next();
        if (!next) {
            c.input_failed = true;  // the broker fails on the same bytes and closes
            break;
        }
        if (!*next)
            break;
        const codec::frame& f = **next;
        const std::size_t end = f.offset + f.bytes.size() - chunk_offset;
        auto decoded = codec::decode_body(f, c.version);
        const bool first_is_connect = c.version_known || f.type() == codec::packet_type::connect;
        const bool processed = !broker_.should_close(c.id);
        broker_.receive(c.id, bytes.subspan(given, end - given), now);
        given = end;
        if (!decoded || !first_is_connect) {
            c.input_failed = true;
        } else if (processed) {
            on_input(c, *decoded);
        }
        drain();
    }
    if (given < bytes.size()) {
        broker_.receive(c.id, bytes.subspan(given), now);
        drain();
    }
}

void delivery_checker::on_input(connection_model& c, const codec::packet& p) {
    if (const auto* connect = std::get_if<codec::connect>(&p)) {
        if (c.version_known)
            return;  // a second CONNECT: the broker closes
        c.version_known = true;
        c.version = connect->version;
        c.input.set_protocol(c.version);
        c.output.set_protocol(c.version);
        c.client_id = connect->client_id;
        return;
    }
    if (const auto* sub = std::get_if<codec::subscribe>(&p)) {
        c.subscribes.push_back({sub->packet_id, sub->subscriptions});
        return;
    }
    if (const auto* unsub = std::get_if<codec::unsubscribe>(&p)) {
        c.unsubscribes.push_back({unsub->packet_id, unsub->topic_filters});
        return;
    }
    // Acknowledgements of the broker's PUBLISH, as the broker applies them.
    session_model* s = session_of(c);
    if (!s)
        return;
    using stage = session_model::stage;
    if (const auto* ack = std::get_if<codec::puback>(&p)) {
        const auto it = s->outgoing.find(ack->packet_id);
        if (it != s->outgoing.end() && it->second.awaiting == stage::puback)
            s->outgoing.erase(it);
    } else if (const auto* rec = std::get_if<codec::pubrec>(&p)) {
        const auto it = s->outgoing.find(rec->packet_id);
        if (it != s->outgoing.end() && it->second.awaiting != stage::puback) {
            if (codec::is_failure(rec->reason_code))
                s->outgoing.erase(it);
            else
                it->second.awaiting = stage::pubcomp;
        }
    } else if (const auto* comp = std::get_if<codec::pubcomp>(&p)) {
        const auto it = s->outgoing.find(comp->packet_id);
        if (it != s->outgoing.end() && it->second.awaiting == stage::pubcomp)
            s->outgoing.erase(it);
    }
}

session_model* delivery_checker::session_of(connection_model& c) {
    if (!c.attached)
        return nullptr;
    return &sessions_[c.session];
}

void delivery_checker::drain() {
    for (std::size_t slot = 0; slot < slot_count; ++slot) {
        auto& c = slots_[slot];
        if (!broker_.take_output(c.id, taken_))
            continue;
        c.output_pending += taken_.size();
        if (!c.version_known)
            continue;  // answered at a level the checker does not know
        c.output.feed(taken_);
        codec::packet p;
        codec::decode_error error;
        while (true) {
            auto next = c.output.next();
            if (!next)
                fail("the broker's output to slot " + std::to_string(slot) +
                     " does not frame: " + next.error().message);
            if (!*next)
                break;
            if (!codec::decode_body(**next, c.version, p, error)) {
                fail("the broker's output to slot " + std::to_string(slot) +
                     " does not decode: " + error.message);
            }
            on_output(slot, c, p);
        }
    }
    // Filters unsubscribed or replaced stop counting once nothing is queued for the session.
    for (auto& [key, s] : sessions_) {
        if (!s.retired.empty() && !key.empty() && key[0] != '\0' &&
            broker_.queued_messages(key) == 0) {
            s.retired.clear();
        }
    }
}

void delivery_checker::on_output(std::size_t slot, connection_model& c, const codec::packet& p) {
    if (const auto* ack = std::get_if<codec::connack>(&p)) {
        on_connack(c, *ack);
        return;
    }
    if (const auto* publish = std::get_if<codec::publish>(&p)) {
        on_publish(slot, c, *publish);
        return;
    }
    session_model* s = session_of(c);
    if (const auto* ack = std::get_if<codec::suback>(&p)) {
        const auto it = std::find_if(c.subscribes.begin(), c.subscribes.end(),
                                     [&](const auto& q) { return q.id == ack->packet_id; });
        if (!s)
            return;
        if (it == c.subscribes.end() || it->subscriptions.size() != ack->reason_codes.size()) {
            s->known = false;  // a SUBACK the checker cannot place
            return;
        }
        for (std::size_t i = 0; i < ack->reason_codes.size(); ++i) {
            const auto code = static_cast<std::uint8_t>(ack->reason_codes[i]);
            if (code >= 0x80)
                continue;
            const std::string& filter = it->subscriptions[i].topic_filter;
            if (const auto old = s->active.find(filter); old != s->active.end())
                keep_highest(s->retired, filter, old->second);  // queued at the old QoS
            s->active[filter] = static_cast<codec::qos>(std::min<std::uint8_t>(code, 2));
        }
        c.subscribes.erase(it);
        return;
    }
    if (const auto* ack = std::get_if<codec::unsuback>(&p)) {
        const auto it = std::find_if(c.unsubscribes.begin(), c.unsubscribes.end(),
                                     [&](const auto& q) { return q.id == ack->packet_id; });
        if (!s)
            return;
        if (it == c.unsubscribes.end()) {
            s->known = false;
            return;
        }
        for (const auto& filter : it->filters) {
            if (const auto old = s->active.find(filter); old != s->active.end()) {
                keep_highest(s->retired, filter, old->second);
                s->active.erase(old);
            }
        }
        c.unsubscribes.erase(it);
    }
}

void delivery_checker::on_connack(connection_model& c, const codec::connack& p) {
    if (codec::is_failure(p.reason_code))
        return;
    c.attached = true;
    if (!c.client_id.empty()) {
        c.session = c.client_id;
    } else if (const auto* assigned =
                   p.properties.string(codec::property_id::assigned_client_identifier)) {
        c.session = *assigned;
    } else {
        // A 3.1.1 client without an identifier: the broker's name for it is not on the wire.
        c.session = std::string(1, '\0') + std::to_string(c.serial);
    }
    auto& s = sessions_[c.session];
    if (!p.session_present) {
        s = session_model{};
        s.known = true;
    }
}

void delivery_checker::on_publish(std::size_t slot, connection_model& c, const codec::publish& p) {
    const std::string where = "PUBLISH to slot " + std::to_string(slot);
    session_model* s = session_of(c);
    if (!s)
        fail(where + " before a CONNACK accepted the connection");
    std::string topic = p.topic;
    if (const auto alias = p.properties.integer(codec::property_id::topic_alias)) {
        const auto key = static_cast<std::uint16_t>(*alias);
        if (!topic.empty()) {
            c.aliases[key] = topic;
        } else if (const auto it = c.aliases.find(key); it != c.aliases.end()) {
            topic = it->second;
        } else {
            fail(where + " uses topic alias " + std::to_string(key) + ", which was never set");
        }
    }
    if (!s->known)
        return;
    if (p.qos != codec::qos::at_most_once) {
        using stage = session_model::stage;
        const auto it = s->outgoing.find(p.packet_id);
        if (it != s->outgoing.end()) {
            const std::string id = "packet id " + std::to_string(p.packet_id);
            if (it->second.awaiting == stage::pubcomp)
                fail(where + " reuses " + id + ", whose QoS 2 flow still awaits PUBCOMP");
            if (it->second.connection == c.serial)
                fail(where + " reuses " + id + ", still in flight on this connection (topic " +
                     hex_of(it->second.topic) + ", now " + hex_of(topic) + ")");
            if (p.dup && it->second.topic == topic) {
                it->second.connection = c.serial;  // the resend after a reconnect
                return;
            }
        }
        // New, or the broker gave up the old message (expired, too large) and reuses its id.
        s->outgoing[p.packet_id] = {
            topic, p.qos == codec::qos::at_least_once ? stage::puback : stage::pubrec, c.serial};
    }
    bool matched = false;
    codec::qos granted = codec::qos::at_most_once;
    for (const auto* filters : {&s->active, &s->retired}) {
        for (const auto& [filter, q] : *filters) {
            if (filter_takes(filter, topic)) {
                matched = true;
                granted = std::max(granted, q);
            }
        }
    }
    if (!matched)
        fail(where + " (session \"" + hex_of(c.session) + "\") on topic \"" + hex_of(topic) +
             "\" matches none of its subscriptions");
    if (p.qos > granted)
        fail(where + " on topic \"" + hex_of(topic) + "\" at QoS " +
             std::to_string(static_cast<int>(p.qos)) + ", above the QoS granted (" +
             std::to_string(static_cast<int>(granted)) + ")");
}

}  // namespace broker_fuzz
