// A Debian mosquitto broker for tests: a generated configuration in a temporary directory, one
// or more listeners (MQTT or WebSockets, each with or without TLS) on free loopback ports, and
// a bounded wait until every listener accepts connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace harness::test_support {

/// The broker program: $HARNESS_MOSQUITTO if set, else /usr/sbin/mosquitto.
std::string mosquitto_program();

/// One `listener` block of mosquitto.conf, bound to 127.0.0.1 on a port chosen at start.
struct mosquitto_listener {
    enum class kind { mqtt, websockets };
    kind protocol = kind::mqtt;
    /// TLS when certfile is set. cafile is the CA that client certificates must chain to.
    std::string cafile;
    std::string certfile;
    std::string keyfile;
    bool require_certificate = false;
    /// More lines inside this listener's block (mosquitto.conf syntax).
    std::vector<std::string> extra_lines;

    static mosquitto_listener mqtt() { return {}; }
    static mosquitto_listener websockets() {
        mosquitto_listener l;
        l.protocol = kind::websockets;
        return l;
    }
};

struct mosquitto_config {
    std::vector<mosquitto_listener> listeners = {mosquitto_listener::mqtt()};
    bool allow_anonymous = true;
    /// Lines for the global section, before the listeners, e.g. "password_file /tmp/x/pw".
    std::vector<std::string> extra_lines;
    /// How long the broker may take to accept connections on every listener.
    std::chrono::milliseconds start_timeout{10'000};
};

class mosquitto_broker {
  public:
    /// Starts the broker and waits until every listener accepts TCP connections. Throws
    /// std::runtime_error with the broker's own output when it does not come up in time.
    explicit mosquitto_broker(mosquitto_config config = {});
    /// Stops the broker and removes the temporary directory.
    ~mosquitto_broker();

    mosquitto_broker(const mosquitto_broker&) = delete;
    mosquitto_broker& operator=(const mosquitto_broker&) = delete;

    /// The port of listener `index`, in the order of mosquitto_config::listeners.
    std::uint16_t port(std::size_t index = 0) const { return ports_.at(index); }
    /// What the broker has logged so far (it logs to stderr).
    std::string log() const;
    /// The configuration file as written, for failure messages.
    const std::string& configuration() const noexcept { return configuration_; }

  private:
    /// One attempt on one set of ports: true once the broker accepts connections on all of
    /// them, false when it exited (e.g. a port was taken meanwhile); throws when it neither
    /// comes up nor exits in time.
    bool try_start(const std::vector<std::uint16_t>& ports,
                   std::chrono::steady_clock::time_point deadline);

    mosquitto_config config_;
    temp_dir dir_;
    std::vector<std::uint16_t> ports_;
    std::string configuration_;
    std::unique_ptr<child_process> process_;
    std::string failed_log_;  // output of attempts that exited
};

}  // namespace harness::test_support
