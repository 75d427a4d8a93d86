// A slow consumer must not hurt anyone else: a raw socket subscribes at QoS 0 and never reads
// while 100 000 QoS 0 messages of about 100 bytes flow from the project's client to it and to a
// normal subscriber. The normal subscriber gets every message, in order; the broker (the
// `mqtt-harness broker` binary, so that /proc/<pid>/status measures it alone) stays small; and
// the slow consumer, once it reads again, gets new messages after a bounded backlog. The
// publisher awaits its client's writes and stays at most `lead` messages ahead of the normal
// subscriber.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>

#include "peers.hpp"
#include "raw_connection.hpp"

namespace harness::broker_interop {
namespace {

namespace asio = boost::asio;

constexpr std::uint32_t message_count = 100'000;
constexpr std::size_t payload_size = 100;
constexpr long rss_limit_kb = 64 * 1024;
constexpr const char* flow_topic = "slow/flow";
/// How far the publisher may run ahead of the normal subscriber: about 110 kB, well within what
/// the broker buffers for a connection that reads (output_high_water, then the queue). Without
/// a bound, a publisher faster than the broker fills the socket between them with megabytes
/// that the broker then pushes at the normal subscriber whenever this process is descheduled:
/// that subscriber would lose messages for the test's sake, not the broker's.
constexpr std::uint32_t lead = 1000;

/// Sequence number in 8 digits, then filler up to payload_size.
std::string payload_of(std::uint32_t sequence) {
    char digits[16];
    std::snprintf(digits, sizeof digits, "%08u", sequence);
    std::string p(digits);
    p.resize(payload_size, 'x');
    return p;
}

codec::packet subscribe_packet(std::string filter) {
    codec::subscribe s;
    s.packet_id = 1;
    s.subscriptions.push_back({});
    s.subscriptions.back().topic_filter = std::move(filter);
    return s;
}

TEST(SlowConsumer, NormalSubscriberGetsEveryMessageWhileTheBrokerStaysSmall) {
    broker_process b;
    // A 4 KiB receive window that is never read: the backlog builds up in the broker at once.
    raw_connection stalled(b.port(), 4096);
    ASSERT_NO_FATAL_FAILURE(stalled.handshake(codec::protocol_version::v5, "stalled"));
    ASSERT_TRUE(stalled.send(subscribe_packet(flow_topic), codec::protocol_version::v5));
    const auto suback = stalled.receive(step);
    ASSERT_TRUE(suback && std::holds_alternative<codec::suback>(*suback)) << stalled.error();

    std::uint32_t received = 0;
    std::string problem;
    run_bounded(
        [&](asio::any_io_executor ex) -> asio::awaitable<void> {
            client::async_client sub(ex, client_options_for(b.port(), "normal"));
            client::async_client pub(ex, client_options_for(b.port(), "flood"));
            asio::steady_timer all_received(ex, std::chrono::steady_clock::time_point::max());
            asio::steady_timer caught_up(ex);
            std::uint32_t sent = 0;
            bool waiting = false;
            sub.on_message([&](codec::publish&& m) {
                const std::string expected = payload_of(received);
                if (problem.empty() && !std::equal(m.payload.begin(), m.payload.end(),
                                                   expected.begin(), expected.end())) {
                    problem = "message " + std::to_string(received) + " arrived as " +
                              std::string(m.payload.begin(), m.payload.end()).substr(0, 8);
                }
                if (++received == message_count)
                    all_received.cancel();
                if (waiting && sent - received <= lead / 2)
                    caught_up.cancel();
            });
            EXPECT_TRUE(co_await sub.connect());
            EXPECT_TRUE(co_await pub.connect());
            std::vector<codec::subscription> s(1);
            s[0].topic_filter = flow_topic;
            EXPECT_TRUE(co_await sub.subscribe(s));
            for (std::uint32_t k = 0; k < message_count; ++k) {
                const auto r = co_await pub.publish(
                    make_message(flow_topic, payload_of(k), codec::qos::at_most_once));
                if (!r) {
                    ADD_FAILURE() << "publish " << k << ": " << r.message;
                    break;
                }
                ++sent;
                co_await asio::post(ex, asio::use_awaitable);  // let the writer write
                if (sent - received >= lead) {                 // the handler cancels the timer
                    waiting = true;
                    caught_up.expires_after(step);
                    co_await caught_up.async_wait(asio::as_tuple(asio::use_awaitable));
                    waiting = false;
                    if (sent - received >= lead) {
                        ADD_FAILURE() << "the normal subscriber stalled at " << received;
                        break;
                    }
                }
            }
            if (received < message_count) {  // the handler cancels the timer on the last one
                all_received.expires_after(step * 3);
                co_await all_received.async_wait(asio::as_tuple(asio::use_awaitable));
            }
            co_await pub.disconnect();
            co_await sub.disconnect();
        },
        std::chrono::minutes(2));
    EXPECT_EQ(received, message_count) << "the normal subscriber lost messages";
    EXPECT_EQ(problem, "");

    const auto peak = b.status_kb("VmHWM");
    ASSERT_TRUE(peak.has_value()) << "cannot read /proc/" << b.process().pid() << "/status";
    RecordProperty("broker_peak_rss_kb", std::to_string(*peak));
#if !defined(__SANITIZE_ADDRESS__)  // ASan's shadow memory and quarantine would not fit
    EXPECT_LT(*peak, rss_limit_kb) << "the broker's peak RSS";
#endif

    // The slow consumer reads again: after its bounded backlog, new messages reach it.
    raw_connection marker_pub(b.port());
    ASSERT_NO_FATAL_FAILURE(marker_pub.handshake(codec::protocol_version::v5, "marker"));
    const auto marker = make_message(flow_topic, "marker", codec::qos::at_most_once);
    std::uint64_t backlog = 0;
    bool marker_seen = false;
    const auto deadline = std::chrono::steady_clock::now() + step * 2;
    while (!marker_seen && std::chrono::steady_clock::now() < deadline) {
        ASSERT_TRUE(marker_pub.send(marker, codec::protocol_version::v5));
        // Drain what is there; a quiet 200 ms means the backlog is gone, so publish again.
        while (auto p = stalled.receive(std::chrono::milliseconds(200))) {
            const auto* m = std::get_if<codec::publish>(&*p);
            ASSERT_NE(m, nullptr) << codec::to_string(codec::type_of(*p));
            if (m->payload.size() == 6) {
                marker_seen = true;
                break;
            }
            ++backlog;
        }
        ASSERT_TRUE(stalled.error().empty()) << stalled.error();
        ASSERT_FALSE(stalled.closed()) << "the broker closed the slow consumer";
    }
    RecordProperty("slow_consumer_backlog", std::to_string(backlog));
    std::printf("broker peak RSS %ld kB; the slow consumer's backlog: %llu messages\n", *peak,
                static_cast<unsigned long long>(backlog));
    EXPECT_TRUE(marker_seen) << "the slow consumer got no new message after its backlog of "
                             << backlog;
    EXPECT_LT(backlog, message_count) << "nothing was dropped for the slow consumer";
    EXPECT_EQ(b.stop(), 0) << describe(b.process());
}

}  // namespace
}  // namespace harness::broker_interop
