// The TCP and TLS streams: one class over either layer, since reading and writing are the same
// Asio calls; only the graceful close differs (TCP shutdown, or TLS close_notify).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <memory>

#include "stages.hpp"
#include "stream_base.hpp"

namespace harness::transport::detail {
namespace {

namespace asio = boost::asio;

template <typename Layer>
class byte_stream final : public stream_base {
  public:
    static constexpr bool is_tls = !std::is_same_v<Layer, tcp::socket>;

    byte_stream(broker_url url, std::chrono::milliseconds close_timeout, tcp::socket socket,
                std::shared_ptr<asio::ssl::context> context)
        : stream_base(std::move(url), close_timeout),
          context_(std::move(context)),
          layer_(make_layer<Layer>(std::move(socket), context_.get())) {}

    Layer& layer() noexcept { return layer_; }

    asio::any_io_executor get_executor() override { return layer_.get_executor(); }

    asio::awaitable<std::size_t> read_some(std::span<std::uint8_t> buf,
                                           std::error_code& ec) override {
        if (!can_read(buf.size(), ec))
            co_return 0;
        try {
            const auto [error, n] = co_await layer_.async_read_some(
                asio::buffer(buf.data(), buf.size()), asio::as_tuple(asio::use_awaitable));
            if (!error)
                co_return n;
            ec = read_error(error);
        } catch (const boost::system::system_error& e) {  // the caller was already cancelled
            ec = read_error(e.code());
        }
        co_return 0;
    }

    asio::awaitable<void> write(std::span<const std::uint8_t> bytes, std::error_code& ec) override {
        if (!can_write(ec))
            co_return;
        try {
            const auto [error, n] =
                co_await asio::async_write(layer_, asio::buffer(bytes.data(), bytes.size()),
                                           asio::as_tuple(asio::use_awaitable));
            if (error)
                ec = write_error(error);
        } catch (const boost::system::system_error& e) {
            ec = write_error(e.code());
        }
    }

    asio::awaitable<void> close() override {
        if (!begin_close())
            co_return;
        if constexpr (is_tls) {
            // Send close_notify and wait (bounded) for the peer's, so that everything written
            // before has been received. Run even if the caller has been cancelled.
            try {
                const bool throws = co_await asio::this_coro::throw_if_cancelled();
                co_await asio::this_coro::throw_if_cancelled(false);
                auto& socket = layer_.lowest_layer();
                const auto result = co_await before_deadline(
                    layer_.async_shutdown(asio::as_tuple(asio::use_awaitable)),
                    clock::now() + close_timeout(), [&socket] {
                        boost::system::error_code ignored;
                        socket.close(ignored);
                    });
                if (!result) {
                    set_last_error("TLS shutdown with " + describe() + " timed out after " +
                                   std::to_string(close_timeout().count()) + " ms; socket closed");
                }
                co_await asio::this_coro::throw_if_cancelled(throws);
            } catch (const boost::system::system_error&) {
            }
        } else {
            boost::system::error_code ignored;
            layer_.shutdown(tcp::socket::shutdown_send, ignored);
        }
        close_socket(layer_.lowest_layer());
    }

    void abort() override { close_socket(layer_.lowest_layer()); }

  private:
    std::shared_ptr<asio::ssl::context> context_;  // TLS only; outlives layer_
    Layer layer_;
};

}  // namespace

asio::awaitable<connect_result> open_tcp_stream(tcp::socket socket, broker_url url,
                                                connect_budget budget) {
    co_return connect_result{std::make_unique<byte_stream<tcp::socket>>(
                                 std::move(url), budget.timeout, std::move(socket), nullptr),
                             {},
                             {}};
}

asio::awaitable<connect_result> open_tls_stream(tcp::socket socket, asio::ssl::context context,
                                                broker_url url, tls_options tls,
                                                connect_budget budget) {
    auto s = std::make_unique<byte_stream<tls_layer>>(
        url, budget.timeout, std::move(socket),
        std::make_shared<asio::ssl::context>(std::move(context)));
    if (auto failure = co_await tls_handshake(s->layer(), url, tls, budget))
        co_return connect_result{nullptr, failure->ec, std::move(failure->message)};
    co_return connect_result{std::move(s), {}, {}};
}

asio::awaitable<accepted_stream> accept_tls_stream(tcp::socket socket,
                                                   std::shared_ptr<asio::ssl::context> context,
                                                   broker_url peer, connect_budget budget) {
    auto s = std::make_unique<byte_stream<tls_layer>>(std::move(peer), budget.timeout,
                                                      std::move(socket), std::move(context));
    std::string identity;
    if (auto failure = co_await tls_server_handshake(s->layer(), budget, identity))
        co_return accepted_stream{nullptr, failure->ec, std::move(failure->message), {}};
    co_return accepted_stream{std::move(s), {}, {}, std::move(identity)};
}

}  // namespace harness::transport::detail
