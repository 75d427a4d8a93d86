// Errors of the MQTT client session: what went wrong with the server or a request.
#pragma once

#include <system_error>

namespace harness::client {

enum class client_errc {
    not_connected = 1,         // the request needs a connection
    connack_timeout,           // no CONNACK within the connect timeout
    connection_refused,        // CONNACK with a failure reason code
    keep_alive_timeout,        // no PINGRESP in time: the server is gone
    server_disconnected,       // the server sent DISCONNECT
    connection_lost,           // the transport closed under the session
    malformed_packet,          // the server sent bytes that do not decode
    protocol_error,            // the server broke the protocol (wrong packet, bad id...)
    receive_maximum_exceeded,  // the server sent more QoS 1/2 than we allow
    topic_alias_invalid,       // alias 0, above our maximum, or unknown
    packet_too_large,          // larger than the server's maximum packet size
    qos_not_supported,         // above the server's maximum QoS
    retain_not_supported,      // retain when the server has none
    no_packet_identifier,      // all 65535 identifiers are in use
    session_lost,              // reconnected without the session: in-flight messages dropped
};

const std::error_category& client_category() noexcept;

inline std::error_code make_error_code(client_errc e) noexcept {
    return {static_cast<int>(e), client_category()};
}

}  // namespace harness::client

template <>
struct std::is_error_code_enum<harness::client::client_errc> : std::true_type {};
