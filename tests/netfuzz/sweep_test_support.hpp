// What the sweep tests share: execution options towards a broker on 127.0.0.1 and running one
// awaitable to its end on an io_context of its own.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdint>
#include <utility>

#include "harness/netfuzz/case_executor.hpp"

namespace harness::netfuzz::test {

/// Towards 127.0.0.1:port, with a generous answer timeout (tests wait for answers, not speed).
inline execution_options options_for(std::uint16_t port) {
    execution_options x;
    x.url.host = "127.0.0.1";
    x.url.port = port;
    x.answer_timeout = std::chrono::milliseconds(2'000);
    return x;
}

template <class T>
T run(boost::asio::awaitable<T> work) {
    boost::asio::io_context io;
    auto f = boost::asio::co_spawn(io, std::move(work), boost::asio::use_future);
    io.run();
    return f.get();
}

}  // namespace harness::netfuzz::test
