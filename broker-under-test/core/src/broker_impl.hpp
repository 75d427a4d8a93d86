// The broker core's internal state: connections, sessions, the shared message type, and the
// handlers split over connect_flow.cpp, publish_flow.cpp, subscribe_flow.cpp and broker.cpp.
#pragma once

#include <array>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "fifo.hpp"
#include "harness/broker/broker.hpp"
#include "harness/broker/retained_store.hpp"
#include "harness/broker/topic_tree.hpp"
#include "harness/codec/codec.hpp"
#include "harness/codec/framing.hpp"

namespace harness::broker {

/// An application message as the router holds it: shared by every delivery, never changed.
struct message {
    std::string topic;
    codec::binary payload;
    codec::qos qos = codec::qos::at_most_once;
    bool retain = false;
    /// Properties to forward (5.0), without topic alias, subscription identifiers and
    /// message expiry (written per delivery).
    codec::property_list properties;
    std::optional<time_point> expires_at;
    session_key origin = 0;  // for no-local
};
using message_ptr = std::shared_ptr<const message>;

/// One delivery to one session: the message, the QoS granted and what the subscriptions say.
struct delivery {
    message_ptr msg;
    codec::qos qos = codec::qos::at_most_once;
    bool retain = false;
    std::vector<std::uint32_t> subscription_ids;
};

/// An outgoing QoS 1/2 message not yet completed.
struct inflight {
    delivery d;
    enum class stage { puback, pubrec, pubcomp } awaiting = stage::puback;
    std::uint64_t order = 0;  // send order, for redelivery in the same order
};

/// A session's messages in flight and waiting.
struct session_flow {
    std::map<std::uint16_t, inflight> outgoing;  // by packet id
    fifo<delivery> queue;                        // waiting for the window or the connection
    std::size_t queued_bytes = 0;
    std::set<std::uint16_t> incoming_qos2;  // PUBREC sent, PUBREL not yet received
    std::uint16_t last_packet_id = 0;
    std::uint64_t send_order = 0;
};

/// What outlives a connection when the session is persistent.
struct session_state {
    session_key key = 0;
    std::string client_id;
    /// The user name of the connection that last attached the session (for authorize).
    std::optional<std::string> username;
    connection_id connection = 0;
    std::uint16_t listener =
        0;  // of the connection that last attached it (for authorize)          // 0 while offline
    std::uint32_t expiry_interval = 0;     // seconds; 0xFFFFFFFF: never
    std::optional<time_point> expires_at;  // set while offline
    /// The message flow: allocated on first use, so an idle session does not carry it.
    std::unique_ptr<session_flow> flow_;
    session_flow& flow() {
        if (!flow_)
            flow_ = std::make_unique<session_flow>();
        return *flow_;
    }
    std::size_t queued() const noexcept { return flow_ ? flow_->queue.size() : 0; }
    /// A will waiting for its delay (the connection ended abnormally).
    std::unique_ptr<codec::will_message> pending_will;
    std::optional<time_point> will_at;
};

struct connection {
    /// PUBACK/PUBREC held back while a subscriber's queue is over its limit (flow control:
    /// the publisher's window stalls instead of messages being dropped). Sent in order.
    struct held_ack {
        std::uint16_t packet_id;
        codec::qos qos;
        codec::puback_reason reason;
        std::vector<session_key> blockers;  // sessions whose full queue took the message
    };
    enum class phase : std::uint8_t { awaiting_connect, connected, closing };

