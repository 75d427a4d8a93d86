// The executor's connections: see wire.hpp.
#include "wire.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace harness::netfuzz {

namespace asio = boost::asio;
using asio::ip::tcp;

// GCC 12 warns -Wmismatched-new-delete on coroutine frames (Asio's allocator); false.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

wire_target::wire_target(const transport::broker_url& u, const transport::tls_options& t,
                         std::chrono::milliseconds timeout)
    : url(&u), tls(&t), connect_timeout(timeout) {
    if (u.kind != transport::scheme::mqtt)
        return;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(u.host, ec);
    if (!ec)
        direct = tcp::endpoint(address, u.port);
}

asio::awaitable<bool> wire::open(const wire_target& target, std::string& problem) {
    reset();
    if (!target.direct) {
        auto connected =
            co_await transport::connect(*target.url, *target.tls, target.connect_timeout);
        if (!connected.s) {
            problem = connected.message;
            co_return false;
        }
        stream_ = std::move(connected.s);
        co_return true;
    }
    socket_.emplace(co_await asio::this_coro::executor);
    const auto [ec] =
        co_await socket_->async_connect(*target.direct, asio::as_tuple(asio::use_awaitable));
    if (ec) {
        problem = "TCP connect to " + target.url->to_string() + " failed: " + ec.message();
        socket_.reset();
        co_return false;
    }
    boost::system::error_code ignored;
    socket_->set_option(tcp::no_delay(true), ignored);
    socket_->set_option(asio::socket_base::linger(true, 0), ignored);  // close sends RST
    co_return true;
}

asio::awaitable<std::size_t> wire::read_some(std::span<std::uint8_t> buf, std::error_code& ec) {
    if (stream_)
        co_return co_await stream_->read_some(buf, ec);
    if (!socket_) {
        ec = std::make_error_code(std::errc::not_connected);
        co_return 0;
    }
    const auto [error, n] = co_await socket_->async_read_some(asio::buffer(buf.data(), buf.size()),
                                                              asio::as_tuple(asio::use_awaitable));
    if (error)
        ec = error;
    co_return n;
}

asio::awaitable<void> wire::write(std::span<const std::uint8_t> bytes, std::error_code& ec) {
    if (stream_) {
        co_await stream_->write(bytes, ec);
        co_return;
    }
    if (!socket_) {
        ec = std::make_error_code(std::errc::not_connected);
        co_return;
    }
    const auto [error, n] = co_await asio::async_write(
        *socket_, asio::buffer(bytes.data(), bytes.size()), asio::as_tuple(asio::use_awaitable));
    (void)n;
    if (error)
        ec = error;
}

void wire::abort() noexcept {
    if (stream_)
        stream_->abort();
    if (socket_) {
        boost::system::error_code ignored;
        socket_->close(ignored);
    }
}

void wire::reset() noexcept {
    abort();
    stream_.reset();
    socket_.reset();
}

#pragma GCC diagnostic pop

std::shared_ptr<timed_wire> timed_wire::start(const asio::any_io_executor& ex,
                                              std::chrono::milliseconds limit) {
    auto w = std::make_shared<timed_wire>(ex);
    w->timer.expires_after(limit);
    w->timer.async_wait([w](const boost::system::error_code& ec) {
        if (ec)
            return;
        w->timed_out = true;
        w->link.abort();
    });
    return w;
}

}  // namespace harness::netfuzz
