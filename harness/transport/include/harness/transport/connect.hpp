// Connecting to a broker: DNS lookup, TCP connect, TLS handshake, WebSocket upgrade, all under
// one deadline, with a message that names the stage and the cause of a failure.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <system_error>

#include "harness/transport/error.hpp"
#include "harness/transport/stream.hpp"
#include "harness/transport/url.hpp"

namespace harness::transport {

/// TLS settings for mqtts and wss; ignored for mqtt and ws.
struct tls_options {
    /// Not an aggregate on purpose: GCC 12 destroys a brace-initialised aggregate temporary
    /// twice when it appears in a co_await expression, as in `co_await connect(url, {}, t)`.
    tls_options() = default;

    /// PEM file of the CA certificates to trust; empty: the system's default trust store.
    std::string ca_file;
    /// PEM client certificate (chain) and its private key; both empty: no client certificate.
    /// An empty key_file with a cert_file reads the key from cert_file.
    std::string cert_file;
    std::string key_file;
    /// Sent as SNI (unless it is an IP address) and checked against the server certificate
    /// (DNS or IP subject alternative name). Empty: the URL's host.
    std::string server_name;
    /// Skips verification of the server certificate (chain and name). Explicit on purpose.
    bool insecure = false;
};

struct connect_result {
    std::unique_ptr<stream> s;  // null on failure
    std::error_code ec;         // a transport_errc, or std::errc::operation_canceled
    /// What failed, for people: "DNS lookup of nohost.invalid failed: Host not found
    /// (authoritative)", "TCP connect to 127.0.0.1:1 refused", "TLS verification of localhost
    /// failed: certificate verify failed (unable to get local issuer certificate)",
    /// "WebSocket upgrade to ws://127.0.0.1:8080/mqtt failed: 404 Not Found". Empty on success.
    std::string message;
};

/// Connects to `url` on the calling coroutine's executor. `timeout` bounds the whole sequence
/// (lookup, connect, handshakes); running out gives transport_errc::connect_timeout with the
/// stage in the message. It also bounds the stream's graceful close(). TLS files are loaded
/// before any network traffic. The WebSocket upgrade asks for sub-protocol "mqtt" and fails
/// unless the server selects it. Cancelling the awaiting coroutine ends the attempt with
/// std::errc::operation_canceled. A host name lookup cannot be interrupted inside the system
/// resolver: connect() returns at the deadline, while the lookup finishes in the background.
/// url and tls are taken by value: the coroutine keeps its own copies.
boost::asio::awaitable<connect_result> connect(broker_url url, tls_options tls,
                                               std::chrono::milliseconds timeout);

}  // namespace harness::transport
