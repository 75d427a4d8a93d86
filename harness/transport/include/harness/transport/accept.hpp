// The server side of the transports, for the embedded broker's listeners: a TLS server context
// from certificate files, and the handshakes on an accepted TCP connection (TLS, the WebSocket
// upgrade, or both) that turn it into a stream.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <system_error>

#include "harness/transport/stream.hpp"

namespace boost::asio::ssl {
class context;
}

namespace harness::transport {

/// What a TLS listener serves and asks of its clients (Mosquitto's certfile, keyfile, cafile,
/// require_certificate).
struct server_tls_files {
    std::string cert_file;  // PEM chain, server certificate first
    std::string key_file;   // PEM private key
    /// CA certificates that client certificates are verified against; empty: client
    /// certificates are not asked for.
    std::string ca_file;
    /// A client without a valid certificate fails the handshake.
    bool require_certificate = false;
};

/// Loads the files into a TLS 1.2+ server context. Throws std::system_error naming the file that
/// cannot be read or the key that does not match (start-up configuration).
std::shared_ptr<boost::asio::ssl::context> make_server_context(const server_tls_files& files);

struct accepted_stream {
    std::unique_ptr<stream> s;  // null on failure
    std::error_code ec;         // a transport_errc
    /// What failed, e.g. "TLS handshake with 127.0.0.1:40112 failed: peer did not return a
    /// certificate"; empty on success.
    std::string message;
    /// The common name of the client certificate that was verified; empty without one.
    std::string peer_identity;
};

struct accept_options {
    /// Not an aggregate (GCC 12 and brace-initialised temporaries in co_await expressions).
    accept_options() = default;

    /// Set: TLS server handshake first.
    std::shared_ptr<boost::asio::ssl::context> tls;
    /// The WebSocket upgrade (any path; sub-protocol "mqtt" selected when offered), then binary
    /// messages as a byte stream.
    bool websocket = false;
    /// Bounds the handshakes together, and later the stream's graceful close.
    std::chrono::milliseconds timeout{10'000};
};

/// Runs the server side of the handshakes on `socket` (accepted, on the calling coroutine's
/// executor). The stream describes itself by the peer, e.g. "wss://127.0.0.1:40112/mqtt".
boost::asio::awaitable<accepted_stream> accept_stream(boost::asio::ip::tcp::socket socket,
                                                      accept_options options);

}  // namespace harness::transport
