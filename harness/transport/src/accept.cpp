// accept_stream(): the server-side handshakes a listener asks for, in order (TLS, then the
// WebSocket upgrade), under one deadline.
#include "harness/transport/accept.hpp"

#include <boost/asio/ssl/context.hpp>

#include "stages.hpp"
#include "stream_base.hpp"

namespace harness::transport {

boost::asio::awaitable<accepted_stream> accept_stream(boost::asio::ip::tcp::socket socket,
                                                      accept_options options) {
    const detail::connect_budget budget{detail::clock::now() + options.timeout, options.timeout};
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) {  // the client has gone already
        co_return accepted_stream{nullptr,
                                  transport_errc::closed,
                                  "connection ended before its handshake: " + ec.message(),
                                  {}};
    }
    broker_url peer;
    peer.host = remote.address().to_string();
    peer.port = remote.port();
    if (options.websocket) {
        peer.kind = options.tls ? scheme::wss : scheme::ws;
        peer.path = "/";
        if (options.tls) {
            co_return co_await detail::accept_secure_websocket_stream(
                std::move(socket), std::move(options.tls), std::move(peer), budget);
        }
        co_return co_await detail::accept_websocket_stream(std::move(socket), std::move(peer),
                                                           budget);
    }
    if (options.tls) {
        peer.kind = scheme::mqtts;
        co_return co_await detail::accept_tls_stream(std::move(socket), std::move(options.tls),
                                                     std::move(peer), budget);
    }
    peer.kind = scheme::mqtt;
    auto opened = co_await detail::open_tcp_stream(std::move(socket), std::move(peer), budget);
    co_return accepted_stream{std::move(opened.s), {}, {}, {}};
}

}  // namespace harness::transport
