// Small servers on loopback ports for the cases a real broker does not produce: one that
// accepts and never says a word, one that answers every HTTP request with a fixed response, an
// echo server (also on ::1), and a scripted WebSocket server that records what the client sent.
// They run as coroutines on the test's io_context and stop when the object goes away.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "test_io.hpp"

namespace harness::transport::testing {

/// Accepts connections and holds them open without reading or writing: TLS handshakes and
/// WebSocket upgrades wait for it forever.
class silent_server {
  public:
    explicit silent_server(boost::asio::io_context& io);
    ~silent_server();
    std::uint16_t port() const noexcept { return port_; }
    std::size_t accepted() const;

  private:
    struct state;
    std::shared_ptr<state> state_;
    std::uint16_t port_ = 0;
};

/// Reads each request's header and answers `response` verbatim, then closes.
class http_responder {
  public:
    http_responder(boost::asio::io_context& io, std::string response);
    ~http_responder();
    std::uint16_t port() const noexcept { return port_; }

  private:
    struct state;
    std::shared_ptr<state> state_;
    std::uint16_t port_ = 0;
};

/// Sends back whatever it receives, on `address` ("127.0.0.1" or "::1"). Throws
/// boost::system::system_error when the address cannot be bound.
class echo_server {
  public:
    echo_server(boost::asio::io_context& io, const std::string& address);
    ~echo_server();
    std::uint16_t port() const noexcept { return port_; }

  private:
    struct state;
    std::shared_ptr<state> state_;
    std::uint16_t port_ = 0;
};

/// A WebSocket server for one connection: accepts the upgrade (selecting `subprotocol`, none
/// when empty), reads one message, sends `messages` (each a list of frames: a message split
/// over several frames is sent as continuation frames), then reads until the client closes.
class websocket_server {
  public:
    using frames = std::vector<bytes>;

    struct record {
        std::string target;               // the request target
        std::string host;                 // the Host header
        std::string requested_protocols;  // Sec-WebSocket-Protocol of the request
        bytes first_message;
        bool first_message_binary = false;
        int close_code = -1;  // the client's close code; -1 while open or without a close frame
        bool finished = false;
        std::string error;  // what went wrong on the server side, if anything
    };

    websocket_server(boost::asio::io_context& io, std::string subprotocol,
                     std::vector<frames> messages);
    ~websocket_server();
    std::uint16_t port() const noexcept { return port_; }
    const record& seen() const;

  private:
    struct state;
    std::shared_ptr<state> state_;
    std::uint16_t port_ = 0;
};

}  // namespace harness::transport::testing
