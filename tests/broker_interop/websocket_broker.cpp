// A broker with mqtt, ws and wss listeners; the certificates are made once per test program.
#include "websocket_broker.hpp"

#include "support/temp_dir.hpp"

namespace harness::broker_interop {
namespace {

const test_support::test_certificates& certificates() {
    static const test_support::temp_dir dir("harness-ws-certs");
    static const auto certs = test_support::make_test_certificates(dir);
    return certs;
}

broker::server_options options() {
    using broker::listener_options;
    const auto& certs = certificates();
    listener_options tcp;
    listener_options ws;
    ws.transport = listener_options::protocol::websockets;
    listener_options wss = ws;
    wss.tls.emplace();
    wss.tls->certfile = certs.server_cert;
    wss.tls->keyfile = certs.server_key;
    broker::server_options o;
    o.listeners = {tcp, ws, wss};
    return o;
}

}  // namespace

websocket_broker::websocket_broker() : broker_(options()) {}

const std::string& websocket_broker::ca_file() {
    return certificates().ca;
}

}  // namespace harness::broker_interop
