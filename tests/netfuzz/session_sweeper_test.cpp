// The session sweep of long campaigns: the client ids a case's CONNECTs ask for (byte-level
// mutations decoded again), the bounded pool they are kept in between sweeps, and the sweep
// itself against the embedded broker: a persistent session with a queued QoS 1 message is gone
// after it, one it did not name is still there, and a silent broker runs it out of time; a short
// campaign pauses its workers for the sweeps and still ends on time.
#include "harness/netfuzz/session_sweeper.hpp"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <string>
#include <variant>

#include "harness/broker/server.hpp"
#include "harness/codec/codec.hpp"
#include "harness/netfuzz/campaign.hpp"
#include "harness/netfuzz/session_generator.hpp"
#include "harness/transport/stream.hpp"
#include "sweep_test_support.hpp"

namespace harness::netfuzz {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
constexpr auto v311 = codec::protocol_version::v3_1_1;

using test::options_for;
using test::run;

codec::connect hello(std::string id, bool clean) {
    codec::connect c;
    c.version = v311;
    c.client_id = std::move(id);
    c.clean_start = clean;
    return c;
}

/// A persistent session of `id` subscribed at QoS 1 to `topic`, left offline.
fuzz_case persistent_subscriber(const std::string& id, const std::string& topic) {
    fuzz_case c;
    c.steps.push_back(make_step(0, hello(id, false), v311));
    codec::subscribe s;
    s.packet_id = 1;
    s.subscriptions.push_back(codec::subscription{topic, codec::qos::at_least_once});
    c.steps.push_back(make_step(0, s, v311));
    return c;
}

fuzz_case publisher(const std::vector<std::string>& topics) {
    fuzz_case c;
    c.steps.push_back(make_step(0, hello("sender", true), v311));
    std::uint16_t id = 1;
    for (const auto& t : topics) {
        codec::publish p;
        p.qos = codec::qos::at_least_once;
        p.packet_id = id++;
        p.topic = t;
        p.payload = {'q'};
        c.steps.push_back(make_step(0, p, v311));
    }
    return c;
}

struct comeback {
    bool connack = false;
    bool session_present = false;
    int publishes = 0;  // received before the PINGRESP
};

/// Reconnects as `id` with clean session = 0 and says what the broker kept.
asio::awaitable<comeback> come_back(execution_options x, std::string id) {
    comeback out;
    auto connected = co_await transport::connect(x.url, x.tls, 2s);
    if (!connected.s)
        co_return out;
    auto bytes = codec::encode(hello(id, false), v311);
    bytes.insert(bytes.end(), {0xC0, 0x00});  // PINGREQ: the end of what the broker sends
    std::error_code ec;
    co_await transport::write_for(*connected.s, bytes, ec, 2s);
    codec::frame_reader reader;
    std::array<std::uint8_t, 4096> buf;
    while (!ec) {
        const auto n = co_await transport::read_some_for(*connected.s, buf, ec, 2s);
        if (ec)
            break;
        reader.feed(std::span<const std::uint8_t>(buf.data(), n));
        for (auto f = reader.next(); f && *f; f = reader.next()) {
            if ((**f).type() == codec::packet_type::pingresp) {
                connected.s->abort();
                co_return out;
            }
            auto p = codec::decode_body(**f, v311);
            if (!p)
                continue;
            if (const auto* ack = std::get_if<codec::connack>(&*p)) {
                out.connack = true;
                out.session_present = ack->session_present;
            }
            out.publishes += std::holds_alternative<codec::publish>(*p);
        }
    }
    connected.s->abort();
    co_return out;
}

TEST(SessionSweeper, ClientIdsComeFromEveryConnectOnceEvenAfterByteMutation) {
    fuzz_case c;
    c.steps.push_back(make_step(0, hello("fz3-0", false), v311));
    c.steps.push_back(make_step(1, hello("", true), codec::protocol_version::v5));
    c.steps.push_back(make_step(1, codec::pingreq{}, v311));
    auto mutated = make_step(2, hello("fz-again", true), v311);
    mutated.packet.reset();  // as after a byte-level mutation that kept it a valid CONNECT
    c.steps.push_back(mutated);
    auto broken = make_step(3, hello("lost", true), v311);
    broken.packet.reset();
    broken.bytes.resize(broken.bytes.size() - 2);  // truncated: no longer decodes
    c.steps.push_back(broken);
    c.steps.push_back(make_step(0, hello("fz3-0", true), v311));  // a second CONNECT: refused
    EXPECT_EQ(client_ids_of(c), (std::vector<std::string>{"fz3-0", "fz-again"}));
}

TEST(SessionSweeper, ClientIdsComeFromEachConnectionsFirstPacketWhereverTheStepsCutIt) {
    fuzz_case c;
    // A CONNECT split over two steps, the second with a PINGREQ after it.
    auto whole = make_step(0, hello("fz6p", false), v311);
    fuzz_step head = whole, tail = whole;
    head.packet.reset();
    tail.packet.reset();
    head.bytes.resize(5);
    tail.bytes.erase(tail.bytes.begin(), tail.bytes.begin() + 5);
    tail.bytes.insert(tail.bytes.end(), {0xC0, 0x00});
    c.steps.push_back(head);
    c.steps.push_back(make_step(1, codec::pingreq{}, v311));  // not a CONNECT: no session
    c.steps.push_back(make_step(1, hello("after-ping", false), v311));
    c.steps.push_back(tail);
    // A reconnect opens a fresh stream whose first packet counts again.
    auto again = make_step(0, hello("fz6-reopened", false), v311);
    again.reconnect = true;
    c.steps.push_back(again);
    EXPECT_EQ(client_ids_of(c), (std::vector<std::string>{"fz6p", "fz6-reopened"}));
}

TEST(SessionSweeper, ThePoolKeepsEachIdOnceWithinItsBoundsAndEmptiesWhenTaken) {
    client_id_pool pool(3, 1'000);
    pool.add("fz1-0");
    pool.add("fz0-1");
    pool.add("fz1-0");
    pool.add(std::string(2'000, 'c'));  // past the byte bound
    pool.add("fz-1");
    pool.add("fz-again");  // past the count bound
    EXPECT_EQ(pool.size(), 3u);
    EXPECT_EQ(pool.dropped(), 2u);
    EXPECT_EQ(pool.take(), (std::vector<std::string>{"fz-1", "fz0-1", "fz1-0"}));
    EXPECT_EQ(pool.size(), 0u);
    pool.add("fz-again");
    EXPECT_EQ(pool.size(), 1u);
}

TEST(SessionSweeper, DiscardsAStoredSessionAndItsQueuedMessage) {
    broker::embedded_broker b;
    const auto x = options_for(b.port());
    for (const auto* id : {"fz0-1", "untouched"})
        ASSERT_FALSE(
            run(execute_case(persistent_subscriber(id, std::string("q/") + id), x)).stalled);
    ASSERT_FALSE(run(execute_case(publisher({"q/fz0-1", "q/untouched"}), x)).stalled);

    const std::vector<std::string> ids = {"fz0-1", "never-connected"};
    const auto r = run(sweep_sessions(x, ids, 5s));
    EXPECT_TRUE(r.complete) << r.problem;
    EXPECT_EQ(r.tried, 2u);
    EXPECT_EQ(r.swept, 2u);  // a clean session is accepted whether one was stored or not

    const auto swept = run(come_back(x, "fz0-1"));
    ASSERT_TRUE(swept.connack);
    EXPECT_FALSE(swept.session_present);
    EXPECT_EQ(swept.publishes, 0);
    // The session the sweep did not name is still there with its message: the setup would
    // have shown a session left behind.
    const auto kept = run(come_back(x, "untouched"));
    ASSERT_TRUE(kept.connack);
    EXPECT_TRUE(kept.session_present);
    EXPECT_EQ(kept.publishes, 1);
}

TEST(SessionSweeper, AnIdTheBrokerAssignedIsRecordedAndItsSessionSwept) {
    broker::embedded_broker b;
    const auto x = options_for(b.port());
    fuzz_case c;
    codec::connect anonymous;
    anonymous.version = codec::protocol_version::v5;
    anonymous.clean_start = false;
    anonymous.properties.add(codec::property_id::session_expiry_interval, 3600u);
    c.steps.push_back(make_step(0, anonymous, codec::protocol_version::v5));
    const auto left = run(execute_case(c, x));
    ASSERT_EQ(left.assigned_client_ids.size(), 1u) << left.shape;
    const auto& id = left.assigned_client_ids.front();

    const auto r = run(sweep_sessions(x, left.assigned_client_ids, 5s));
    EXPECT_EQ(r.swept, 1u) << r.problem;
    const auto back = run(come_back(x, id));
    ASSERT_TRUE(back.connack);
    EXPECT_FALSE(back.session_present);
}

TEST(SessionSweeper, ABrokerThatNeverAnswersRunsOutOfTime) {
    asio::io_context io;
    asio::ip::tcp::acceptor silent(io, {asio::ip::address_v4::loopback(), 0});
    // The connection completes in the kernel's backlog; nobody ever reads or answers.
    const std::vector<std::string> ids = {"fz0-0", "fz0-1"};
    const auto started = std::chrono::steady_clock::now();
    const auto r = run(sweep_sessions(options_for(silent.local_endpoint().port()), ids, 300ms));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(r.tried, 0u);
    EXPECT_EQ(r.swept, 0u);
    EXPECT_EQ(r.problem, "the sweep ran out of time");
}

TEST(SessionSweeper, ACampaignSweepsTheIdsItsCasesUsedAndEndsOnTime) {
    broker::embedded_broker b;
    campaign_options o;
    o.broker_url = b.url();
    o.duration = 1'500ms;
    o.workers = 8;
    o.retained_sweep = 300ms;
    o.session_sweep = 300ms;
    o.out_dir = ::testing::TempDir() + "session-sweeper-campaign";
    const auto started = std::chrono::steady_clock::now();
    const auto r = run(run_campaign(o, {}));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_TRUE(r.findings.empty());
    EXPECT_GT(r.stats.cases, 0u);
    EXPECT_GT(r.stats.client_ids_swept, 0u);
}

TEST(SessionSweeper, ACampaignAgainstABrokerItDidNotStartLeavesNothingBehind) {
    broker::server_options no_sys;
    no_sys.broker.sys_interval = 0s;  // no $SYS retained messages of the broker's own
    broker::embedded_broker b(no_sys);
    campaign_options o;
    o.broker_url = b.url();
    o.duration = 1'000ms;
    o.workers = 8;
    o.out_dir = ::testing::TempDir() + "session-sweeper-final";
    // Sweeps too far apart to run during the campaign: only the final one clears.
    o.retained_sweep = 1h;
    o.session_sweep = 1h;
    const auto r = run(run_campaign(o, {}));
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_GT(r.stats.retained_cleared, 0u);
    EXPECT_GT(r.stats.client_ids_swept, 0u);
    // No retained message and no session kept without a connection (a connection whose end the
    // broker has not seen yet still counts as connected).
    std::size_t retained = 0, stored = 0;
    b.with_core([&](broker::broker& core) {
        retained = core.retained_count();
        stored = core.session_count() - core.stats().clients_connected;
    });
    EXPECT_EQ(retained, 0u);
    EXPECT_EQ(stored, 0u);
}

}  // namespace
}  // namespace harness::netfuzz
