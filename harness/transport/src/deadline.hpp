// Running an asynchronous operation against a deadline. When the deadline passes, or when the
// caller is cancelled, while the operation is still running, an `expire` action closes the
// socket under it, and the operation is cancelled too: not every layer reacts to
// cancellation at every step (an HTTP upgrade, a TLS handshake), but every one completes at
// once when its socket is closed.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

namespace harness::transport::detail {

using clock = std::chrono::steady_clock;

/// Runs `op` and records that it finished.
template <typename T>
boost::asio::awaitable<T> flag_when_done(boost::asio::awaitable<T> op,
                                         std::shared_ptr<bool> finished) {
    T result = co_await std::move(op);
    *finished = true;
    co_return result;
}

/// Waits until `deadline` or a cancellation; then, unless the operation has finished, calls
/// `expire()`.
template <typename Expire>
boost::asio::awaitable<void> expire_at(clock::time_point deadline, Expire expire,
                                       std::shared_ptr<bool> finished) {
    namespace asio = boost::asio;
    asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!*finished)
        expire();
}

/// The result of `op`, or nullopt when `deadline` came first or the caller was cancelled
/// (then `expire()` has run and op has completed). Callers tell the two apart by their
/// cancellation state.
template <typename T, typename Expire>
boost::asio::awaitable<std::optional<T>> before_deadline(boost::asio::awaitable<T> op,
                                                         clock::time_point deadline,
                                                         Expire expire) {
    using namespace boost::asio::experimental::awaitable_operators;
    auto finished = std::make_shared<bool>(false);
    auto result = co_await (flag_when_done(std::move(op), finished) ||
                            expire_at(deadline, std::move(expire), finished));
    if (result.index() == 0)
        co_return std::get<0>(std::move(result));
    co_return std::nullopt;
}

}  // namespace harness::transport::detail
