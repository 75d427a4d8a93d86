// Runs a test's coroutine body on a fresh single-threaded io_context for at most a time limit,
// so a test that waits for something that never comes fails instead of hanging.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <type_traits>

namespace harness::test_support {

/// Runs `body(executor)` (or `body()`, an awaitable<void>) on a fresh io_context for at most
/// `limit`. A test failure when it did not finish in time (the io_context and everything on it
/// are then destroyed); an exception thrown by the body is rethrown.
template <class Body>
void run_bounded(Body&& body, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    boost::asio::io_context io(1);
    bool finished = false;
    auto done = [&finished](std::exception_ptr e) {
        if (e)
            std::rethrow_exception(e);
        finished = true;
    };
    if constexpr (std::is_invocable_v<Body&, boost::asio::any_io_executor>)
        boost::asio::co_spawn(io, body(boost::asio::any_io_executor(io.get_executor())), done);
    else
        boost::asio::co_spawn(io, body(), done);
    io.run_for(limit);
    EXPECT_TRUE(finished) << "the test did not finish within " << limit.count() << " ms";
}

}  // namespace harness::test_support
