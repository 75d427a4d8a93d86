// The mosquitto that the pub/sub command tests talk to: listeners for MQTT, WebSocket, TLS and
// secure WebSocket (certificates made with openssl), plus a broker with a password file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/mosquitto_broker.hpp"
#include "support/temp_dir.hpp"
#include "support/test_certificates.hpp"

namespace harness::cli::testing {

enum class transport_kind { tcp, ws, tls, wss };

std::string to_string(transport_kind kind);

struct pub_sub_broker {
    test_support::temp_dir dir{"harness-pubsub"};
    test_support::test_certificates certs;
    std::unique_ptr<test_support::mosquitto_broker> open;     // anonymous, all four listeners
    std::unique_ptr<test_support::mosquitto_broker> secured;  // password file, plain MQTT

    /// Command-line arguments that point mqtt-harness at the open broker over `kind`.
    std::vector<std::string> harness_target(transport_kind kind) const;
    /// Arguments for mosquitto_pub/_sub: the open broker's plain MQTT listener.
    std::vector<std::string> mosquitto_target() const;
};

/// Started on first use, once per test process.
const pub_sub_broker& shared_pub_sub_broker();

/// The password the secured broker accepts for user "alice".
inline constexpr const char* alice_password = "correct-horse";

}  // namespace harness::cli::testing
