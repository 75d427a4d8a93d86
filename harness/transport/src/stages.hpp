// The stages of connect() after the TCP connection is up, and what they share: the deadline,
// the failure of a stage, and the layers a stream is built from.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

#include "deadline.hpp"
#include "harness/transport/accept.hpp"
#include "harness/transport/connect.hpp"

namespace harness::transport::detail {

using tcp = boost::asio::ip::tcp;
using tls_layer = boost::asio::ssl::stream<tcp::socket>;

/// The one deadline of a connect() call, and the timeout it came from (for messages, and as
/// the bound of the stream's graceful close).
struct connect_budget {
    clock::time_point deadline;
    std::chrono::milliseconds timeout;
};

struct stage_failure {
    std::error_code ec;
    std::string message;
};

/// nullopt when the stage succeeded.
using stage_result = std::optional<stage_failure>;

/// The failure of `stage` when it was cancelled (by the caller) or ran out of time, e.g.
/// "TLS handshake with localhost:8883 timed out (connect timeout 500 ms)".
stage_failure interrupted(std::string_view stage, bool cancelled, const connect_budget& budget);

/// "host:port" with IPv6 hosts in brackets.
std::string host_and_port(const broker_url& url);

/// A client TLS context from the options: trust store, client certificate and key, verify
/// mode. nullopt with a message naming the file on failure.
std::optional<boost::asio::ssl::context> make_client_context(const tls_options& tls,
                                                             std::string& error);

/// The TLS handshake on a connected `layer`: SNI and the certificate name check for
/// tls.server_name (default url.host), bounded by `budget`; verification failures are told
/// apart from other handshake failures.
boost::asio::awaitable<stage_result> tls_handshake(tls_layer& layer, const broker_url& url,
                                                   const tls_options& tls,
                                                   const connect_budget& budget);

/// The server side of the TLS handshake on an accepted `layer`, bounded by `budget`; `identity`
/// gets the common name of a verified client certificate.
boost::asio::awaitable<stage_result> tls_server_handshake(tls_layer& layer,
                                                          const connect_budget& budget,
                                                          std::string& identity);

/// A plain or TLS layer over a connected socket; `context` is used (and must outlive the
/// layer) for TLS only.
template <typename Layer>
Layer make_layer(tcp::socket socket, boost::asio::ssl::context* context) {
    if constexpr (std::is_same_v<Layer, tcp::socket>)
        return socket;
    else
        return Layer(std::move(socket), *context);
}

/// Streams over a connected socket: these run the remaining handshakes and hand out the stream.
boost::asio::awaitable<connect_result> open_tcp_stream(tcp::socket socket, broker_url url,
                                                       connect_budget budget);
boost::asio::awaitable<connect_result> open_tls_stream(tcp::socket socket,
                                                       boost::asio::ssl::context context,
                                                       broker_url url, tls_options tls,
                                                       connect_budget budget);
/// ws when `context` is empty, wss otherwise.
boost::asio::awaitable<connect_result> open_websocket_stream(
    tcp::socket socket, std::optional<boost::asio::ssl::context> context, broker_url url,
    tls_options tls, connect_budget budget);
boost::asio::awaitable<connect_result> open_secure_websocket_stream(
    tcp::socket socket, boost::asio::ssl::context context, broker_url url, tls_options tls,
    connect_budget budget);

/// The server side: `peer` names the client (its path is filled in from the upgrade request).
boost::asio::awaitable<accepted_stream> accept_tls_stream(
    tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> context, broker_url peer,
    connect_budget budget);
boost::asio::awaitable<accepted_stream> accept_websocket_stream(tcp::socket socket, broker_url peer,
                                                                connect_budget budget);
boost::asio::awaitable<accepted_stream> accept_secure_websocket_stream(
    tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> context, broker_url peer,
    connect_budget budget);

}  // namespace harness::transport::detail
