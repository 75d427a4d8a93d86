// Background traffic through a broker while a test does something nasty to it: a publisher (the
// project's async_client) sends numbered QoS 1 messages, about one a millisecond, to a subscriber
// that checks each arrives once and in order. Runs on a thread of its own.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace harness::broker_interop {

class steady_traffic {
  public:
    /// Connects both clients and returns once the subscription is in place and messages flow;
    /// fails the test when that does not happen within a few seconds.
    explicit steady_traffic(std::uint16_t port);
    ~steady_traffic();
    steady_traffic(const steady_traffic&) = delete;
    steady_traffic& operator=(const steady_traffic&) = delete;

    /// Messages received so far.
    std::uint64_t received() const;
    /// Waits at most `timeout` until more than `count` messages were received.
    bool wait_beyond(std::uint64_t count, std::chrono::milliseconds timeout);
    /// Stops publishing, waits for the messages still on their way, and disconnects both
    /// clients. Empty when every message published was received once, in order; otherwise what
    /// went wrong.
    std::string stop();

  private:
    boost::asio::awaitable<void> run();
    void fail(std::string problem);  // under the lock

    std::uint16_t port_;
    boost::asio::io_context io_{1};
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::uint64_t published_ = 0;
    std::uint64_t received_ = 0;
    bool done_ = false;
    std::string problem_;
};

}  // namespace harness::broker_interop
