// Delivery invariants for the broker_session fuzz target. The checker feeds each slot's bytes to
// the broker one packet at a time, takes every connection's output after each packet, and decodes
// both directions with the codec, so that what the broker sends is seen in order with what it was
// sent. Per session (by client identifier) it keeps the subscriptions the broker acknowledged and
// its QoS 1/2 PUBLISH ids in flight, and checks:
//   - every PUBLISH to a client matches a subscription of its session, at no more than the
//     granted QoS (shared subscriptions by their filter; filters unsubscribed or replaced still
//     count while the session has queued messages, which the broker may still deliver);
//   - ids of QoS 1/2 PUBLISH in flight are unique: a PUBLISH may reuse an id only once the
//     client's PUBACK / PUBCOMP (or a failed PUBREC) freed it; after a reconnect with the session
//     kept, a resend with DUP of the same id and topic is allowed;
//   - the broker's output frames and decodes, and no PUBLISH comes before a successful CONNACK.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "harness/broker/broker.hpp"
#include "harness/codec/codec.hpp"

namespace broker_fuzz {

namespace broker = harness::broker;
namespace codec = harness::codec;
using bytes_view = std::span<const std::uint8_t>;

constexpr std::size_t slot_count = 3;

[[noreturn]] void fail(const std::string& what);

/// What the checker knows of one session on the broker.
struct session_model {
    bool known = false;  // created (session present 0) while the checker watched
    std::map<std::string, codec::qos> active;
    std::map<std::string, codec::qos> retired;  // may still have messages queued for them
    enum class stage : std::uint8_t { puback, pubrec, pubcomp };
    struct in_flight {
        std::string topic;
        stage awaiting = stage::puback;
        unsigned connection = 0;
    };
    std::map<std::uint16_t, in_flight> outgoing;
};

/// One connection in a slot: both streams' readers and what its packets said so far.
struct connection_model {
    broker::connection_id id = 0;
    unsigned serial = 0;
    codec::frame_reader input;
    codec::frame_reader output;
    std::size_t input_offset = 0;  // stream offset of the next byte given to `input`
    bool input_failed = false;
    bool version_known = false;  // a CONNECT decoded: the broker answers at its level
    codec::protocol_version version = codec::protocol_version::v5;
    std::string client_id;
    std::string session;  // key into the sessions, once CONNACK accepted
    bool attached = false;
    struct pending_subscribe {
        std::uint16_t id;
        std::vector<codec::subscription> subscriptions;
    };
    struct pending_unsubscribe {
        std::uint16_t id;
        std::vector<std::string> filters;
    };
    std::deque<pending_subscribe> subscribes;
    std::deque<pending_unsubscribe> unsubscribes;
    std::unordered_map<std::uint16_t, std::string> aliases;
    std::size_t output_pending = 0;  // taken from the broker, not yet written
};

class delivery_checker {
  public:
    explicit delivery_checker(broker::broker& b);

    /// A new connection takes the slot.
    void open(std::size_t slot, broker::time_point now);
    /// The transport of the slot closes (the slot is empty until open()).
    void close(std::size_t slot, broker::time_point now);
    /// Bytes from the slot's client, given to the broker packet by packet.
    void receive(std::size_t slot, bytes_view bytes, broker::time_point now);
    /// Takes every connection's output and checks it; call after anything the broker did.
    void drain();

    broker::connection_id id(std::size_t slot) const { return slots_[slot].id; }
    /// Output taken since the slot's last written().
    std::size_t output_pending(std::size_t slot) const { return slots_[slot].output_pending; }
    void written(std::size_t slot, broker::time_point now);

  private:
    void on_input(connection_model& c, const codec::packet& p);
    void on_output(std::size_t slot, connection_model& c, const codec::packet& p);
    void on_connack(connection_model& c, const codec::connack& p);
    void on_publish(std::size_t slot, connection_model& c, const codec::publish& p);
    session_model* session_of(connection_model& c);

    broker::broker& broker_;
    std::array<connection_model, slot_count> slots_;
    std::map<std::string, session_model> sessions_;
    unsigned next_serial_ = 0;
    std::vector<std::uint8_t> taken_;
};

}  // namespace broker_fuzz
