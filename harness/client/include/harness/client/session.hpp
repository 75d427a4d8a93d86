// The MQTT client session as a state machine: bytes and time in, bytes to send and events out.
// It never touches a socket or reads a clock, so it is tested and fuzzed without either; the
// asynchronous driver only moves bytes between it and a transport.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "harness/client/error.hpp"
#include "harness/client/packet_ids.hpp"
#include "harness/codec/codec.hpp"
#include "harness/codec/expected.hpp"
#include "harness/codec/framing.hpp"

namespace harness::client {

using clock = std::chrono::steady_clock;
using time_point = clock::time_point;

struct session_options {
    /// The CONNECT to send: version, client id, clean start, keep alive, credentials, will and
    /// properties. Receive Maximum, Topic Alias Maximum and Maximum Packet Size given here are
    /// what the session enforces on the server.
    codec::connect connect;
    std::chrono::milliseconds connect_timeout{10'000};
    /// How long to wait for PINGRESP before declaring the server dead; zero means the keep-alive
    /// interval itself.
    std::chrono::milliseconds ping_timeout{0};
};

// --- Events the session reports -----------------------------------------------------------

/// CONNACK accepted the connection.
struct connected_event {
    codec::connack connack;
};

/// An application message from the server, delivered once (QoS 2 duplicates are dropped) with
/// its topic alias resolved.
struct message_event {
    codec::publish message;
};

/// A QoS 1 or 2 PUBLISH of ours completed (PUBACK, PUBCOMP, or a PUBREC with a failure code), or
/// failed because the session was lost.
struct publish_done_event {
    std::uint16_t packet_id = 0;
    std::uint8_t reason_code = 0;  // of the PUBACK/PUBREC/PUBCOMP; 0 in 3.1.1
    codec::property_list properties;
    std::error_code error;  // session_lost when it never completed

    bool ok() const noexcept { return !error && reason_code < 0x80; }
};

struct subscribe_done_event {
    std::uint16_t packet_id = 0;
    std::vector<codec::suback_reason> reason_codes;
    codec::property_list properties;
};

struct unsubscribe_done_event {
    std::uint16_t packet_id = 0;
    std::vector<codec::unsuback_reason> reason_codes;  // empty in 3.1.1
    codec::property_list properties;
};

/// AUTH from the server (enhanced authentication); answer with session::send_auth.
struct auth_event {
    codec::auth packet;
};

/// The connection ended: by the server's DISCONNECT, a refusal, a protocol error, a timeout or
/// the transport. `message` says what happened in words.
struct disconnected_event {
    std::error_code error;
    std::string message;
    bool by_server = false;
    std::optional<codec::disconnect_reason> reason;  // the server's DISCONNECT reason
    std::optional<codec::connack_reason> refusal;    // the CONNACK reason when refused
    codec::property_list properties;
};

using event = std::variant<connected_event, message_event, publish_done_event, subscribe_done_event,
                           unsubscribe_done_event, auth_event, disconnected_event>;

enum class session_state { idle, connecting, connected, closed };

class session {
  public:
    explicit session(session_options options);

    // --- Connection lifecycle, driven by the transport ---------------------------------------

    /// A new network connection is up: queues CONNECT.
    void start(time_point now);
    /// Bytes received from the server.
    void receive(std::span<const std::uint8_t> bytes, time_point now);
    /// Time has passed: CONNACK timeout, keep-alive PINGREQ, dead-server detection.
    void tick(time_point now);
    /// When tick() must be called next, if anything is timed.
    std::optional<time_point> next_deadline() const;
    /// The transport closed. Session state (in-flight QoS 1/2) is kept for a later start().
    void connection_lost(time_point now);

    /// Bytes to send, in order; consume_output() after they were written.
    std::span<const std::uint8_t> output() const noexcept {
        return {out_.data() + out_pos_, out_.size() - out_pos_};
    }
    void consume_output(std::size_t n) noexcept;
    /// The connection must be closed once output() has been written.
    bool should_close() const noexcept { return state_ == session_state::closed; }

    bool has_event() const noexcept { return !events_.empty(); }
    event pop_event();

    // --- Requests ----------------------------------------------------------------------------

