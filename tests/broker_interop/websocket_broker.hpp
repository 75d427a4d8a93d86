// The embedded broker as the WebSocket interop tests need it: a plain MQTT listener, a ws
// listener and a wss listener (test certificates: CN=localhost, SAN 127.0.0.1) on free ports, so
// that WebSocket clients can be paired with TCP clients of the same broker.
#pragma once

#include <cstdint>
#include <string>

#include "harness/broker/server.hpp"
#include "support/test_certificates.hpp"

namespace harness::broker_interop {

class websocket_broker {
  public:
    /// Starts the broker; throws when the certificates cannot be made or a listener fails.
    websocket_broker();

    std::uint16_t tcp_port() const { return broker_.port(0); }
    std::uint16_t ws_port() const { return broker_.port(1); }
    std::uint16_t wss_port() const { return broker_.port(2); }
    /// "ws://127.0.0.1:<port>/mqtt", "wss://127.0.0.1:<port>/mqtt".
    std::string ws_url() const { return broker_.url(1); }
    std::string wss_url() const { return broker_.url(2); }
    /// The CA that signed the wss listener's certificate (PEM file).
    static const std::string& ca_file();

  private:
    broker::embedded_broker broker_;
};

}  // namespace harness::broker_interop
