// The embeddable API: several brokers in one process, each on its own ephemeral port and with
// its own state; fault rules and counters reached from the test's thread; a clean stop.
#include <gtest/gtest.h>

#include <chrono>
#include <system_error>

#include "harness/broker/server.hpp"
#include "raw_connection.hpp"

namespace harness::broker_interop {
namespace {

using namespace std::chrono_literals;
using codec::protocol_version;

codec::subscribe subscribe_to(std::string filter) {
    codec::subscribe s;
    s.packet_id = 1;
    s.subscriptions.resize(1);
    s.subscriptions[0].topic_filter = std::move(filter);
    return s;
}

codec::publish message(std::string topic, std::string payload) {
    codec::publish p;
    p.topic = std::move(topic);
    p.payload.assign(payload.begin(), payload.end());
    return p;
}

TEST(EmbeddedBroker, TwoBrokersInOneProcessAreIndependent) {
    broker::embedded_broker first;
    broker::embedded_broker second;
    ASSERT_NE(first.port(), 0);
    ASSERT_NE(second.port(), 0);
    EXPECT_NE(first.port(), second.port());

    raw_connection sub_first(first.port());
    raw_connection sub_second(second.port());
    sub_first.handshake(protocol_version::v5, "sub");
    sub_second.handshake(protocol_version::v5, "sub");  // same id, other broker: no take-over
    ASSERT_TRUE(sub_first.send(subscribe_to("t"), protocol_version::v5));
    ASSERT_TRUE(sub_second.send(subscribe_to("t"), protocol_version::v5));
    ASSERT_TRUE(sub_first.receive(5s).has_value());   // SUBACK
    ASSERT_TRUE(sub_second.receive(5s).has_value());  // SUBACK

    raw_connection pub(first.port());
    pub.handshake(protocol_version::v5, "pub");
    ASSERT_TRUE(pub.send(message("t", "only on the first"), protocol_version::v5));
    const auto got = sub_first.receive(5s);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(std::get<codec::publish>(*got).topic, "t");
    EXPECT_FALSE(sub_second.receive(300ms).has_value());  // nothing crossed over

    std::size_t sessions_first = 0, sessions_second = 0;
    first.with_core([&](broker::broker& b) { sessions_first = b.session_count(); });
    second.with_core([&](broker::broker& b) { sessions_second = b.session_count(); });
    EXPECT_EQ(sessions_first, 2u);
    EXPECT_EQ(sessions_second, 1u);
}

TEST(EmbeddedBroker, FaultRuleAddedFromTheTestThreadDropsTheNextDelivery) {
    broker::embedded_broker b;
    raw_connection sub(b.port());
    sub.handshake(protocol_version::v5, "sub");
    ASSERT_TRUE(sub.send(subscribe_to("t"), protocol_version::v5));
    ASSERT_TRUE(sub.receive(5s).has_value());
    b.with_core([](broker::broker& core) {
        broker::fault_rule r;
        r.what = broker::fault_rule::action::drop;
        r.on = broker::direction::out;
        r.type = codec::packet_type::publish;
        core.add_fault(r);
    });
    raw_connection pub(b.port());
    pub.handshake(protocol_version::v5, "pub");
    ASSERT_TRUE(pub.send(message("t", "dropped"), protocol_version::v5));
    ASSERT_TRUE(pub.send(message("t", "delivered"), protocol_version::v5));
    const auto got = sub.receive(5s);
    ASSERT_TRUE(got.has_value());
    const auto& p = std::get<codec::publish>(*got);
    EXPECT_EQ(std::string(p.payload.begin(), p.payload.end()), "delivered");
}

TEST(EmbeddedBroker, StopClosesConnectionsAndFreesThePort) {
    auto b = std::make_unique<broker::embedded_broker>();
    const auto port = b->port();
    raw_connection c(port);
    c.handshake(protocol_version::v5, "client");
    b->stop();
    EXPECT_TRUE(c.wait_closed(5s));
    b.reset();
    EXPECT_THROW(raw_connection late(port), std::system_error);  // nothing listens any more
}

TEST(EmbeddedBroker, ConnectionThatStopsReadingIsClosedWhenItsKeepAliveRunsOut) {
    // The broker's writes to a client that stops reading get stuck; when the core ends the
    // connection (keep alive 1 s, so 1.5 s without a packet) it must still close it and
    // publish the will, not wait for a write that never finishes.
    broker::embedded_broker b;
    raw_connection watcher(b.port());
    watcher.handshake(protocol_version::v5, "watcher");
    ASSERT_TRUE(watcher.send(subscribe_to("stuck/will"), protocol_version::v5));
    ASSERT_TRUE(watcher.receive(5s).has_value());  // SUBACK

    raw_connection stuck(b.port(), 4096);
    codec::connect c;
    c.client_id = "stuck";
    c.keep_alive = 1;
    c.will.emplace();
    c.will->topic = "stuck/will";
    c.will->payload = {'g', 'o', 'n', 'e'};
    ASSERT_TRUE(stuck.send(c, protocol_version::v5));
    ASSERT_TRUE(stuck.receive(5s).has_value());  // CONNACK
    ASSERT_TRUE(stuck.send(subscribe_to("stuck/flood"), protocol_version::v5));
    ASSERT_TRUE(stuck.receive(5s).has_value());  // SUBACK; from now on it reads nothing

    raw_connection flood(b.port());
    flood.handshake(protocol_version::v5, "flood");
    const std::string big(16 * 1024, 'x');
    for (int i = 0; i < 1000; ++i)  // 16 MB: far beyond the socket buffers
        ASSERT_TRUE(flood.send(message("stuck/flood", big), protocol_version::v5));

    // Keep alive 1.5 s, then at most the close grace (2 s) for the stuck write.
    const auto will = watcher.receive(10s);
    ASSERT_TRUE(will.has_value()) << "no will: the stuck connection was never closed";
    EXPECT_EQ(std::get<codec::publish>(*will).topic, "stuck/will");
}

TEST(EmbeddedBroker, PortInUseIsAStartUpError) {
    broker::embedded_broker first;
    broker::server_options o;
    o.listeners.front().port = first.port();
    EXPECT_THROW(broker::embedded_broker second(o), std::system_error);
}

}  // namespace
}  // namespace harness::broker_interop
