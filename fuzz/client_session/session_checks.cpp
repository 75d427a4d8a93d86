// The client_session target's invariants, checked after every operation: events against the ids
// the API handed out, the session's output decoded with the codec (PUBLISH ids in flight unique,
// DUP only for a resend on a new connection), and the output budget.
#include <string>
#include <variant>

#include "harness/codec/codec.hpp"
#include "session_driver.hpp"

namespace client_fuzz {

namespace {

std::string id_text(std::uint16_t id) {
    return "packet id " + std::to_string(id);
}

/// Removes `id` from `uses`, or fails: a completion for an id the script never got, or twice.
void completed(std::map<std::uint16_t, unsigned>& uses, std::uint16_t id, const char* event) {
    if (uses.erase(id) == 0) {
        fail(std::string(event) + " for " + id_text(id) +
             ", which the API did not hand out or which was already reported");
    }
}

}  // namespace

void session_driver::handed_out(std::uint16_t id, std::map<std::uint16_t, unsigned>& uses) {
    if (id == 0)
        fail("the API handed out packet id 0");
    if (publishes_.contains(id) || subscribes_.contains(id) || unsubscribes_.contains(id))
        fail("the API handed out " + id_text(id) + ", which is still in use");
    uses[id] = 1;
}

void session_driver::after_operation() {
    take_events();
    check_output();
    if (session_.output().size() > budget_) {
        fail("output() holds " + std::to_string(session_.output().size()) +
             " bytes, more than the script's operations can explain (" + std::to_string(budget_) +
             ")");
    }
}

void session_driver::take_events() {
    while (session_.has_event()) {
        const client::event e = session_.pop_event();
        if (const auto* done = std::get_if<client::publish_done_event>(&e)) {
            completed(publishes_, done->packet_id, "publish_done");
            wire_in_flight_.erase(done->packet_id);
        } else if (const auto* sub = std::get_if<client::subscribe_done_event>(&e)) {
            completed(subscribes_, sub->packet_id, "subscribe_done");
        } else if (const auto* unsub = std::get_if<client::unsubscribe_done_event>(&e)) {
            completed(unsubscribes_, unsub->packet_id, "unsubscribe_done");
        } else if (const auto* connected = std::get_if<client::connected_event>(&e)) {
            if (!connected->connack.session_present) {
                // No session on the server: SUBSCRIBE/UNSUBSCRIBE awaiting an answer are
                // dropped without an event (in-flight PUBLISH got publish_done before this).
                subscribes_.clear();
                unsubscribes_.clear();
            }
        } else if (const auto* message = std::get_if<client::message_event>(&e)) {
            if (message->message.topic.empty())
                fail("a message event without a topic (topic alias not resolved)");
        }
    }
}

void session_driver::check_output() {
    const auto out = session_.output();
    if (output_seen_ > out.size())
        fail("output() shrank without consume_output() or start()");
    output_reader_.feed(out.subspan(output_seen_));
    output_seen_ = out.size();
    codec::packet p;
    codec::decode_error error;
    while (true) {
        auto next = output_reader_.next();
        if (!next)
            fail("the session's output does not frame: " + next.error().message);
        if (!*next)
            break;
        if (!codec::decode_body(**next, version_, p, error)) {
            fail("the session's output does not decode: " + error.message);
        }
        on_output_packet(p);
    }
}

void session_driver::on_output_packet(const codec::packet& p) {
    if (const auto* sub = std::get_if<codec::subscribe>(&p)) {
        if (!subscribes_.contains(sub->packet_id))
            fail("SUBSCRIBE with " + id_text(sub->packet_id) + ", which the API did not hand out");
        return;
    }
    if (const auto* unsub = std::get_if<codec::unsubscribe>(&p)) {
        if (!unsubscribes_.contains(unsub->packet_id))
            fail("UNSUBSCRIBE with " + id_text(unsub->packet_id) +
                 ", which the API did not hand out");
        return;
    }
    const auto* message = std::get_if<codec::publish>(&p);
    if (!message || message->qos == codec::qos::at_most_once)
        return;
    const std::uint16_t id = message->packet_id;
    if (!publishes_.contains(id))
        fail("PUBLISH with " + id_text(id) + ", which the API did not hand out or which completed");
    const auto it = wire_in_flight_.find(id);
    if (!message->dup) {
        if (it != wire_in_flight_.end())
            fail("a new PUBLISH reuses " + id_text(id) + ", which is still in flight");
        wire_in_flight_[id] = connection_;
        return;
    }
    if (it == wire_in_flight_.end())
        fail("PUBLISH with DUP for " + id_text(id) + ", which was never sent");
    if (it->second == connection_)
        fail("PUBLISH " + id_text(id) + " resent with DUP on the connection it was sent on");
    it->second = connection_;
}

}  // namespace client_fuzz