    // Wide members first, narrow ones last: an idle broker holds one of these per connection.
    connection_id id = 0;
    std::string remote;
    codec::frame_reader reader;
    session_key session = 0;
    time_point deadline;  // CONNECT timeout, then keep-alive (1.5x); max when none
    std::chrono::milliseconds keep_alive{0};
    std::vector<std::uint8_t> out;              // encoded, not yet taken by the transport
    std::size_t in_transit = 0;                 // taken, not yet written
    std::unique_ptr<codec::will_message> will;  // pointers: most connections have none
    std::unique_ptr<std::unordered_map<std::uint16_t, std::string>> topic_aliases;  // in
    std::unique_ptr<std::vector<held_ack>> held_acks;
    std::unique_ptr<std::string> certificate_identity;  // set: use_identity_as_username
    // Limits the client set in CONNECT (5.0).
    std::uint32_t client_maximum_packet_size = codec::max_packet_size;
    std::uint32_t will_delay = 0;
    std::uint16_t client_receive_maximum = 65535;
    std::uint16_t listener = 0;
    codec::protocol_version version = codec::protocol_version::v5;
    phase state = phase::awaiting_connect;
    bool ready = false;  // listed for take_ready()
    bool problem_information = true;
    bool will_on_close = true;  // cleared by DISCONNECT 0x00
};

/// The $SYS/broker tree's state (sys_topics.cpp): its clock, the counters at the last update
/// (for the load averages) and the payload last published per topic (only changes are sent).
struct sys_state {
    bool started = false;
    time_point start;
    time_point last;  // the last update
    time_point next;  // the next update
    /// Counters at the last update, and their decaying averages per minute over 1, 5 and 15
    /// minutes, in the order of sys_topics.cpp's load table.
    std::array<std::uint64_t, 5> counted{};
    std::array<std::array<double, 3>, 5> load{};
    std::unordered_map<std::string, std::string> published;
};

inline bool is_v5(const connection& c) {
    return c.version == codec::protocol_version::v5;
}

struct broker::impl {
    explicit impl(broker_options o);

    broker_options options;
    /// Whether any listener's rules have an authorize hook (spares the per-message lookups).
    bool any_authorize = false;
    broker_stats stats;
    packet_observer observer;
    std::function<void(const std::string&)> log;
    std::unordered_map<connection_id, connection> connections;
    std::unordered_map<session_key, session_state> sessions;
    /// Keys view the sessions' own client_id strings (sessions are map nodes: they do not move).
    std::unordered_map<std::string_view, session_key> by_client_id;
    topic_tree subscriptions;
    retained_store retained;
    std::vector<connection_id> ready;
    connection_id last_connection = 0;
    session_key last_session = 0;
    std::uint64_t assigned_ids = 0;
    codec::publish scratch_publish;  // reused to encode outgoing PUBLISH
    codec::packet scratch_in;        // decode target reused across packets and connections
    struct match_entry {
        session_key session;
        const subscriber* sub;
    };
    std::vector<match_entry> scratch_matches;  // reused by route()
    /// While route() runs for a client's PUBLISH: the publishing connection, and the sessions
    /// whose full queue took a QoS 1/2 message beyond the limit.
    connection_id routing_from = 0;
    std::vector<session_key> overfull;
    std::set<connection_id> holding_acks;  // connections with held_acks

    // Fault hooks (fault_hooks.cpp).
    struct active_fault {
        fault_id id;
        fault_rule rule;
        std::uint32_t applied = 0;
    };
    std::vector<active_fault> faults;
    fault_id last_fault = 0;
    time_point refuse_until{};
    struct delayed_in {
        time_point due;
        connection_id connection;
        codec::packet packet;
    };
    struct delayed_out {
        time_point due;
        connection_id connection;
        std::vector<std::uint8_t> bytes;
    };
    std::vector<delayed_in> held_in;
    std::vector<delayed_out> held_out;
    /// The first rule that matches the packet, counted as applied (and retired when used up).
    std::optional<fault_rule> take_fault(const connection& c, direction d, const codec::packet& p);
    /// Applies an outgoing rule to the bytes [before, end) of c.out just encoded; false when the
    /// packet is not sent now (dropped or delayed).
    bool fault_out(connection& c, const codec::packet& p, std::size_t before, time_point now);
    void run_delayed(time_point now);
    std::optional<time_point> earliest_delayed() const;
    time_point next_sweep{};  // timers are checked once a second

