// What the embedded broker offers and enforces: limits, capabilities and flow control. The
// defaults follow Mosquitto's where Mosquitto has one.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/broker/acl_access.hpp"
#include "harness/codec/types.hpp"

namespace harness::broker {

/// Who may connect and what they may do. Hooks rather than files: the core does no I/O and
/// needs no OpenSSL. The auth library (auth/auth_hooks.hpp) fills them from a password file and
/// an ACL file.
struct access_rules {
    /// Whether a CONNECT without a user name is accepted (refused: Not authorized).
    bool allow_anonymous = true;
    /// Checks a user name and password (an absent password is refused without a call); null:
    /// any user name is accepted, as without a password file.
    std::function<bool(std::string_view user, std::string_view password)> authenticate;
    /// Whether a client may publish on (write), receive from (read) or subscribe with
    /// (subscribe) a topic; `user` is nullopt for an anonymous client. Null: everything allowed.
    std::function<bool(std::string_view client_id, std::optional<std::string_view> user,
                       std::string_view topic, acl_access access)>
        authorize;
};

struct broker_options {
    // --- Capabilities announced in CONNACK (MQTT 5.0) and enforced for every version ---------
    codec::qos maximum_qos = codec::qos::exactly_once;
    bool retain_available = true;
    bool wildcard_subscriptions = true;
    bool shared_subscriptions = true;
    bool subscription_identifiers = true;
    /// Incoming PUBLISH QoS 1/2 a client may have unacknowledged (our Receive Maximum).
    std::uint16_t receive_maximum = 65535;
    /// Largest packet accepted from a client; 0 means the protocol's limit (256 MB).
    std::uint32_t maximum_packet_size = 0;
    /// Largest PUBLISH payload accepted (Mosquitto's message_size_limit): a larger one is
    /// acknowledged (5.0: 0x83 Implementation specific error; Mosquitto sends 0x95, not in the
    /// PUBACK table) and dropped, the connection stays. 0: no limit.
    std::uint32_t message_size_limit = 0;
    /// Topic aliases a client may use towards the broker.
    std::uint16_t topic_alias_maximum = 10;
    /// Longest keep alive accepted; a client asking more (or 0) is told Server Keep Alive (5.0).
    /// 0: any.
    std::uint16_t max_keepalive = 0;
    /// Longest session expiry granted, in seconds; 0xFFFFFFFF: no limit.
    std::uint32_t max_session_expiry = 0xFFFFFFFF;

    // --- Flow control towards each client -----------------------------------------------------
    /// Outgoing QoS 1/2 messages in flight per client (also capped by the client's Receive
    /// Maximum); 0: only the client's limit.
    std::uint16_t max_inflight_messages = 20;
    /// Messages waiting per client beyond the in-flight window (online or offline); when full,
    /// new messages for that client are dropped and counted. 0: no limit.
    std::size_t max_queued_messages = 1000;
    /// Payload bytes waiting per client; 0: no limit.
    std::size_t max_queued_bytes = 0;
    /// Encoded bytes handed to the transport but not yet written, per client, above which the
    /// broker stops moving messages from the queue to the wire (a slow reader's backlog stays in
    /// the bounded queue, not in an unbounded buffer).
    std::size_t output_high_water = 256 * 1024;
    /// Queue QoS 0 messages for offline persistent sessions (Mosquitto's queue_qos0_messages).
    bool queue_qos0_offline = false;

    /// How long a connection may take to send CONNECT.
    std::chrono::milliseconds connect_timeout{10'000};

    // --- Authentication and authorization (Mosquitto 2.0's semantics) ------------------------
    /// The rules for every connection, except those of a listener with rules of its own.
    access_rules access;
    /// Mosquitto's per_listener_settings: when not empty, a connection opened on listener i
    /// (connection_info::listener) follows listener_access[i] instead of `access` (i < size()).
    std::vector<access_rules> listener_access;

    // --- $SYS topics (sys_topics.cpp) ---------------------------------------------------------
    /// Seconds between $SYS/broker/... updates (Mosquitto's sys_interval); 0: no $SYS topics.
    std::chrono::seconds sys_interval{10};
    /// Payload of $SYS/broker/version (the server names its version here).
    std::string version_string = "mqtt-harness";
};

}  // namespace harness::broker
