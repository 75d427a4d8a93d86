// What the four stream implementations share: the URL they describe, the close timeout, the
// closing state, and the mapping of Asio, OpenSSL and Beast errors onto transport_errc with a
// message that names the operation and the URL.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <string>
#include <system_error>
#include <utility>

#include "harness/transport/error.hpp"
#include "harness/transport/stream.hpp"
#include "harness/transport/url.hpp"

namespace harness::transport::detail {

/// The TCP socket under every layer.
using lowest_socket = boost::asio::ip::tcp::socket::lowest_layer_type;

class stream_base : public stream {
  public:
    stream_base(broker_url url, std::chrono::milliseconds close_timeout)
        : url_(std::move(url)), close_timeout_(close_timeout) {}

    std::string describe() const override { return url_.to_string(); }
    std::string last_error() const override { return last_error_; }

  protected:
    /// The error to report for a failed read, recording its message.
    std::error_code read_error(const boost::system::error_code& ec);
    /// The error to report for a failed write, recording its message.
    std::error_code write_error(const boost::system::error_code& ec);
    /// Records `message` and returns transport_errc::closed: for calls after close()/abort().
    std::error_code closed_error(std::string_view operation);
    /// The preconditions of read_some: sets `ec` and returns false after close()/abort() or for
    /// an empty buffer (which would complete with 0 bytes and no error, again and again).
    bool can_read(std::size_t buffer_size, std::error_code& ec);
    /// The precondition of write: sets `ec` and returns false after close()/abort().
    bool can_write(std::error_code& ec);

    /// Marks the stream closed by this side; false when it already was.
    bool begin_close() noexcept { return !std::exchange(closed_here_, true); }
    /// Marks the stream closed by this side and closes `socket` (idempotent, never throws).
    void close_socket(lowest_socket& socket) noexcept;

    const broker_url& url() const noexcept { return url_; }
    std::chrono::milliseconds close_timeout() const noexcept { return close_timeout_; }
    bool closed_here() const noexcept { return closed_here_; }
    void set_last_error(std::string message) { last_error_ = std::move(message); }
    /// What describe() names, once a server-side handshake has learnt the request path.
    void set_url(broker_url url) { url_ = std::move(url); }

  private:
    broker_url url_;
    std::chrono::milliseconds close_timeout_;
    bool closed_here_ = false;  // close() or abort() was called
    std::string last_error_;
};

/// True when `ec` says the peer ended the stream cleanly: end of stream, a TLS close_notify or
/// a TCP close without one (stream truncated), a WebSocket close frame.
bool is_clean_end(const boost::system::error_code& ec) noexcept;

/// True when `ec` is an operation being cancelled or its socket closed under it.
bool is_cancellation(const boost::system::error_code& ec) noexcept;

/// The message of an Asio/OpenSSL/Beast error, without OpenSSL's "(SSL routines)" noise where
/// it is clearer without.
std::string describe_error(const boost::system::error_code& ec);

/// "127.0.0.1:1883", "[::1]:1883".
std::string to_string(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace harness::transport::detail