    // sys_topics.cpp: $SYS/broker/... every options.sys_interval
    sys_state sys;
    /// Starts the $SYS clock at the first time seen (publishing the first values), then
    /// publishes the values due at `now`.
    void run_sys(time_point now);
    /// The next $SYS update; nullopt when disabled or the clock has not started.
    std::optional<time_point> sys_deadline() const;

    // broker.cpp: plumbing
    void note(const std::string& line) const;
    void mark_ready(connection& c);
    void send(connection& c, const codec::packet& p, time_point now);
    /// The rest of send() once `p` is encoded at c.out[before..]: fault rules, stats, observer.
    void send_encoded(connection& c, const codec::packet& p, std::size_t before, time_point now);
    void close_with(connection& c, codec::disconnect_reason reason, std::string why,
                    time_point now);
    void handle(connection& c, codec::packet& p, time_point now);
    void end_connection(connection& c, time_point now);
    session_state* session_of(const connection& c);
    /// The client identifier of the connection's session; empty before CONNECT is accepted.
    const std::string& client_id_of(const connection& c);
    /// For logs: the client identifier, or the peer's address before there is one.
    const std::string& name_of(const connection& c);
    void add_reason_string(const connection& c, codec::property_list& props,
                           const std::string& why) const;
    /// The access rules of a listener (broker_options::listener_access, else access).
    const access_rules& rules_of(std::uint16_t listener) const;
    /// The authorize hook of the session's listener for its client (true without the hook).
    bool authorized(const session_state& s, std::string_view topic, acl_access access) const;
    /// Whether a client's message (a PUBLISH or its will) may go to `topic`: $SYS belongs to the
    /// broker, the rest is up to the ACL.
    bool may_publish(const session_state& s, std::string_view topic) const;

    // connect_flow.cpp
    void on_connect(connection& c, codec::connect& p, time_point now);
    void refuse(connection& c, codec::connack_reason reason, std::string why, time_point now,
                std::string_view client_id = {});
    void on_disconnect(connection& c, const codec::disconnect& p, time_point now);
    void publish_will(const codec::will_message& will, session_key origin, time_point now);
    void detach_session(connection& c, time_point now);
    void end_session(session_key key, time_point now);
    void run_session_timers(time_point now);
    std::string assign_client_id();

    // publish_flow.cpp
    void on_publish(connection& c, codec::publish& p, time_point now);
    void on_puback(connection& c, std::uint16_t id, time_point now);
    void on_pubrec(connection& c, const codec::pubrec& p, time_point now);
    void on_pubrel(connection& c, const codec::pubrel& p, time_point now);
    void on_pubcomp(connection& c, std::uint16_t id, time_point now);
    /// Stores (or, with an empty payload, deletes) the topic's retained message.
    void retain(const message_ptr& m);
    /// Routes a message to every matching subscription; returns how many sessions got it.
    std::size_t route(const message_ptr& m, time_point now);
    void deliver(session_state& s, delivery d, time_point now);
    bool queue_full(const session_state& s, std::size_t extra_bytes) const;
    /// The session's queue holds max_queued_messages: nothing more is queued outside routing a
    /// client's PUBLISH (where QoS 1/2 may wait), whatever its size.
    bool queue_at_limit(const session_state& s) const;
    /// Sends the held acknowledgements whose subscribers' queues have room again, in order.
    void release_acks(time_point now);
    /// Moves queued messages onto the wire while the window and the output buffer allow.
    void pump(session_state& s, time_point now);
    bool send_publish(connection& c, session_state& s, const delivery& d, std::uint16_t id,
                      bool dup, time_point now);
    void resend_inflight(connection& c, session_state& s, time_point now);
    std::uint16_t window(const connection& c) const;

    // subscribe_flow.cpp
    void on_subscribe(connection& c, codec::subscribe& p, time_point now);
    void on_unsubscribe(connection& c, const codec::unsubscribe& p, time_point now);
};

}  // namespace harness::broker
