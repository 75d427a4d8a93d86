// The local servers: an acceptor on a kernel-chosen loopback port and one coroutine per
// connection, all holding the shared state so that they end safely when the object goes.
#include "local_servers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <array>

namespace harness::transport::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

tcp::acceptor listen_on(asio::io_context& io, const std::string& address) {
    const tcp::endpoint endpoint(asio::ip::make_address(address), 0);
    tcp::acceptor acceptor(io, endpoint.protocol());
    acceptor.bind(endpoint);
    acceptor.listen();
    return acceptor;
}

void close_all(tcp::acceptor& acceptor, std::vector<std::shared_ptr<tcp::socket>>& sockets) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    for (auto& s : sockets)
        s->close(ignored);
}

}  // namespace

// --- silent_server -------------------------------------------------------------------------

struct silent_server::state {
    explicit state(asio::io_context& io) : acceptor(listen_on(io, "127.0.0.1")) {}
    tcp::acceptor acceptor;
    std::vector<std::shared_ptr<tcp::socket>> held;
};

namespace {
template <typename State>
asio::awaitable<void> hold_connections(std::shared_ptr<State> s) {
    for (;;) {
        auto [ec, socket] = co_await s->acceptor.async_accept(tuple_awaitable);
        if (ec)
            co_return;
        s->held.push_back(std::make_shared<tcp::socket>(std::move(socket)));
    }
}
}  // namespace

silent_server::silent_server(asio::io_context& io) : state_(std::make_shared<state>(io)) {
    port_ = state_->acceptor.local_endpoint().port();
    asio::co_spawn(io, hold_connections(state_), asio::detached);
}

silent_server::~silent_server() {
    close_all(state_->acceptor, state_->held);
}

std::size_t silent_server::accepted() const {
    return state_->held.size();
}

// --- http_responder ------------------------------------------------------------------------

struct http_responder::state {
    state(asio::io_context& io, std::string r)
        : acceptor(listen_on(io, "127.0.0.1")), response(std::move(r)) {}
    tcp::acceptor acceptor;
    std::string response;
    std::vector<std::shared_ptr<tcp::socket>> held;
};

namespace {
template <typename State>
asio::awaitable<void> answer(std::shared_ptr<State> s, std::shared_ptr<tcp::socket> socket) {
    std::string request;
    auto [read_ec, n] = co_await asio::async_read_until(*socket, asio::dynamic_buffer(request),
                                                        "\r\n\r\n", tuple_awaitable);
    if (read_ec)
        co_return;
    co_await asio::async_write(*socket, asio::buffer(s->response), tuple_awaitable);
    boost::system::error_code ignored;
    socket->shutdown(tcp::socket::shutdown_send, ignored);
}

template <typename State>
asio::awaitable<void> answer_connections(std::shared_ptr<State> s) {
    for (;;) {
        auto [ec, socket] = co_await s->acceptor.async_accept(tuple_awaitable);
        if (ec)
            co_return;
        auto held = std::make_shared<tcp::socket>(std::move(socket));
        s->held.push_back(held);
        asio::co_spawn(s->acceptor.get_executor(), answer(s, held), asio::detached);
    }
}
}  // namespace

http_responder::http_responder(asio::io_context& io, std::string response)
    : state_(std::make_shared<state>(io, std::move(response))) {
    port_ = state_->acceptor.local_endpoint().port();
    asio::co_spawn(io, answer_connections(state_), asio::detached);
}

http_responder::~http_responder() {
    close_all(state_->acceptor, state_->held);
}

// --- echo_server ---------------------------------------------------------------------------

struct echo_server::state {
    state(asio::io_context& io, const std::string& address) : acceptor(listen_on(io, address)) {}
    tcp::acceptor acceptor;
    std::vector<std::shared_ptr<tcp::socket>> held;
};

