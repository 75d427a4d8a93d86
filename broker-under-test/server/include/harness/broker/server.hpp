// The embedded broker on the network: a TCP listener whose connections feed the sans-I/O core,
// all on one executor (the core is single-threaded). `server` runs on a caller's io_context;
// `embedded_broker` owns an io_context and the thread that runs it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "harness/broker/broker.hpp"

namespace harness::broker {

struct server_options {
    /// Address of the TCP listener; port 0 lets the kernel choose (see server::port()).
    std::string bind_address = "127.0.0.1";
    std::uint16_t port = 0;
    broker_options broker;
};

class server {
  public:
    /// Binds the listener now: a port in use or a bad address throws std::system_error naming
    /// the address (a start-up configuration error).
    server(boost::asio::io_context& io, server_options options);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    std::uint16_t port() const noexcept;
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
    /// `setup` runs on the broker's thread before it accepts connections (observers, logs).
    explicit embedded_broker(server_options options = {},
                             std::function<void(broker&)> setup = nullptr);
    ~embedded_broker();
    embedded_broker(const embedded_broker&) = delete;
    embedded_broker& operator=(const embedded_broker&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    /// Runs `f` on the broker's thread and waits for it: the way to add fault rules or read
    /// counters from another thread. Rethrows what `f` throws.
    void with_core(const std::function<void(broker&)>& f);
    void stop();

  private:
    boost::asio::io_context io_{1};
    std::unique_ptr<server> server_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

}  // namespace harness::broker
