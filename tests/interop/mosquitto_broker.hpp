// A Debian mosquitto broker for the interop tests: a generated configuration in a temporary
// directory, a free loopback port, and a bounded wait until it accepts connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "child_process.hpp"

namespace harness::interop {

/// The broker program: $HARNESS_MOSQUITTO if set, else /usr/sbin/mosquitto.
std::string mosquitto_program();

class mosquitto_broker {
  public:
    /// Starts the broker and waits until it accepts TCP connections. Throws std::runtime_error
    /// with the broker's own output when it does not come up within `timeout`.
    explicit mosquitto_broker(std::chrono::milliseconds timeout = std::chrono::seconds{10});
    /// Stops the broker and removes the temporary directory.
    ~mosquitto_broker();

    mosquitto_broker(const mosquitto_broker&) = delete;
    mosquitto_broker& operator=(const mosquitto_broker&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    /// What the broker has logged so far (it logs to stderr).
    std::string log() const;

  private:
    /// One attempt on one port: true once the broker accepts connections, false when it exited
    /// (e.g. the port was taken meanwhile); throws when it neither comes up nor exits in time.
    bool try_start(std::uint16_t port, std::chrono::steady_clock::time_point deadline);

    std::filesystem::path dir_;
    std::uint16_t port_ = 0;
    std::unique_ptr<child_process> process_;
    std::string failed_log_;  // output of attempts that exited
};

}  // namespace harness::interop