namespace {
asio::awaitable<void> echo(std::shared_ptr<tcp::socket> socket) {
    std::array<std::uint8_t, 1024> buffer{};
    for (;;) {
        auto [ec, n] = co_await socket->async_read_some(asio::buffer(buffer), tuple_awaitable);
        if (ec)
            co_return;
        auto [write_ec, written] =
            co_await asio::async_write(*socket, asio::buffer(buffer.data(), n), tuple_awaitable);
        if (write_ec)
            co_return;
    }
}

template <typename State>
asio::awaitable<void> echo_connections(std::shared_ptr<State> s) {
    for (;;) {
        auto [ec, socket] = co_await s->acceptor.async_accept(tuple_awaitable);
        if (ec)
            co_return;
        auto held = std::make_shared<tcp::socket>(std::move(socket));
        s->held.push_back(held);
        asio::co_spawn(s->acceptor.get_executor(), echo(held), asio::detached);
    }
}
}  // namespace

echo_server::echo_server(asio::io_context& io, const std::string& address)
    : state_(std::make_shared<state>(io, address)) {
    port_ = state_->acceptor.local_endpoint().port();
    asio::co_spawn(io, echo_connections(state_), asio::detached);
}

echo_server::~echo_server() {
    close_all(state_->acceptor, state_->held);
}

// --- websocket_server ----------------------------------------------------------------------

struct websocket_server::state {
    state(asio::io_context& io, std::string p, std::vector<frames> m)
        : acceptor(listen_on(io, "127.0.0.1")), subprotocol(std::move(p)), messages(std::move(m)) {}
    tcp::acceptor acceptor;
    std::string subprotocol;
    std::vector<frames> messages;
    record seen;
};

namespace {
template <typename State>
asio::awaitable<void> serve_websocket(std::shared_ptr<State> s) {
    auto [accept_ec, socket] = co_await s->acceptor.async_accept(tuple_awaitable);
    if (accept_ec) {
        s->seen.error = "accept: " + accept_ec.message();
        co_return;
    }
    websocket::stream<tcp::socket> ws(std::move(socket));

    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    auto [read_ec, n] =
        co_await http::async_read(ws.next_layer(), buffer, request, tuple_awaitable);
    if (read_ec) {
        s->seen.error = "reading the upgrade request: " + read_ec.message();
        co_return;
    }
    s->seen.target = std::string(request.target());
    s->seen.host = std::string(request[http::field::host]);
    s->seen.requested_protocols = std::string(request[http::field::sec_websocket_protocol]);
    ws.set_option(websocket::stream_base::decorator(
        [protocol = s->subprotocol](websocket::response_type& response) {
            if (!protocol.empty())
                response.set(http::field::sec_websocket_protocol, protocol);
        }));
    auto [upgrade_ec] = co_await ws.async_accept(request, tuple_awaitable);
    if (upgrade_ec) {
        s->seen.error = "upgrade: " + upgrade_ec.message();
        co_return;
    }

    beast::flat_buffer first;
    auto [first_ec, first_size] = co_await ws.async_read(first, tuple_awaitable);
    if (first_ec) {
        s->seen.error = "reading the first message: " + first_ec.message();
        co_return;
    }
    const auto* data = static_cast<const std::uint8_t*>(first.data().data());
    s->seen.first_message.assign(data, data + first.size());
    s->seen.first_message_binary = ws.got_binary();

    ws.binary(true);
    for (const auto& message : s->messages) {
        for (std::size_t i = 0; i < message.size(); ++i) {
            const bool last = i + 1 == message.size();
            auto [write_ec, written] =
                co_await ws.async_write_some(last, asio::buffer(message[i]), tuple_awaitable);
            if (write_ec) {
                s->seen.error = "writing: " + write_ec.message();
                co_return;
            }
        }
    }
    for (;;) {
        beast::flat_buffer rest;
        auto [ec, size] = co_await ws.async_read(rest, tuple_awaitable);
        if (ec) {
            if (ec == websocket::error::closed)
                s->seen.close_code = ws.reason().code;
            break;
        }
    }
    s->seen.finished = true;
}
}  // namespace

websocket_server::websocket_server(asio::io_context& io, std::string subprotocol,
                                   std::vector<frames> messages)
    : state_(std::make_shared<state>(io, std::move(subprotocol), std::move(messages))) {
    port_ = state_->acceptor.local_endpoint().port();
    asio::co_spawn(io, serve_websocket(state_), asio::detached);
}

websocket_server::~websocket_server() {
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
}

const websocket_server::record& websocket_server::seen() const {
    return state_->seen;
}

}  // namespace harness::transport::testing
