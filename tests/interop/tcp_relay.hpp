// A recording TCP relay for the interop tests: it listens on 127.0.0.1 (a port of its own
// choosing), connects every accepted client to the broker, forwards both directions unchanged,
// and keeps the bytes of each direction per connection. A test waits on the captures with a
// predicate and a timeout, e.g. until a SUBACK has gone to the subscriber.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace harness::interop {

/// The traffic of one relayed connection, in the order the relay received it.
struct captured_connection {
    std::vector<std::uint8_t> client_to_broker;
    std::vector<std::uint8_t> broker_to_client;
    bool broker_connect_failed = false;
    bool closed = false;  // both directions ended; the capture is complete
};

using capture_predicate = std::function<bool(const std::vector<captured_connection>&)>;

class tcp_relay {
  public:
    /// Starts listening; throws std::system_error on failure.
    explicit tcp_relay(std::uint16_t broker_port);
    /// Stops relaying and closes every socket.
    ~tcp_relay();

    tcp_relay(const tcp_relay&) = delete;
    tcp_relay& operator=(const tcp_relay&) = delete;

    std::uint16_t port() const noexcept { return port_; }

    /// Waits until `done` holds over the captures (checked after every change), at most
    /// `timeout`; false on timeout.
    bool wait_until(const capture_predicate& done, std::chrono::milliseconds timeout) const;

    /// A copy of the captures, in the order the connections were accepted.
    std::vector<captured_connection> captures() const;

  private:
    enum class direction { to_broker, to_client };

    void accept_loop();
    void relay(std::size_t index, int client_fd);
    void record(std::size_t index, direction dir, const std::uint8_t* data, std::size_t size);

    std::uint16_t broker_port_;
    std::uint16_t port_ = 0;
    int listen_fd_ = -1;
    int stop_pipe_[2] = {-1, -1};  // written once on shutdown: readable for every poll()
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<captured_connection> connections_;
    std::vector<std::thread> workers_;  // one per connection, started by the acceptor thread
    std::thread acceptor_;
};

}  // namespace harness::interop
