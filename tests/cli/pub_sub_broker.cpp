// Starting the brokers of the pub/sub tests.
#include "pub_sub_broker.hpp"

#include <stdexcept>

#include "support/child_process.hpp"

namespace harness::cli::testing {

using test_support::mosquitto_listener;

std::string to_string(transport_kind kind) {
    switch (kind) {
        case transport_kind::tcp:
            return "tcp";
        case transport_kind::ws:
            return "ws";
        case transport_kind::tls:
            return "tls";
        case transport_kind::wss:
            return "wss";
    }
    return "?";
}

namespace {

std::unique_ptr<pub_sub_broker> start() {
    for (const auto& tool : {test_support::mosquitto_program(), std::string("openssl"),
                             std::string("mosquitto_passwd"), std::string("mosquitto_sub")}) {
        if (!test_support::find_executable(tool)) {
            throw std::runtime_error(tool +
                                     " not found: apt-get install mosquitto "
                                     "mosquitto-clients openssl");
        }
    }
    auto b = std::make_unique<pub_sub_broker>();
    b->certs = test_support::make_test_certificates(b->dir);
    const auto tls = [&](mosquitto_listener l) {
        l.cafile = b->certs.ca;
        l.certfile = b->certs.server_cert;
        l.keyfile = b->certs.server_key;
        return l;
    };
    test_support::mosquitto_config open;
    open.listeners = {mosquitto_listener::mqtt(), mosquitto_listener::websockets(),
                      tls(mosquitto_listener::mqtt()), tls(mosquitto_listener::websockets())};
    b->open = std::make_unique<test_support::mosquitto_broker>(open);

    const std::string passwords = b->dir.write("passwords", "");
    test_support::child_process passwd("mosquitto_passwd",
                                       {"-b", passwords, "alice", alice_password});
    if (passwd.wait_for(std::chrono::seconds(10)) != 0) {
        throw std::runtime_error("mosquitto_passwd failed: " + passwd.errors());
    }
    test_support::mosquitto_config secured;
    secured.allow_anonymous = false;
    secured.extra_lines = {"password_file " + passwords};
    b->secured = std::make_unique<test_support::mosquitto_broker>(secured);
    return b;
}

}  // namespace

std::vector<std::string> pub_sub_broker::harness_target(transport_kind kind) const {
    const auto port = [&](std::size_t i) { return std::to_string(open->port(i)); };
    switch (kind) {
        case transport_kind::tcp:
            return {"-h", "127.0.0.1", "-p", port(0)};
        case transport_kind::ws:
            return {"-L", "ws://127.0.0.1:" + port(1) + "/mqtt"};
        case transport_kind::tls:
            return {"-L", "mqtts://localhost:" + port(2), "--cafile", certs.ca};
        case transport_kind::wss:
            return {"-L", "wss://localhost:" + port(3) + "/mqtt", "--cafile", certs.ca};
    }
    return {};
}

std::vector<std::string> pub_sub_broker::mosquitto_target() const {
    return {"-h", "127.0.0.1", "-p", std::to_string(open->port(0))};
}

const pub_sub_broker& shared_pub_sub_broker() {
    static std::unique_ptr<pub_sub_broker> broker;
    if (!broker)
        broker = start();
    return *broker;
}

}  // namespace harness::cli::testing
