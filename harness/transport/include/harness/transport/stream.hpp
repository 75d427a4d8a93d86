// A connected byte stream to a broker, over TCP, TLS, WebSocket or secure WebSocket. It moves
// bytes and knows nothing of MQTT packets.
//
// Concurrency: one read_some and one write may be in progress at the same time (a reader
// coroutine and a writer coroutine); close() may be called while a read is in progress, and
// abort() at any time. Every call must be made on the stream's executor (one thread, or a
// strand), as usual for Asio objects. Destroy a stream only when no operation is in progress:
// abort() first, and let the reader see its error.
//
// Cancellation: read_some and write honour the cancellation slot of the awaiting coroutine
// (e.g. `co_await (s.read_some(buf, ec) || timer.async_wait(use_awaitable))`); a cancelled
// operation reports std::errc::operation_canceled. TLS and WebSocket streams cannot resume
// after an interrupted operation, so after a cancellation the only safe calls are close() and
// abort(). read_some_for and write_for below do this with a time limit.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <system_error>

namespace harness::transport {

class stream {
  public:
    virtual ~stream() = default;

    virtual boost::asio::any_io_executor get_executor() = 0;

    /// Reads at least one byte into `buf` (which must not be empty) and returns how many. On
    /// failure returns 0 and sets `ec`: transport_errc::closed when the peer ended the stream
    /// cleanly (TCP end of stream, TLS close_notify or a closed TCP connection under TLS,
    /// WebSocket close frame) or when this side called close() or abort();
    /// transport_errc::read_failed otherwise; std::errc::operation_canceled when cancelled;
    /// std::errc::invalid_argument for an empty `buf`.
    /// Over WebSocket the bytes of consecutive binary messages are delivered as one byte
    /// stream: a read may end inside a message or frame, and one message may hold several
    /// MQTT packets.
    virtual boost::asio::awaitable<std::size_t> read_some(std::span<std::uint8_t> buf,
                                                          std::error_code& ec) = 0;

    /// Writes all of `bytes` (one binary WebSocket message, in one frame, per call; nothing
    /// for an empty span). On failure sets `ec`: transport_errc::write_failed;
    /// transport_errc::closed when the peer has ended the stream (e.g. sent a WebSocket close
    /// frame) or after close() or abort(); std::errc::operation_canceled when cancelled.
    virtual boost::asio::awaitable<void> write(std::span<const std::uint8_t> bytes,
                                               std::error_code& ec) = 0;

    /// Graceful close: TLS close_notify, WebSocket close frame (code 1000), TCP shutdown; then
    /// the socket is closed. Bounded by the timeout that was given to connect(): a peer that
    /// does not answer in time gets the socket closed under it. Never throws; a second call
    /// does nothing. A read in progress completes with transport_errc::closed.
    virtual boost::asio::awaitable<void> close() = 0;

    /// Closes the socket at once: no close_notify, no close frame (the peer sees the TCP
    /// connection end, e.g. to trigger a will). Operations in progress complete with
    /// transport_errc::closed. Never throws; a second call does nothing.
    virtual void abort() = 0;

    /// The broker URL, e.g. "ws://127.0.0.1:8080/mqtt".
    virtual std::string describe() const = 0;

    /// The text of the last failure of read_some, write or close, naming what failed, e.g.
    /// "read from mqtts://localhost:8883 failed: connection reset by peer"; empty if none.
    virtual std::string last_error() const { return {}; }
};

/// read_some with a time limit: transport_errc::timeout when no byte arrived within `limit`.
/// The read is then cancelled, so the stream is only fit for close() or abort().
boost::asio::awaitable<std::size_t> read_some_for(stream& s, std::span<std::uint8_t> buf,
                                                  std::error_code& ec,
                                                  std::chrono::milliseconds limit);

/// write with a time limit: transport_errc::timeout when the bytes could not all be handed to
/// the operating system within `limit` (the peer does not read). The stream is then only fit
/// for close() or abort().
boost::asio::awaitable<void> write_for(stream& s, std::span<const std::uint8_t> bytes,
                                       std::error_code& ec, std::chrono::milliseconds limit);

}  // namespace harness::transport
