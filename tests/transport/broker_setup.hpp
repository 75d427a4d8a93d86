// One mosquitto for the transport tests of a process, started on first use: certificates made
// with openssl, and a listener for each transport plus two TLS listeners for failure cases.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "harness/transport/connect.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/temp_dir.hpp"
#include "support/test_certificates.hpp"

namespace harness::transport::testing {

struct broker_setup {
    enum listener : std::size_t {
        mqtt,               // plain TCP
        ws,                 // protocol websockets
        mqtts,              // TLS, server certificate from certs.ca
        wss,                // websockets over TLS, same certificate
        mqtts_other_ca,     // TLS, server certificate from certs.other_ca
        mqtts_client_cert,  // TLS, client certificate from certs.ca required
    };

    test_support::temp_dir dir{"harness-transport-pki"};
    test_support::test_certificates certs;
    std::unique_ptr<test_support::mosquitto_broker> broker;

    std::uint16_t port(listener l) const { return broker->port(l); }
    /// tls_options that trust the test CA.
    tls_options trusting_test_ca() const {
        tls_options tls;
        tls.ca_file = certs.ca;
        return tls;
    }
    /// "scheme://host:port" (+ "/mqtt" for WebSocket listeners) for listener `l`.
    broker_url url(scheme kind, listener l, const std::string& host = "127.0.0.1") const;
};

/// The broker of this process, started on first use. Throws std::runtime_error (with the
/// broker's log) when openssl or mosquitto is missing or fails.
const broker_setup& shared_broker();

}  // namespace harness::transport::testing
