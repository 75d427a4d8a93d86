// A plain TCP connection to the broker, written and read byte by byte by the test: for input no
// MQTT client would send, and for a subscriber that stops reading. Every read has a deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "harness/codec/codec.hpp"

namespace harness::broker_interop {

class raw_connection {
  public:
    /// Connects to 127.0.0.1:port; a non-zero `receive_buffer` sets SO_RCVBUF first (a small
    /// window makes a reader that stops reading back up into the broker quickly). Throws
    /// std::system_error when the connection fails.
    explicit raw_connection(std::uint16_t port, int receive_buffer = 0);
    ~raw_connection();
    raw_connection(const raw_connection&) = delete;
    raw_connection& operator=(const raw_connection&) = delete;

    /// Writes all of `bytes`; false when the connection refused them (closed by the broker).
    bool send(std::span<const std::uint8_t> bytes);
    bool send(const codec::packet& p, codec::protocol_version version);

    /// The next whole packet within `timeout`; nullopt on timeout, end of stream, or bytes that
    /// do not decode (see closed() and error()).
    std::optional<codec::packet> receive(std::chrono::milliseconds timeout);

    /// Reads until the broker closes the connection, at most `timeout`; true when it closed.
    /// Whatever arrived meanwhile is decoded into received().
    bool wait_closed(std::chrono::milliseconds timeout);

    /// CONNECT at `version` with `client_id` (keep alive off unless given), then the CONNACK;
    /// fails the test when the broker does not accept.
    void handshake(codec::protocol_version version, const std::string& client_id,
                   std::uint16_t keep_alive = 0);

    bool closed() const noexcept { return closed_; }
    const std::string& error() const noexcept { return error_; }
    /// Packets decoded by wait_closed(), in order.
    const std::vector<codec::packet>& received() const noexcept { return received_; }
    /// Bytes read since the connection opened (all of them, decoded or not).
    std::size_t bytes_read() const noexcept { return bytes_read_; }

  private:
    /// Reads once, waiting at most until `deadline`; false on timeout or end of stream.
    bool read_some(std::chrono::steady_clock::time_point deadline);
    std::optional<codec::packet> next_buffered();

    int fd_ = -1;
    codec::protocol_version version_ = codec::protocol_version::v5;
    codec::frame_reader reader_;
    bool closed_ = false;
    std::string error_;
    std::vector<codec::packet> received_;
    std::size_t bytes_read_ = 0;
};

/// Hex with optional spaces, and 'text' in quotes for its bytes: "00 03 'a/b'".
std::vector<std::uint8_t> bytes_of(std::string_view text);

}  // namespace harness::broker_interop
