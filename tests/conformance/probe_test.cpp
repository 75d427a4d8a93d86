// The capability probe: what the embedded broker advertises with its default options and with
// every feature turned off, what Debian's mosquitto 2.0.11 reports, a refusal taken as a result,
// and bounded errors for a port where nothing listens and a socket that never answers. Each
// probe must leave no retained message behind.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <iostream>
#include <string>

#include "harness/broker/server.hpp"
#include "harness/client/async_client.hpp"
#include "harness/client/error.hpp"
#include "harness/conformance/probe.hpp"
#include "harness/transport/error.hpp"
#include "support/loopback.hpp"
#include "support/mosquitto_broker.hpp"

namespace harness::conformance {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

probe_options options_for(std::uint16_t port, std::chrono::milliseconds timeout = 5'000ms) {
    probe_options o;
    o.url.host = "127.0.0.1";
    o.url.port = port;
    o.client_id_prefix = "probe-test";
    o.timeout = timeout;
    return o;
}

std::string all_notes(const capabilities& c) {
    return describe(c);
}

bool mentions(const capabilities& c, const std::string& text) {
    for (const auto& n : c.notes) {
        if (n.find(text) != std::string::npos)
            return true;
    }
    return false;
}

client::client_options observer_options(std::uint16_t port) {
    client::client_options o;
    o.url.host = "127.0.0.1";
    o.url.port = port;
    o.timeout = 5'000ms;
    o.session.connect.client_id = "probe-test-observer";
    return o;
}

std::vector<codec::subscription> probe_topics() {
    std::vector<codec::subscription> s(1);
    s[0].topic_filter = "mqtt-harness-probe/#";
    return s;
}

/// Whether a new subscriber to the probe's topics gets a retained message within 300 ms.
bool retained_left(std::uint16_t port) {
    asio::io_context io(1);
    bool connected = false;
    bool got = false;
    const auto options = observer_options(port);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            client::async_client c(co_await asio::this_coro::executor, options);
            const auto r = co_await c.connect();
            connected = static_cast<bool>(r);
            if (!connected)
                co_return;
            auto filters = probe_topics();
            codec::property_list none;
            co_await c.subscribe(std::move(filters), std::move(none));
            got = (co_await c.next_message(300ms)).has_value();
            codec::property_list none_again;
            co_await c.disconnect(codec::disconnect_reason::normal_disconnection,
                                  std::move(none_again));
        },
        asio::detached);
    io.run_for(10s);
    EXPECT_TRUE(connected) << "the observer could not connect";
    return got;
}

std::vector<std::string> every_name() {
    return {"mqtt3.1.1",
            "mqtt5",
            "qos1",
            "qos2",
            "retain",
            "wildcards",
            "shared_subscriptions",
            "subscription_identifiers",
            "topic_alias",
            "sys_topics",
            "empty_client_id"};
}

TEST(Capabilities, NamesAreWhatHasSays) {
    capabilities c;
    c.mqtt311 = true;
    c.maximum_qos = 1;
    c.retain = false;
    c.wildcards = true;
    c.shared_subscriptions = false;
    c.subscription_identifiers = false;
    EXPECT_EQ(c.names(), (std::vector<std::string>{"mqtt3.1.1", "qos1", "wildcards"}));
    EXPECT_TRUE(c.has("qos1"));
    EXPECT_FALSE(c.has("qos2"));
    EXPECT_FALSE(c.has("topic_alias"));  // a 5.0 feature
    EXPECT_FALSE(c.has("teleportation"));
    EXPECT_EQ(describe(c).substr(0, 21), "MQTT versions: 3.1.1\n");
}

