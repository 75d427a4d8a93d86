// One connection of a fuzz case as the executor drives it. Plain TCP to an address literal (the
// usual target: a broker the fuzzer started on 127.0.0.1) is handled here directly: connect
// without a timer of its own (the case's watchdog bounds it), no stream object, and an abortive
// close (RST) so that hundreds of thousands of connections leave no TIME_WAIT state behind.
// Every other URL (names, TLS, WebSocket) goes through harness::transport.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>

#include "harness/transport/connect.hpp"
#include "harness/transport/stream.hpp"
#include "harness/transport/url.hpp"

namespace harness::netfuzz {

/// Where and how to connect, worked out once per case.
struct wire_target {
    const transport::broker_url* url = nullptr;
    const transport::tls_options* tls = nullptr;
    std::chrono::milliseconds connect_timeout{3'000};
    std::optional<boost::asio::ip::tcp::endpoint> direct;  // plain TCP to an address literal

    wire_target(const transport::broker_url& u, const transport::tls_options& t,
                std::chrono::milliseconds timeout);
};

class wire {
  public:
    /// Connects; on failure returns false and says why in `problem`.
    boost::asio::awaitable<bool> open(const wire_target& target, std::string& problem);

    boost::asio::awaitable<std::size_t> read_some(std::span<std::uint8_t> buf, std::error_code& ec);
    boost::asio::awaitable<void> write(std::span<const std::uint8_t> bytes, std::error_code& ec);

    /// Ends the connection at once; operations in progress complete with an error.
    void abort() noexcept;
    /// abort() and forget the connection.
    void reset() noexcept;

    explicit operator bool() const noexcept { return socket_.has_value() || stream_ != nullptr; }

  private:
    std::optional<boost::asio::ip::tcp::socket> socket_;
    std::unique_ptr<transport::stream> stream_;
};

/// A wire under one time limit for a whole exchange (the sweeps): when it passes, the wire is
/// aborted, so whatever waits on it ends, and `timed_out` says why. Shared with the timer's
/// handler, which may run after the exchange has ended.
struct timed_wire {
    explicit timed_wire(const boost::asio::any_io_executor& ex) : timer(ex) {}
    /// A timed_wire whose limit starts now.
    static std::shared_ptr<timed_wire> start(const boost::asio::any_io_executor& ex,
                                             std::chrono::milliseconds limit);

    wire link;
    boost::asio::steady_timer timer;
    bool timed_out = false;
};

}  // namespace harness::netfuzz
