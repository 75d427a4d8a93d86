// The WebSocket and secure WebSocket streams (Boost.Beast) and both sides of the upgrade: the
// client asks for sub-protocol "mqtt" and requires it, the server selects it when offered and
// serves any path. Binary messages out, the bytes of incoming messages as one byte stream.
// Templates over the layer under the WebSocket (TCP or TLS), instantiated once per layer, in
// websocket_plain.cpp and websocket_tls.cpp.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "stages.hpp"
#include "stream_base.hpp"

namespace harness::transport::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;

/// After either side's upgrade: binary frames, one per write, no message size limit (MQTT
/// packet sizes are MQTT's business), and Beast's own timer bounding closing handshakes,
/// including those the peer starts.
template <typename Next>
void use_binary_messages(websocket::stream<Next>& ws, const connect_budget& budget) {
    ws.binary(true);
    ws.auto_fragment(false);
    ws.read_message_max(0);
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = budget.timeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws.set_option(timeouts);
}

inline constexpr std::string_view subprotocol = "mqtt";

/// The Host header: the port only when it is not the scheme's default (RFC 6455 4.1).
inline std::string host_header(const broker_url& url) {
    if (url.port != default_port(url.kind))
        return host_and_port(url);
    return url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
}

template <typename Next>
class websocket_stream final : public stream_base {
  public:
    websocket_stream(broker_url url, std::chrono::milliseconds close_timeout, tcp::socket socket,
                     std::shared_ptr<asio::ssl::context> context)
        : stream_base(std::move(url), close_timeout),
          context_(std::move(context)),
          ws_(make_layer<Next>(std::move(socket), context_.get())) {}

    websocket::stream<Next>& ws() noexcept { return ws_; }
    using stream_base::set_url;
    /// The URL this stream was made with (the peer, on the server side).
    const broker_url& peer() const noexcept { return url(); }
    lowest_socket& socket() noexcept { return beast::get_lowest_layer(ws_); }

    asio::any_io_executor get_executor() override { return ws_.get_executor(); }

    asio::awaitable<std::size_t> read_some(std::span<std::uint8_t> buf,
                                           std::error_code& ec) override {
        if (!can_read(buf.size(), ec))
            co_return 0;
        try {
            // Beast reads across frame and message boundaries; an empty frame or message
            // gives 0 bytes, and the caller wants at least one.
            for (;;) {
                const auto [error, n] = co_await ws_.async_read_some(
                    asio::buffer(buf.data(), buf.size()), asio::as_tuple(asio::use_awaitable));
                if (!error && !ws_.got_binary()) {
                    // [MQTT-6.0.0-1]: MQTT travels in binary frames only; the connection ends.
                    set_last_error("read from " + describe() +
                                   " failed: a text WebSocket frame (MQTT needs binary frames)");
                    ec = transport_errc::read_failed;
                    break;
                }
                if (!error && n > 0)
                    co_return n;
                if (error) {
                    ec = read_error(error);
                    if (error == websocket::error::closed && !closed_here()) {
                        set_last_error(last_error() + " (code " +
                                       std::to_string(ws_.reason().code) + ")");
                    }
                    break;
                }
            }
        } catch (const boost::system::system_error& e) {  // the caller was already cancelled
            ec = read_error(e.code());
        }
        co_return 0;
    }

    asio::awaitable<void> write(std::span<const std::uint8_t> bytes, std::error_code& ec) override {
        if (!can_write(ec))
            co_return;
        if (bytes.empty())
            co_return;
        try {
            const auto [error, n] = co_await ws_.async_write(
                asio::buffer(bytes.data(), bytes.size()), asio::as_tuple(asio::use_awaitable));
            if (error)
                ec = write_error(error);
        } catch (const boost::system::system_error& e) {
            ec = write_error(e.code());
        }
    }

    asio::awaitable<void> close() override {
        if (!begin_close())
            co_return;
        // Close frame, the peer's close frame, then TLS shutdown (wss) and TCP teardown, all
        // done by Beast; bounded here. Run even if the caller has been cancelled.
        try {
            const bool throws = co_await asio::this_coro::throw_if_cancelled();
            co_await asio::this_coro::throw_if_cancelled(false);
            auto& s = socket();
            const auto result = co_await before_deadline(
                ws_.async_close(websocket::close_code::normal, asio::as_tuple(asio::use_awaitable)),
                clock::now() + close_timeout(), [&s] {
                    boost::system::error_code ignored;
                    s.close(ignored);
                });
            if (!result) {
                set_last_error("WebSocket close handshake with " + describe() +
                               " timed out after " + std::to_string(close_timeout().count()) +
                               " ms; socket closed");
            }
            co_await asio::this_coro::throw_if_cancelled(throws);
        } catch (const boost::system::system_error&) {
        }
        close_socket(socket());
    }

