// What the transport tests share: running a coroutine on the test's io_context with a time
// limit, raw MQTT 3.1.1 bytes, and reading until a number of bytes has arrived.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "harness/transport/stream.hpp"

namespace harness::transport::testing {

using bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

/// CONNECT, MQTT 3.1.1, clean session, keep alive 60 s, empty client identifier.
inline const bytes connect_packet = {0x10, 0x0c, 0x00, 0x04, 'M',  'Q',  'T',
                                     'T',  0x04, 0x02, 0x00, 0x3c, 0x00, 0x00};
/// CONNACK, session not present, accepted.
inline const bytes connack_packet = {0x20, 0x02, 0x00, 0x00};
inline const bytes pingreq_packet = {0xc0, 0x00};
inline const bytes pingresp_packet = {0xd0, 0x00};
inline const bytes disconnect_packet = {0xe0, 0x00};

inline bytes concat(bytes a, const bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

/// Runs `work` on `io` until it completes, at most `limit`; throws std::runtime_error when it
/// does not complete in time (GoogleTest reports the exception as a failure). Other handlers
/// on `io` (local servers) run meanwhile.
template <typename T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> work,
      std::chrono::milliseconds limit = 10s) {
    struct outcome {
        std::optional<T> value;
        std::exception_ptr error;
        bool done = false;
    };
    auto state = std::make_shared<outcome>();
    boost::asio::co_spawn(io, std::move(work), [state](std::exception_ptr e, T value) {
        state->error = e;
        if (!e)
            state->value.emplace(std::move(value));
        state->done = true;
    });
    io.restart();
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!state->done && io.run_one_until(deadline) > 0) {
    }
    if (!state->done) {
        throw std::runtime_error("the coroutine did not complete within " +
                                 std::to_string(limit.count()) + " ms");
    }
    if (state->error)
        std::rethrow_exception(state->error);
    return std::move(*state->value);
}

struct read_outcome {
    bytes data;
    std::error_code ec;
    std::string message;  // the stream's last_error() on failure
};

/// Reads until `count` bytes have arrived or a read fails, with `buffer_size` bytes per read.
inline boost::asio::awaitable<read_outcome> read_exactly(stream& s, std::size_t count,
                                                         std::size_t buffer_size = 1024) {
    read_outcome out;
    bytes buffer(buffer_size);
    while (out.data.size() < count) {
        const auto n = co_await s.read_some(buffer, out.ec);
        if (out.ec) {
            out.message = s.last_error();
            break;
        }
        out.data.insert(out.data.end(), buffer.begin(), buffer.begin() + n);
    }
    co_return out;
}

/// Reads until a read fails; the error and what arrived before it.
inline boost::asio::awaitable<read_outcome> read_until_error(stream& s) {
    read_outcome out;
    bytes buffer(1024);
    for (;;) {
        const auto n = co_await s.read_some(buffer, out.ec);
        if (out.ec) {
            out.message = s.last_error();
            co_return out;
        }
        out.data.insert(out.data.end(), buffer.begin(), buffer.begin() + n);
    }
}

/// Writes `data`; the error, if any.
inline boost::asio::awaitable<std::error_code> write_all(stream& s, bytes data) {
    std::error_code ec;
    co_await s.write(data, ec);
    co_return ec;
}

}  // namespace harness::transport::testing
