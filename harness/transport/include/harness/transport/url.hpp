// Broker URLs: mqtt://host:port, mqtts://host:port, ws://host:port/path, wss://host:port/path.
// Default ports: mqtt 1883, mqtts 8883, ws 80, wss 443. The path of a ws/wss URL without one is
// "/mqtt" (the path most brokers serve MQTT on; mosquitto accepts any path); mqtt and mqtts
// URLs have no path. IPv6 literals go in brackets: mqtt://[::1]:1883.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace harness::transport {

enum class scheme { mqtt, mqtts, ws, wss };

/// "mqtt", "mqtts", "ws" or "wss".
std::string_view to_string(scheme kind) noexcept;
/// 1883, 8883, 80 or 443.
std::uint16_t default_port(scheme kind) noexcept;

struct broker_url {
    /// Not an aggregate, like tls_options (GCC 12 and brace-initialised temporaries in co_await
    /// expressions).
    broker_url() = default;

    scheme kind = scheme::mqtt;
    std::string host;  // a name, an IPv4 literal, or an IPv6 literal without brackets
    std::uint16_t port = 1883;
    std::string path;  // HTTP request target for ws/wss ("/mqtt" by default); "" for mqtt/mqtts

    /// True for mqtts and wss.
    bool secure() const noexcept;
    /// The URL with the port always written out, e.g. "ws://127.0.0.1:8080/mqtt",
    /// "mqtt://[::1]:1883".
    std::string to_string() const;

    bool operator==(const broker_url&) const = default;
};

/// Parses a broker URL; on failure returns nullopt and sets `error` to a message that quotes the
/// URL and says what is wrong (unknown scheme, missing host, bad port...). The scheme is
/// case-insensitive. User information ("user@host") and fragments are rejected.
std::optional<broker_url> parse_broker_url(std::string_view text, std::string& error);

}  // namespace harness::transport