    void abort() override { close_socket(socket()); }

  private:
    std::shared_ptr<asio::ssl::context> context_;  // wss only; outlives ws_
    websocket::stream<Next> ws_;
};

/// The HTTP upgrade on a connected (and for wss, TLS) `s`, bounded by `budget`.
template <typename Next>
asio::awaitable<stage_result> client_upgrade(websocket_stream<Next>& s, const broker_url& url,
                                             const connect_budget& budget) {
    auto& ws = s.ws();
    ws.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
        request.set(http::field::sec_websocket_protocol, subprotocol);
        request.set(http::field::user_agent, "mqtt-harness");
    }));
    const std::string what = "WebSocket upgrade to " + url.to_string();
    websocket::response_type response;
    auto& socket = s.socket();
    const auto result =
        co_await before_deadline(ws.async_handshake(response, host_header(url), url.path,
                                                    asio::as_tuple(asio::use_awaitable)),
                                 budget.deadline, [&socket] {
                                     boost::system::error_code ignored;
                                     socket.close(ignored);
                                 });
    const auto state = co_await asio::this_coro::cancellation_state;
    const bool cancelled = state.cancelled() != asio::cancellation_type::none;
    if (!result || cancelled)
        co_return interrupted(what, cancelled, budget);
    const auto [ec] = *result;
    if (ec == websocket::error::upgrade_declined && response.result_int() != 0) {
        co_return stage_failure{transport_errc::websocket_upgrade_failed,
                                what + " failed: " + std::to_string(response.result_int()) + " " +
                                    std::string(response.reason())};
    }
    if (ec) {
        co_return stage_failure{transport_errc::websocket_upgrade_failed,
                                what + " failed: " + describe_error(ec)};
    }
    // MQTT 3.1.1 section 6 and 5.0 section 6: the server selects "mqtt"; browsers fail the
    // connection too when a requested sub-protocol is not selected.
    const auto selected = response[http::field::sec_websocket_protocol];
    if (selected != subprotocol) {
        co_return stage_failure{
            transport_errc::websocket_upgrade_failed,
            what +
                " failed: the server did not select sub-protocol mqtt (Sec-WebSocket-Protocol: " +
                (selected.empty() ? std::string("absent") : "'" + std::string(selected) + "'") +
                ")"};
    }
    use_binary_messages(ws, budget);
    co_return std::nullopt;
}

/// The sub-protocol the server selects from a Sec-WebSocket-Protocol request header: "mqtt",
/// else "mqttv3.1" (older clients); empty when neither is offered.
std::string select_subprotocol(std::string_view offered);

/// The server side of the upgrade on an accepted (and for wss, TLS) `s`: reads the HTTP
/// request (any path, headers up to 8 KiB), answers 101 with the selected sub-protocol, or
/// fails naming the peer.
template <typename Next>
asio::awaitable<stage_result> accept_upgrade(websocket_stream<Next>& s,
                                             const connect_budget& budget) {
    auto& ws = s.ws();
    auto& socket = s.socket();
    const auto closer = [&socket] {
        boost::system::error_code ignored;
        socket.close(ignored);
    };
    const std::string what = "WebSocket upgrade from " + host_and_port(s.peer());
    beast::flat_buffer buffer(8 * 1024);
    websocket::request_type request;
    const auto read = co_await before_deadline(
        http::async_read(ws.next_layer(), buffer, request, asio::as_tuple(asio::use_awaitable)),
        budget.deadline, closer);
    if (!read) {
        co_return stage_failure{
            transport_errc::timeout,
            what + " timed out after " + std::to_string(budget.timeout.count()) + " ms"};
    }
    if (const auto [ec, n] = *read; ec) {
        co_return stage_failure{transport_errc::websocket_upgrade_failed,
                                what + " failed: reading the request: " + describe_error(ec)};
    }
    auto peer = s.peer();
    peer.path = std::string(request.target());
    s.set_url(peer);
    const auto selected = select_subprotocol(request[http::field::sec_websocket_protocol]);
    ws.set_option(websocket::stream_base::decorator([selected](websocket::response_type& r) {
        if (!selected.empty())
            r.set(http::field::sec_websocket_protocol, selected);
        r.set(http::field::server, "mqtt-harness");
    }));
    const auto accepted = co_await before_deadline(
        ws.async_accept(request, asio::as_tuple(asio::use_awaitable)), budget.deadline, closer);
    if (!accepted) {
        co_return stage_failure{
            transport_errc::timeout,
            what + " timed out after " + std::to_string(budget.timeout.count()) + " ms"};
    }
    if (const auto [ec] = *accepted; ec) {
        co_return stage_failure{transport_errc::websocket_upgrade_failed,
                                what + " failed: " + describe_error(ec)};
    }
    use_binary_messages(ws, budget);
    co_return std::nullopt;
}

}  // namespace harness::transport::detail