TEST(Probe, EmbeddedBrokerWithItsDefaults) {
    broker::embedded_broker b;
    const auto started = clock::now();
    const auto r = probe_broker(options_for(b.port()));
    const auto took = clock::now() - started;
    ASSERT_TRUE(r) << r.message;
    const auto& c = r.caps;
    std::cout << describe(c);
    EXPECT_TRUE(c.mqtt311);
    EXPECT_TRUE(c.mqtt5);
    EXPECT_EQ(c.maximum_qos, 2);
    EXPECT_TRUE(c.retain);
    EXPECT_TRUE(c.wildcards);
    EXPECT_TRUE(c.shared_subscriptions);
    EXPECT_TRUE(c.subscription_identifiers);
    EXPECT_EQ(c.topic_alias_maximum, 10);
    EXPECT_EQ(c.receive_maximum, 65535);
    EXPECT_FALSE(c.maximum_packet_size.has_value());
    EXPECT_FALSE(c.session_expiry_cap.has_value());
    EXPECT_FALSE(c.server_keep_alive.has_value());
    EXPECT_TRUE(c.sys_topics);  // $SYS/broker/version is retained from the start
    EXPECT_EQ(c.max_client_id_length, 65535u);
    EXPECT_TRUE(c.client_id_any_characters);
    EXPECT_EQ(c.max_topic_length, 65535u);
    EXPECT_EQ(c.largest_payload, 4u * 1024 * 1024);
    EXPECT_TRUE(c.notes.empty()) << all_notes(c);
    EXPECT_EQ(c.names(), every_name());
    EXPECT_LT(took, 5s);
    EXPECT_FALSE(retained_left(b.port()));
}

broker::server_options restricted() {
    broker::server_options o;
    auto& b = o.broker;
    b.maximum_qos = codec::qos::at_least_once;
    b.retain_available = false;
    b.wildcard_subscriptions = false;
    b.shared_subscriptions = false;
    b.subscription_identifiers = false;
    b.receive_maximum = 100;
    b.maximum_packet_size = 100'000;
    b.topic_alias_maximum = 0;
    b.max_keepalive = 120;
    b.max_session_expiry = 3600;
    b.sys_interval = std::chrono::seconds(0);
    return o;
}

