// The embedded broker on the network: listeners (TCP, TLS, WebSocket, secure WebSocket) whose
// connections feed the sans-I/O core,
// all on one executor (the core is single-threaded). `server` runs on a caller's io_context;
// `embedded_broker` owns an io_context and the thread that runs it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness/broker/broker.hpp"

namespace harness::broker {

/// TLS on a listener (Mosquitto's cafile, certfile, keyfile, require_certificate,
/// use_identity_as_username).
struct listener_tls {
    std::string certfile;  // PEM chain, server certificate first
    std::string keyfile;   // PEM private key
    /// CA certificates that client certificates must chain to; needed for require_certificate.
    std::string cafile;
    /// Refuse the TLS handshake of a client without a certificate from `cafile`'s CAs.
    bool require_certificate = false;
    /// The client certificate's common name becomes the user name (connection_info).
    bool use_identity_as_username = false;
};

/// One listening socket.
struct listener_options {
    enum class protocol { mqtt, websockets };

    /// IPv4 or IPv6 address; "" listens on every address (IPv6 and IPv4 where the system has
    /// both). Port 0 lets the kernel choose (see server::port()).
    std::string bind_address = "127.0.0.1";
    std::uint16_t port = 0;
    /// websockets: MQTT over WebSocket (sub-protocol "mqtt", any path, binary frames).
    protocol transport = protocol::mqtt;
    /// Set: TLS on this listener (mqtts, or wss for websockets).
    std::optional<listener_tls> tls;
    /// How long a client may take for the TLS handshake and the WebSocket upgrade.
    std::chrono::milliseconds handshake_timeout{10'000};

    /// "mqtt", "mqtts", "ws" or "wss".
    std::string scheme() const;
};

struct server_options {
    /// Every listener, in order: connection_info::listener is the index here.
    std::vector<listener_options> listeners = {listener_options{}};
    broker_options broker;
};

class server {
  public:
    /// Binds every listener now and loads their TLS certificates: a port in use, a bad address
    /// or an unreadable certificate throws std::system_error naming the listener (a start-up
    /// configuration error), and nothing is left listening.
    server(boost::asio::io_context& io, server_options options);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    std::size_t listener_count() const noexcept;
    /// The port of listener `index` (the kernel's choice for port 0).
    std::uint16_t port(std::size_t index = 0) const;
    /// "mqtt://127.0.0.1:1883", "wss://[::1]:8081/mqtt": a URL a client can use for listener
    /// `index` (a wildcard bind address is given as the loopback address).
    std::string url(std::size_t index = 0) const;
    /// Starts accepting; call once, on the executor's thread or before it runs.
    void start();
    /// Stops accepting and closes every connection; returns at once, the close completes as the
    /// executor runs. Call on the executor.
    void stop();
    /// The core, for observers and fault hooks; use it on the executor only.
    broker& core() noexcept;
    /// After using core() directly: moves what it produced and re-arms its timer.
    void wake();

  private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

/// A broker on a thread of its own, for tests and the runner: started by the constructor,
/// stopped and joined by stop() or the destructor.
class embedded_broker {
  public:
    /// `setup` runs on the caller's thread before the broker's thread starts and before it
    /// accepts connections (observers, logs).
    explicit embedded_broker(server_options options = {},
                             std::function<void(broker&)> setup = nullptr);
    ~embedded_broker();
    embedded_broker(const embedded_broker&) = delete;
    embedded_broker& operator=(const embedded_broker&) = delete;

    std::size_t listener_count() const noexcept { return ports_.size(); }
    std::uint16_t port(std::size_t index = 0) const { return ports_.at(index); }
    std::string url(std::size_t index = 0) const { return urls_.at(index); }
    /// Runs `f` on the broker's thread and waits for it: the way to add fault rules or read
    /// counters from another thread. Rethrows what `f` throws.
    void with_core(const std::function<void(broker&)>& f);
    void stop();

  private:
    boost::asio::io_context io_{1};
    std::unique_ptr<server> server_;
    std::vector<std::uint16_t> ports_;
    std::vector<std::string> urls_;
    std::thread thread_;
};

}  // namespace harness::broker
