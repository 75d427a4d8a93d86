// Starting the transport tests' mosquitto: its configuration is the list of listeners below.
#include "broker_setup.hpp"

#include <stdexcept>

#include "support/child_process.hpp"

namespace harness::transport::testing {
namespace {

using test_support::mosquitto_listener;

std::unique_ptr<broker_setup> start() {
    for (const auto& tool : {test_support::mosquitto_program(), std::string("openssl")}) {
        if (!test_support::find_executable(tool)) {
            throw std::runtime_error(
                tool +
                " not found. The transport tests need Debian's mosquitto (with "
                "websockets) and the openssl tool: apt-get install mosquitto openssl "
                "(set HARNESS_MOSQUITTO for a broker elsewhere than /usr/sbin/mosquitto).");
        }
    }
    auto setup = std::make_unique<broker_setup>();
    setup->certs = test_support::make_test_certificates(setup->dir);
    const auto& c = setup->certs;

    const auto tls = [&](mosquitto_listener l, const std::string& cert, const std::string& key) {
        l.cafile = c.ca;
        l.certfile = cert;
        l.keyfile = key;
        return l;
    };
    auto client_cert = tls(mosquitto_listener::mqtt(), c.server_cert, c.server_key);
    client_cert.require_certificate = true;

    test_support::mosquitto_config config;
    config.listeners = {
        mosquitto_listener::mqtt(),
        mosquitto_listener::websockets(),
        tls(mosquitto_listener::mqtt(), c.server_cert, c.server_key),
        tls(mosquitto_listener::websockets(), c.server_cert, c.server_key),
        tls(mosquitto_listener::mqtt(), c.other_server_cert, c.other_server_key),
        client_cert,
    };
    // Without it, the broker's Nagle algorithm and our delayed ACKs hold back the last record
    // of a TLS handshake by 40 ms.
    for (auto& l : config.listeners)
        l.extra_lines.push_back("set_tcp_nodelay true");
    setup->broker = std::make_unique<test_support::mosquitto_broker>(config);
    return setup;
}

}  // namespace

broker_url broker_setup::url(scheme kind, listener l, const std::string& host) const {
    broker_url u;
    u.kind = kind;
    u.host = host;
    u.port = port(l);
    u.path = kind == scheme::ws || kind == scheme::wss ? "/mqtt" : "";
    return u;
}

const broker_setup& shared_broker() {
    static std::unique_ptr<broker_setup> setup;
    if (!setup)
        setup = start();
    return *setup;
}

}  // namespace harness::transport::testing