TEST(Probe, EmbeddedBrokerWithEveryFeatureOff) {
    broker::embedded_broker b(restricted());
    const auto r = probe_broker(options_for(b.port()));
    ASSERT_TRUE(r) << r.message;
    const auto& c = r.caps;
    std::cout << describe(c);
    EXPECT_TRUE(c.mqtt311);
    EXPECT_TRUE(c.mqtt5);
    EXPECT_EQ(c.maximum_qos, 1);
    EXPECT_FALSE(c.retain);
    EXPECT_FALSE(c.wildcards);
    EXPECT_FALSE(c.shared_subscriptions);
    EXPECT_FALSE(c.subscription_identifiers);
    EXPECT_EQ(c.topic_alias_maximum, 0);
    EXPECT_EQ(c.receive_maximum, 100);
    EXPECT_EQ(c.maximum_packet_size, 100'000u);
    EXPECT_EQ(c.session_expiry_cap, 3600u);
    EXPECT_EQ(c.server_keep_alive, 120);
    EXPECT_FALSE(c.sys_topics);
    EXPECT_EQ(c.max_client_id_length, 65535u);
    EXPECT_EQ(c.max_topic_length, 65535u);
    EXPECT_EQ(c.largest_payload, 64u * 1024);  // 256 KiB is above the Maximum Packet Size
    EXPECT_EQ(c.names(),
              (std::vector<std::string>{"mqtt3.1.1", "mqtt5", "qos1", "empty_client_id"}));
    EXPECT_TRUE(mentions(c, "Retain Available 0")) << all_notes(c);
    EXPECT_TRUE(mentions(c, "$SYS topics: no message within 1000 ms")) << all_notes(c);
}

TEST(Probe, ARefusedConnectIsAResultNotAnError) {
    broker::server_options o;
    o.broker.access.allow_anonymous = false;
    broker::embedded_broker b(o);
    const auto r = probe_broker(options_for(b.port()));
    ASSERT_TRUE(r) << r.message;
    EXPECT_FALSE(r.caps.mqtt5);
    EXPECT_FALSE(r.caps.mqtt311);
    EXPECT_TRUE(r.caps.names().empty()) << all_notes(r.caps);
    EXPECT_TRUE(mentions(r.caps, "Not authorized")) << all_notes(r.caps);
}

TEST(Probe, DebianMosquitto) {
    test_support::mosquitto_broker m;
    const auto started = clock::now();
    const auto r = probe_broker(options_for(m.port()));
    const auto took = clock::now() - started;
    ASSERT_TRUE(r) << r.message;
    const auto& c = r.caps;
    std::cout << describe(c);
    EXPECT_TRUE(c.mqtt311);
    EXPECT_TRUE(c.mqtt5);
    EXPECT_EQ(c.maximum_qos, 2);
    EXPECT_TRUE(c.retain);
    EXPECT_TRUE(c.wildcards);
    EXPECT_TRUE(c.shared_subscriptions);
    EXPECT_TRUE(c.subscription_identifiers);
    EXPECT_TRUE(c.sys_topics);
    EXPECT_EQ(c.topic_alias_maximum, 10);
    EXPECT_EQ(c.receive_maximum, 20);
    EXPECT_FALSE(c.maximum_packet_size.has_value());
    EXPECT_FALSE(c.session_expiry_cap.has_value());
    EXPECT_FALSE(c.server_keep_alive.has_value());
    EXPECT_EQ(c.max_client_id_length, 65535u);
    EXPECT_TRUE(c.client_id_any_characters);
    EXPECT_EQ(c.max_topic_length, 65535u);
    EXPECT_EQ(c.largest_payload, 4u * 1024 * 1024);
    EXPECT_TRUE(c.notes.empty()) << all_notes(c);
    EXPECT_EQ(c.names(), every_name());
    EXPECT_LT(took, 5s);
    EXPECT_FALSE(retained_left(m.port()));
}

TEST(Probe, ABrokerThatStallsMidwayEndsTheProbeInBoundedTime) {
    broker::embedded_broker b;
    b.with_core([](broker::broker& core) {
        broker::fault_rule never_acknowledged;  // the PUBLISH of the wildcard step is lost
        never_acknowledged.type = codec::packet_type::publish;
        never_acknowledged.topic_filter = "mqtt-harness-probe/+/wild/#";
        never_acknowledged.count = 0;
        core.add_fault(never_acknowledged);
    });
    const auto started = clock::now();
    const auto r = probe_broker(options_for(b.port(), 500ms));
    const auto took = clock::now() - started;
    ASSERT_TRUE(r) << r.message;
    const auto& c = r.caps;
    EXPECT_TRUE(c.mqtt5);
    EXPECT_EQ(c.maximum_qos, 2);
    EXPECT_FALSE(c.wildcards);
    EXPECT_FALSE(c.retain);  // not probed after the stall
    EXPECT_EQ(c.max_client_id_length, 0u);
    EXPECT_TRUE(mentions(c, "did not answer the PUBLISH of wildcards within 500 ms"))
        << all_notes(c);
    EXPECT_GE(took, 500ms);
    EXPECT_LT(took, 3s);
}

TEST(Probe, NothingListeningIsAnError) {
    const auto port = test_support::free_port();
    const auto started = clock::now();
    const auto r = probe_broker(options_for(port, 2'000ms));
    EXPECT_LT(clock::now() - started, 3s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error.category(), transport::transport_category()) << r.message;
    EXPECT_NE(r.message.find(std::to_string(port)), std::string::npos) << r.message;
}

TEST(Probe, ABrokerThatNeverAnswersIsAnErrorInBoundedTime) {
    // The kernel completes TCP handshakes on a listening socket nobody accepts from: CONNECT
    // goes into its buffer and nothing ever comes back.
    asio::io_context io;
    asio::ip::tcp::acceptor silent(io,
                                   asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto started = clock::now();
    const auto r = probe_broker(options_for(silent.local_endpoint().port(), 300ms));
    const auto took = clock::now() - started;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error, client::client_errc::connack_timeout) << r.message;
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 3s);  // one timeout at 5.0, one at 3.1.1
}

}  // namespace
}  // namespace harness::conformance
