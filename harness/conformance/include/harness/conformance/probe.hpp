// The capability probe of the conformance suite: connects to a broker and finds what it
// supports (protocol levels, the limits and features its 5.0 CONNACK advertises, what it does
// with retained, wildcard, shared and identified subscriptions, $SYS topics, and the longest
// client identifier, topic and payload it accepts), like a broker survey. The checks use it to
// skip what a broker does not offer; `mqtt-harness conformance` prints describe() first.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "harness/transport/connect.hpp"
#include "harness/transport/url.hpp"

namespace harness::conformance {

/// What a broker supports. The defaults are what a 5.0 CONNACK without properties means; the
/// probe sets every field from what it saw, and a feature it could not try counts as absent,
/// with the reason in `notes`.
struct capabilities {
    bool mqtt311 = false;  // a CONNECT at protocol level 4 is accepted
    bool mqtt5 = false;    // a CONNECT at protocol level 5 is accepted

    /// 5.0: the CONNACK's Maximum QoS (and the QoS a SUBSCRIBE at 2 is granted, when lower);
    /// 3.1.1 only: the QoS granted to a SUBSCRIBE at QoS 2.
    int maximum_qos = 2;
    bool retain = true;                    // a retained message reaches a later subscriber
    bool wildcards = true;                 // a "+/#" filter is granted and matches
    bool shared_subscriptions = true;      // a "$share/group/..." filter is granted and matches
    bool subscription_identifiers = true;  // 5.0: a message carries its subscription's id

    // From the 5.0 CONNACK (a CONNECT asking Session Expiry 0xFFFFFFFF and Keep Alive 65535).
    std::uint16_t topic_alias_maximum = 0;
    std::uint16_t receive_maximum = 65535;
    std::optional<std::uint32_t> maximum_packet_size;
    std::optional<std::uint32_t> session_expiry_cap;
    std::optional<std::uint16_t> server_keep_alive;

    bool sys_topics = false;  // a subscription to "$SYS/#" gets a message within a second

    /// Longest client identifier accepted of 23, 64, 256, 1024 and 65535 bytes (0: none).
    std::size_t max_client_id_length = 0;
    /// An identifier with '/', ' ' and non-ASCII characters ("é") is accepted.
    bool client_id_any_characters = false;
    /// Longest topic a QoS 1 PUBLISH was acknowledged on (success, the connection kept) of
    /// 256, 4096 and 65535 bytes (0: none).
    std::size_t max_topic_length = 0;
    /// Largest QoS 1 payload acknowledged of 64 KiB, 256 KiB, 1 MiB and 4 MiB (0: none).
    std::size_t largest_payload = 0;

    /// A CONNECT with a zero-length client identifier (and a clean start) is accepted.
    bool empty_client_id = false;
    /// The broker is reached over WebSocket (ws:// or wss://): chapter 6 applies.
    bool websocket = false;

    /// What could not be probed, and why; what the broker refused.
    std::vector<std::string> notes;

    /// Whether the broker has a capability by name: "mqtt3.1.1", "mqtt5", "qos1", "qos2",
    /// "retain", "wildcards", "shared_subscriptions", "subscription_identifiers",
    /// "topic_alias", "sys_topics", "empty_client_id", "websocket". Unknown names: false.
    bool has(std::string_view capability) const;
    /// The names of has() that the broker has, in the order above.
    std::vector<std::string> names() const;
};

/// Every capability name has() knows, in the order of names().
std::span<const std::string_view> capability_names() noexcept;

/// The probe's outcome. `error` is set only when the broker could not be asked at all: the
/// transport failed (unreachable, refused, TLS), or neither the 5.0 nor the 3.1.1 CONNECT had
/// an answer in time (client_errc::connack_timeout).
/// Refusals (a CONNACK failure code, a closed connection) are results, in caps.notes.
struct probe_result {
    capabilities caps;
    std::error_code error;
    std::string message;  // what failed, for people; empty on success

    explicit operator bool() const noexcept { return !error; }
};

/// Where and how to connect, and the bound on every single wait.
struct probe_options {
    /// Not an aggregate (GCC 12 and brace-initialised temporaries in co_await expressions).
    probe_options() = default;

    transport::broker_url url;
    transport::tls_options tls;
    std::optional<std::string> username;
    std::optional<std::string> password;
    /// Every client identifier starts with it; topics go under
    /// "mqtt-harness-probe/<prefix>-<random>/".
    std::string client_id_prefix = "mqtt-harness-probe";
    /// Bounds each step (transport connect, CONNACK, each acknowledgement, each message).
    /// A step that runs out of it ends the probe (the broker stalls): the rest counts as absent.
    std::chrono::milliseconds timeout{2'000};
};

/// Probes the broker on the calling coroutine's executor. Against a broker that answers, it
/// takes a few dozen round trips (well under a second on loopback, plus up to a second waiting
/// for $SYS); it clears the retained message it makes.
boost::asio::awaitable<probe_result> probe(probe_options options);

/// probe() on an io_context of its own; returns when it has finished.
probe_result probe_broker(probe_options options);

/// A short human summary, a few lines: versions, QoS, features, limits, then the notes.
std::string describe(const capabilities& caps);

}  // namespace harness::conformance
