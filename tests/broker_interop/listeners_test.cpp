// The embedded broker's listeners: one broker serving MQTT, MQTT over TLS, WebSocket and secure
// WebSocket at once to the project's client; TLS with Debian's mosquitto_pub/mosquitto_sub (CA
// file, client certificates, require_certificate, use_identity_as_username); IPv6 and wildcard
// addresses; and start-up errors that name the listener.
#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "harness/broker/server.hpp"
#include "peers.hpp"
#include "raw_connection.hpp"
#include "support/temp_dir.hpp"
#include "support/test_certificates.hpp"

namespace harness::broker_interop {
namespace {

namespace asio = boost::asio;
using codec::qos;
using listener_protocol = broker::listener_options::protocol;

std::vector<codec::subscription> filter(std::string topic, qos q) {
    std::vector<codec::subscription> s(1);
    s[0].topic_filter = std::move(topic);
    s[0].max_qos = q;
    return s;
}

std::string text(const codec::binary& b) {
    return {b.begin(), b.end()};
}

/// Certificates made once for the whole test program (openssl takes a moment).
const test_support::test_certificates& certificates() {
    static const test_support::temp_dir dir{"broker-listeners-pki"};
    static const auto certs = test_support::make_test_certificates(dir);
    return certs;
}

broker::listener_options listener(listener_protocol transport, bool tls,
                                  std::string bind_address = "127.0.0.1") {
    broker::listener_options l;
    l.bind_address = std::move(bind_address);
    l.transport = transport;
    if (tls) {
        broker::listener_tls t;
        t.certfile = certificates().server_cert;
        t.keyfile = certificates().server_key;
        t.cafile = certificates().ca;
        l.tls = t;
    }
    return l;
}

/// The project's client for listener `index` of `b`, trusting the test CA.
client::client_options client_for(const broker::embedded_broker& b, std::size_t index,
                                  std::string client_id) {
    auto o = client_options_for(b.port(index), std::move(client_id));
    std::string error;
    o.url = *transport::parse_broker_url(b.url(index), error);
    o.tls.ca_file = certificates().ca;
    return o;
}

TEST(Listeners, OneBrokerServesMqttTlsWebSocketAndSecureWebSocketAtOnce) {
    broker::server_options options;
    options.listeners = {listener(listener_protocol::mqtt, false),
                         listener(listener_protocol::mqtt, true),
                         listener(listener_protocol::websockets, false),
                         listener(listener_protocol::websockets, true)};
    broker::embedded_broker b(options);
    ASSERT_EQ(b.listener_count(), 4u);
    EXPECT_EQ(b.url(0).rfind("mqtt://127.0.0.1:", 0), 0u) << b.url(0);
    EXPECT_EQ(b.url(1).rfind("mqtts://127.0.0.1:", 0), 0u) << b.url(1);
    EXPECT_EQ(b.url(2).rfind("ws://127.0.0.1:", 0), 0u) << b.url(2);
    EXPECT_EQ(b.url(3).rfind("wss://127.0.0.1:", 0), 0u) << b.url(3);
    std::set<std::uint16_t> ports;
    for (std::size_t k = 0; k < 4; ++k)
        ports.insert(b.port(k));
    EXPECT_EQ(ports.size(), 4u) << "each listener has a port of its own";

    // Built outside the coroutine: GCC 12 mishandles temporaries of this kind inside one.
    std::vector<client::client_options> client_options;
    std::vector<codec::publish> messages;
    for (std::size_t k = 0; k < 4; ++k) {
        client_options.push_back(client_for(b, k, "listener-" + std::to_string(k)));
        messages.push_back(
            make_message("across/" + std::to_string(k), "from " + b.url(k), qos::at_least_once));
    }
    run_bounded([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        std::vector<std::unique_ptr<client::async_client>> clients;
        for (std::size_t k = 0; k < 4; ++k) {
            clients.push_back(std::make_unique<client::async_client>(ex, client_options[k]));
            const auto connected = co_await clients.back()->connect();
            EXPECT_TRUE(connected) << b.url(k) << ": " << connected.message;
            if (!connected)
                co_return;
            const auto sub =
                co_await clients.back()->subscribe(filter("across/#", qos::at_least_once));
            EXPECT_TRUE(sub) << b.url(k) << ": " << sub.message;
        }
        // Each client publishes once; every client gets all four messages, whatever the
        // transport of the publisher.
        for (std::size_t k = 0; k < 4; ++k) {
            const auto r = co_await clients[k]->publish(messages[k]);
            EXPECT_TRUE(r) << r.message;
        }
        for (std::size_t k = 0; k < 4; ++k) {
            std::set<std::string> got;
            for (int n = 0; n < 4; ++n) {
                const auto m = co_await clients[k]->next_message(step);
                if (!m)
                    break;
                got.insert(text(m->payload));
            }
            EXPECT_EQ(got.size(), 4u) << "client on " << b.url(k) << " got " << got.size();
        }
        for (auto& c : clients)
            co_await c->disconnect();
    });
}

TEST(Listeners, Ipv6LoopbackListener) {
    broker::server_options options;
    options.listeners = {listener(listener_protocol::mqtt, false, "::1")};
    std::optional<broker::embedded_broker> b;
    try {
        b.emplace(options);
    } catch (const std::system_error& e) {
        GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
    }
    EXPECT_EQ(b->url(0), "mqtt://[::1]:" + std::to_string(b->port(0)));
    auto o = client_options_for(b->port(0), "v6");
    std::string error;
    o.url = *transport::parse_broker_url(b->url(0), error);
    run_bounded([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        client::async_client c(ex, o);
        const auto connected = co_await c.connect();
        EXPECT_TRUE(connected) << connected.message;
        co_await c.disconnect();
    });
}

TEST(Listeners, EmptyBindAddressListensOnEveryAddress) {
    broker::server_options options;
    options.listeners = {listener(listener_protocol::mqtt, false, "")};
    broker::embedded_broker b(options);
    EXPECT_EQ(b.url(0), "mqtt://127.0.0.1:" + std::to_string(b.port(0)));
    raw_connection v4(b.port(0));
    v4.handshake(codec::protocol_version::v5, "wildcard-v4");
}

TEST(Listeners, UnreadableKeyIsAStartUpErrorNamingTheListenerAndTheFile) {
    broker::server_options options;
    auto bad = listener(listener_protocol::websockets, true);
    bad.tls->keyfile = "/nonexistent/server.key";
    options.listeners = {listener(listener_protocol::mqtt, false), bad};
    try {
        broker::embedded_broker b(options);
        FAIL() << "the broker started with a missing key file";
    } catch (const std::system_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("listener 2 (wss"), std::string::npos) << what;
        EXPECT_NE(what.find("/nonexistent/server.key"), std::string::npos) << what;
    }
}

TEST(Listeners, IdentityAsUserNameNeedsRequireCertificate) {
    broker::server_options options;
    auto l = listener(listener_protocol::mqtt, true);
    l.tls->use_identity_as_username = true;
    options.listeners = {l};
    EXPECT_THROW(broker::embedded_broker b(options), std::system_error);
}

TEST(TlsListener, PlainMqttOnTheTlsPortIsDroppedAndOthersAreStillServed) {
    broker::server_options options;
    options.listeners = {listener(listener_protocol::mqtt, true)};
    broker::embedded_broker b(options);
    raw_connection raw(b.port(0));
    codec::connect c;
    c.client_id = "not-tls";
    raw.send(codec::packet(c), codec::protocol_version::v5);
    EXPECT_TRUE(raw.wait_closed(step)) << "a TLS listener must not take plain MQTT";
    const auto o = client_for(b, 0, "tls-after");
    run_bounded([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        client::async_client good(ex, o);
        const auto connected = co_await good.connect();
        EXPECT_TRUE(connected) << connected.message;
        co_await good.disconnect();
    });
}

/// mosquitto_sub/mosquitto_pub against a TLS listener; TLS arguments are given by the test.
class MosquittoTls : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_sub"));
        ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_pub"));
    }

    void start(bool require_certificate, bool identity_as_user_name = false) {
        broker::server_options options;
        auto l = listener(listener_protocol::mqtt, true);
        l.tls->require_certificate = require_certificate;
        l.tls->use_identity_as_username = identity_as_user_name;
        options.listeners = {l};
        if (identity_as_user_name) {
            // Anyone may subscribe; only the certificate's name may publish under its topics.
            options.broker.access.authorize = [](std::string_view,
                                                 std::optional<std::string_view> user,
                                                 std::string_view topic, broker::acl_access a) {
                return a != broker::acl_access::write ||
                       (user && topic.starts_with("users/" + std::string(*user) + "/"));
            };
        }
        server = std::make_unique<broker::embedded_broker>(options);
    }

    std::vector<std::string> with_ca(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--cafile", certificates().ca});
        return args;
    }
    std::vector<std::string> with_client_cert(std::vector<std::string> args) const {
        args.insert(args.begin(),
                    {"--cert", certificates().client_cert, "--key", certificates().client_key});
        return with_ca(std::move(args));
    }
    std::unique_ptr<child_process> tool(const std::string& name, std::vector<std::string> args) {
        return mosquitto_tool(name, server->port(0), args);
    }

    std::unique_ptr<broker::embedded_broker> server;
};

