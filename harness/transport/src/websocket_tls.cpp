// wss:// streams, both sides: TLS first (client or server handshake), then the WebSocket
// upgrade over it.
#include <boost/beast/websocket/ssl.hpp>

#include "websocket_stream.hpp"

namespace harness::transport::detail {

asio::awaitable<connect_result> open_secure_websocket_stream(tcp::socket socket,
                                                             asio::ssl::context context,
                                                             broker_url url, tls_options tls,
                                                             connect_budget budget) {
    auto s = std::make_unique<websocket_stream<tls_layer>>(
        url, budget.timeout, std::move(socket),
        std::make_shared<asio::ssl::context>(std::move(context)));
    auto failure = co_await tls_handshake(s->ws().next_layer(), url, tls, budget);
    if (!failure)
        failure = co_await client_upgrade(*s, url, budget);
    if (failure)
        co_return connect_result{nullptr, failure->ec, std::move(failure->message)};
    co_return connect_result{std::move(s), {}, {}};
}

asio::awaitable<accepted_stream> accept_secure_websocket_stream(
    tcp::socket socket, std::shared_ptr<asio::ssl::context> context, broker_url peer,
    connect_budget budget) {
    auto s = std::make_unique<websocket_stream<tls_layer>>(std::move(peer), budget.timeout,
                                                           std::move(socket), std::move(context));
    std::string identity;
    auto failure = co_await tls_server_handshake(s->ws().next_layer(), budget, identity);
    if (!failure)
        failure = co_await accept_upgrade(*s, budget);
    if (failure)
        co_return accepted_stream{nullptr, failure->ec, std::move(failure->message), {}};
    co_return accepted_stream{std::move(s), {}, {}, std::move(identity)};
}

}  // namespace harness::transport::detail
