// The retained-message sweep of long campaigns: it deletes what fuzzed sessions left retained on
// the embedded broker, and says why when the broker cannot be reached or does not answer in time.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "harness/broker/server.hpp"
#include "harness/codec/packets.hpp"
#include "harness/netfuzz/case_executor.hpp"
#include "harness/netfuzz/retained_sweeper.hpp"
#include "harness/netfuzz/session_generator.hpp"
#include "sweep_test_support.hpp"

namespace harness::netfuzz {
namespace {

using namespace std::chrono_literals;
constexpr auto v311 = codec::protocol_version::v3_1_1;

using test::options_for;
using test::run;

codec::connect hello(std::string id) {
    codec::connect c;
    c.version = v311;
    c.client_id = std::move(id);
    return c;
}

/// A session that leaves a retained message on each of `topics`.
fuzz_case retaining(const std::vector<std::string>& topics) {
    fuzz_case c;
    c.steps.push_back(make_step(0, hello("retainer"), v311));
    for (const auto& t : topics) {
        codec::publish p;
        p.retain = true;
        p.topic = t;
        p.payload = {'x'};
        c.steps.push_back(make_step(0, p, v311));
    }
    return c;
}

/// What a fresh subscriber to `#` gets: the response shape of its case.
std::string what_a_subscriber_sees(const execution_options& x) {
    fuzz_case c;
    c.steps.push_back(make_step(0, hello("observer"), v311));
    codec::subscribe s;
    s.packet_id = 1;
    s.subscriptions.push_back(codec::subscription{"#"});
    c.steps.push_back(make_step(0, s, v311));
    return run(execute_case(c, x)).shape;
}

TEST(RetainedSweeper, DeletesEveryRetainedMessageLeftBehind) {
    broker::embedded_broker b;
    const auto x = options_for(b.port());
    const auto left = run(execute_case(retaining({"fz0/a", "fz0/a/b", "fz1/long-level"}), x));
    ASSERT_FALSE(left.stalled) << left.shape;
    ASSERT_NE(what_a_subscriber_sees(x).find("PUBLISH"), std::string::npos);

    const auto first = run(sweep_retained(x, 5s));
    EXPECT_TRUE(first.complete) << first.problem;
    EXPECT_EQ(first.cleared, 3u);
    EXPECT_EQ(what_a_subscriber_sees(x).find("PUBLISH"), std::string::npos)
        << what_a_subscriber_sees(x);

    const auto second = run(sweep_retained(x, 5s));
    EXPECT_TRUE(second.complete) << second.problem;
    EXPECT_EQ(second.cleared, 0u);
}

TEST(RetainedSweeper, TakesAsManyRoundsAsTheBrokersQueueLimitNeeds) {
    // This broker sends at most a few retained messages per subscribe (a 5-message queue behind
    // a 64-byte output buffer), as brokers bound what one subscribe may queue.
    broker::server_options small_queues;
    small_queues.broker.max_queued_messages = 5;
    small_queues.broker.output_high_water = 64;
    broker::embedded_broker b(small_queues);
    const auto x = options_for(b.port());
    std::vector<std::string> topics;
    for (int i = 0; i < 40; ++i)
        topics.push_back("fz0/t" + std::to_string(i));
    const auto left = run(execute_case(retaining(topics), x));
    ASSERT_FALSE(left.stalled) << left.shape;

    const auto r = run(sweep_retained(x, 5s));
    EXPECT_TRUE(r.complete) << r.problem;
    EXPECT_EQ(r.cleared, 40u);
    EXPECT_EQ(what_a_subscriber_sees(x).find("PUBLISH"), std::string::npos)
        << what_a_subscriber_sees(x);
}

TEST(RetainedSweeper, AnUnreachableBrokerIsNamed) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor closed(io, {boost::asio::ip::address_v4::loopback(), 0});
    const auto port = closed.local_endpoint().port();
    closed.close();  // nothing listens there now
    const auto r = run(sweep_retained(options_for(port), 2s));
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(r.cleared, 0u);
    EXPECT_NE(r.problem.find("refused"), std::string::npos) << r.problem;
}

TEST(RetainedSweeper, ABrokerThatNeverAnswersRunsOutOfTime) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::address_v4::loopback(), 0});
    // The connection completes in the kernel's backlog; nobody ever reads or answers.
    const auto started = std::chrono::steady_clock::now();
    const auto r = run(sweep_retained(options_for(silent.local_endpoint().port()), 300ms));
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(r.problem, "the sweep ran out of time");
    EXPECT_LT(took, 3s);
}

}  // namespace
}  // namespace harness::netfuzz
