// read_some and write with a time limit, by racing them against a timer.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/transport/error.hpp"
#include "harness/transport/stream.hpp"

namespace harness::transport {
namespace {

namespace asio = boost::asio;

asio::awaitable<void> wait_for(std::chrono::milliseconds limit) {
    asio::steady_timer timer(co_await asio::this_coro::executor, limit);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

asio::awaitable<std::size_t> read_some_for(stream& s, std::span<std::uint8_t> buf,
                                           std::error_code& ec, std::chrono::milliseconds limit) {
    using namespace asio::experimental::awaitable_operators;
    std::error_code read_ec;
    const auto result = co_await (s.read_some(buf, read_ec) || wait_for(limit));
    if (result.index() == 0) {
        ec = read_ec;
        co_return std::get<0>(result);
    }
    ec = transport_errc::timeout;
    co_return 0;
}

asio::awaitable<void> write_for(stream& s, std::span<const std::uint8_t> bytes, std::error_code& ec,
                                std::chrono::milliseconds limit) {
    using namespace asio::experimental::awaitable_operators;
    std::error_code write_ec;
    const auto result = co_await (s.write(bytes, write_ec) || wait_for(limit));
    ec = result.index() == 0 ? write_ec : make_error_code(transport_errc::timeout);
}

}  // namespace harness::transport