    /// Publishes; returns the packet identifier (0 for QoS 0). QoS 1 and 2 messages beyond the
    /// server's Receive Maximum wait in a queue; while disconnected they wait for the next
    /// connection (QoS 0 needs a connection).
    codec::expected<std::uint16_t, std::error_code> publish(codec::publish message, time_point now);
    codec::expected<std::uint16_t, std::error_code> subscribe(
        std::vector<codec::subscription> subscriptions, codec::property_list properties,
        time_point now);
    codec::expected<std::uint16_t, std::error_code> unsubscribe(
        std::vector<std::string> topic_filters, codec::property_list properties, time_point now);
    /// Sends DISCONNECT (reason and properties in 5.0) and closes.
    void disconnect(codec::disconnect_reason reason, codec::property_list properties,
                    time_point now);
    /// Sends AUTH (enhanced authentication, 5.0).
    void send_auth(const codec::auth& packet, time_point now);

    // --- Inspection --------------------------------------------------------------------------

    session_state state() const noexcept { return state_; }
    codec::protocol_version version() const noexcept { return options_.connect.version; }
    /// The CONNACK of the current connection.
    const std::optional<codec::connack>& connack() const noexcept { return connack_; }
    /// The client identifier in use (the server's assigned one when it gave one).
    const std::string& client_id() const noexcept { return client_id_; }
    std::size_t in_flight() const noexcept { return in_flight_.size(); }
    std::size_t queued() const noexcept { return queue_.size(); }
    /// The keep-alive interval in force (the server's Server Keep Alive overrides ours).
    std::chrono::seconds keep_alive() const noexcept { return keep_alive_; }
    /// Server limits from CONNACK (defaults before).
    std::uint32_t server_receive_maximum() const noexcept { return server_receive_maximum_; }

  private:
    enum class stage { await_puback, await_pubrec, await_pubcomp };
    struct outgoing {
        codec::publish message;
        stage at = stage::await_puback;
        std::uint64_t order = 0;
    };

    void send(const codec::packet& p, time_point now);
    void fail(client_errc error, std::string message,
              std::optional<codec::disconnect_reason> reason, time_point now);
    void close_with(disconnected_event event);

    void on_packet(codec::packet& p, time_point now);
    void on_connack(const codec::connack& p, time_point now);
    void on_publish(codec::publish& p, time_point now);
    void on_puback(const codec::puback& p, time_point now);
    void on_pubrec(const codec::pubrec& p, time_point now);
    void on_pubrel(const codec::pubrel& p, time_point now);
    void on_pubcomp(const codec::pubcomp& p, time_point now);
    void on_disconnect(const codec::disconnect& p);

    void send_in_flight(outgoing& o, time_point now);
    void pump_queue(time_point now);
    void complete(std::uint16_t id, std::uint8_t reason, codec::property_list properties,
                  time_point now);
    void discard_session_state();

    session_options options_;
    session_state state_ = session_state::idle;
    codec::frame_reader reader_;
    std::vector<std::uint8_t> out_;
    std::size_t out_pos_ = 0;
    std::deque<event> events_;

    // Connection state.
    std::optional<codec::connack> connack_;
    std::string client_id_;
    time_point connect_deadline_{};
    time_point last_sent_{};
    std::optional<time_point> ping_sent_;
    std::chrono::seconds keep_alive_{0};
    std::uint32_t server_receive_maximum_ = 65535;
    std::uint32_t server_maximum_packet_size_ = codec::max_packet_size;
    std::uint8_t server_maximum_qos_ = 2;
    bool server_retain_available_ = true;
    std::unordered_map<std::uint16_t, std::string> topic_aliases_;

    // Our limits, from the CONNECT properties.
    std::uint32_t receive_maximum_ = 65535;
    std::uint16_t topic_alias_maximum_ = 0;

    // Session state, kept across connections.
    packet_id_allocator ids_;
    std::map<std::uint16_t, outgoing> in_flight_;
    std::deque<std::uint16_t> queue_;  // waiting for a place in the window
    std::map<std::uint16_t, outgoing> queued_;
    std::set<std::uint16_t> incoming_qos2_;  // PUBREC sent, PUBREL awaited
    std::set<std::uint16_t> pending_subscribe_;
    std::set<std::uint16_t> pending_unsubscribe_;
    std::uint64_t next_order_ = 0;
};

}  // namespace harness::client
