// Readiness by port: TCP connects to 127.0.0.1 until one succeeds or the time is up.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/runner/process.hpp"

namespace harness::runner {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

/// One attempt to connect to `endpoint`, given up at `deadline`.
awaitable<bool> try_connect(asio::ip::tcp::endpoint endpoint, process::clock::time_point deadline) {
    using namespace asio::experimental::awaitable_operators;
    const auto executor = co_await asio::this_coro::executor;
    asio::ip::tcp::socket socket(executor);
    asio::steady_timer timer(executor, deadline);
    const auto result =
        co_await (socket.async_connect(endpoint, asio::as_tuple(asio::use_awaitable)) ||
                  timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (result.index() != 0)
        co_return false;
    co_return !std::get<0>(std::get<0>(result));
}

}  // namespace

awaitable<bool> wait_port_open(std::uint16_t port, std::chrono::milliseconds timeout) {
    const auto executor = co_await asio::this_coro::executor;
    const auto deadline = process::clock::now() + timeout;
    const asio::ip::tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
    std::chrono::milliseconds delay(10);
    while (true) {
        if (co_await try_connect(endpoint, deadline))
            co_return true;
        const auto now = process::clock::now();
        if (now >= deadline)
            co_return false;
        asio::steady_timer timer(executor, std::min(deadline, now + delay));
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        delay = std::min(delay * 2, std::chrono::milliseconds(200));
    }
}

}  // namespace harness::runner