TEST_F(MosquittoTls, SubscriberAndPublisherTrustingTheCaExchangeAMessage) {
    start(false);
    auto sub = tool("mosquitto_sub", with_ca({"-d", "-t", "tls/topic", "-C", "1"}));
    ASSERT_TRUE(sub->wait_for_output("received SUBACK", step)) << describe(*sub);
    auto pub = tool("mosquitto_pub", with_ca({"-t", "tls/topic", "-m", "over TLS", "-q", "1"}));
    EXPECT_EQ(finish(*pub), 0) << describe(*pub);
    EXPECT_EQ(finish(*sub), 0) << describe(*sub);
    EXPECT_EQ(message_lines(*sub), std::vector<std::string>{"over TLS"});
}

TEST_F(MosquittoTls, ClientCertificateIsAcceptedWhereNotRequired) {
    start(false);
    auto pub = tool("mosquitto_pub", with_client_cert({"-t", "tls/topic", "-m", "x"}));
    EXPECT_EQ(finish(*pub), 0) << describe(*pub);
}

TEST_F(MosquittoTls, RequireCertificateRefusesAClientWithoutOne) {
    start(true);
    auto without = tool("mosquitto_pub", with_ca({"-t", "tls/topic", "-m", "no cert"}));
    EXPECT_NE(finish(*without), 0) << describe(*without);

    auto sub = tool("mosquitto_sub", with_client_cert({"-d", "-t", "tls/topic", "-C", "1"}));
    ASSERT_TRUE(sub->wait_for_output("received SUBACK", step)) << describe(*sub);
    auto with = tool("mosquitto_pub", with_client_cert({"-t", "tls/topic", "-m", "with cert"}));
    EXPECT_EQ(finish(*with), 0) << describe(*with);
    EXPECT_EQ(finish(*sub), 0) << describe(*sub);
    EXPECT_EQ(message_lines(*sub), std::vector<std::string>{"with cert"});
}

TEST_F(MosquittoTls, CertificateNameBecomesTheUserNameTheAclSees) {
    start(true, true);
    // The test client certificate is CN=harness-client; a user name on the command line does
    // not count.
    auto sub = tool("mosquitto_sub",
                    with_client_cert({"-d", "-u", "someone-else", "-t", "users/#", "-C", "1"}));
    ASSERT_TRUE(sub->wait_for_output("received SUBACK", step)) << describe(*sub);
    auto denied =
        tool("mosquitto_pub",
             with_client_cert({"-u", "someone-else", "-t", "users/someone-else/x", "-m", "no"}));
    EXPECT_EQ(finish(*denied), 0) << describe(*denied);
    auto allowed =
        tool("mosquitto_pub",
             with_client_cert({"-u", "someone-else", "-t", "users/harness-client/x", "-m", "yes"}));
    EXPECT_EQ(finish(*allowed), 0) << describe(*allowed);
    EXPECT_EQ(finish(*sub), 0) << describe(*sub);
    EXPECT_EQ(message_lines(*sub), std::vector<std::string>{"yes"});
}

}  // namespace
}  // namespace harness::broker_interop
