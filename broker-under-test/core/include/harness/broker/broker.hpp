// The embedded broker's core: every connection's protocol state machine, the sessions, the
// router and the retained store, with no I/O. The server feeds it bytes and time and moves the
// bytes it produces; tests and fuzzers drive it directly.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "harness/broker/faults.hpp"
#include "harness/broker/options.hpp"
#include "harness/codec/packets.hpp"

namespace harness::broker {

using clock = std::chrono::steady_clock;
using time_point = clock::time_point;
using connection_id = std::uint64_t;

/// Sees every packet a connection receives (decoded) and sends, with the time it happened.
using packet_observer =
    std::function<void(connection_id, direction, const codec::packet&, time_point)>;

/// Counters over the broker's life (the $SYS topics read these).
struct broker_stats {
    std::uint64_t connections_opened = 0;
    std::uint64_t clients_connected = 0;  // now
    std::uint64_t clients_maximum = 0;    // most clients connected at once
    std::uint64_t messages_received = 0;  // PUBLISH from clients
    std::uint64_t messages_sent = 0;      // PUBLISH to clients, retries included
    std::uint64_t messages_dropped = 0;   // queue full, too large for the client, expired
    std::uint64_t bytes_received = 0;
    std::uint64_t bytes_sent = 0;
    std::uint64_t protocol_errors = 0;  // connections closed for malformed or illegal input
};

/// What the transport knows of a new connection.
struct connection_info {
    /// The peer, for logs ("127.0.0.1:50312").
    std::string remote;
    /// The listener it came in on: selects broker_options::listener_access.
    std::uint16_t listener = 0;
    /// Mosquitto's use_identity_as_username: the identity of the TLS client certificate (its
    /// common name) replaces the user name of CONNECT and no password is checked; a connection
    /// without one (empty) is refused with Not authorized. Unset: the listener does not do this.
    std::optional<std::string> certificate_identity;
};

class broker {
  public:
    explicit broker(broker_options options = {});
    ~broker();
    broker(const broker&) = delete;
    broker& operator=(const broker&) = delete;

    /// A transport connection was accepted; `remote` names the peer in logs.
    connection_id open(time_point now, std::string remote = {});
    connection_id open(time_point now, connection_info info);
    /// Bytes received on a connection.
    void receive(connection_id id, std::span<const std::uint8_t> bytes, time_point now);
    /// The transport is gone (closed by either side, or failed). Frees the connection; an
    /// abnormal end publishes the will.
    void close(connection_id id, time_point now);
    /// Runs timers due at `now`: keep-alive, CONNECT timeout, will delay, session expiry, and
    /// the $SYS updates. The $SYS clock (uptime, first publication) starts with the first time
    /// the core is given, by tick() or open(): a server ticks once when it starts.
    void tick(time_point now);
    /// When tick() next has work; nullopt when no timer runs.
    std::optional<time_point> next_deadline() const;

    /// Connections that got output or a close request since the last call.
    std::vector<connection_id> take_ready();
    /// Moves the connection's pending output into `into` (swapped, so no copy); the bytes count
    /// as in transit until written() is called. False when there is nothing to send.
    bool take_output(connection_id id, std::vector<std::uint8_t>& into);
    /// The bytes last taken have been written: lets queued messages flow again.
    void written(connection_id id, time_point now);
    /// True once the connection should be closed after its output is written.
    bool should_close(connection_id id) const;

    /// Ends a client's connection from the broker side (5.0: DISCONNECT with `reason`).
    bool disconnect_client(const std::string& client_id, codec::disconnect_reason reason,
                           time_point now);

    /// Fault hooks: a rule acts on the packets that match it (see faults.hpp).
    fault_id add_fault(fault_rule rule);
    bool remove_fault(fault_id id);
    /// CONNECT is refused (server unavailable) until `until`.
    void refuse_connections_until(time_point until);

    void observe(packet_observer observer);
    /// Receives one line per notable event (connections, refusals, protocol errors).
    void log_to(std::function<void(const std::string&)> sink);
    /// Writes a line to that sink: for what the transport sees before the core does (a failed
    /// TLS handshake or WebSocket upgrade).
    void note(const std::string& line) const;

    const broker_stats& stats() const noexcept;
    const broker_options& options() const noexcept;
    std::size_t session_count() const noexcept;
    std::size_t retained_count() const noexcept;
    /// Messages waiting (queued, not yet in flight) for a client's session; 0 when unknown.
    std::size_t queued_messages(const std::string& client_id) const;

    struct impl;

  private:
    std::unique_ptr<impl> impl_;
};

}  // namespace harness::broker
