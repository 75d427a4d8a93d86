// The asynchronous client against a real mosquitto: message hand-off by handler and a wide
// in-flight window, where each acknowledgement must complete exactly its own publish.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <string>

#include "harness/client/async_client.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/run_bounded.hpp"

namespace harness::client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

client_options options_for(const test_support::mosquitto_broker& broker, std::string id) {
    client_options o;
    std::string error;
    o.url =
        *transport::parse_broker_url("mqtt://127.0.0.1:" + std::to_string(broker.port()), error);
    o.session.connect.client_id = std::move(id);
    o.timeout = 5s;
    return o;
}

template <class Body>
void run(Body&& body, std::chrono::seconds limit = 20s) {
    test_support::run_bounded(std::forward<Body>(body), limit);
}

codec::publish message(std::string topic, std::string payload, codec::qos q) {
    codec::publish p;
    p.topic = std::move(topic);
    p.payload.assign(payload.begin(), payload.end());
    p.qos = q;
    return p;
}

/// The exchange of OnMessageHandsEveryMessageInOrderInsteadOfQueueingIt: a named coroutine, not a
/// lambda.
asio::awaitable<void> exchange_on_message_hands_every_message_in_order_instead_of_queueing_it(
    const test_support::mosquitto_broker& broker) {
    const asio::any_io_executor ex = co_await asio::this_coro::executor;
    async_client sub(ex, options_for(broker, "handler-sub"));
    async_client pub(ex, options_for(broker, "handler-pub"));
    std::vector<std::string> seen;
    asio::steady_timer all_seen(ex, std::chrono::steady_clock::time_point::max());
    sub.on_message([&](codec::publish&& m) {
        seen.emplace_back(m.payload.begin(), m.payload.end());
        if (seen.size() == 20)
            all_seen.cancel();
    });
    EXPECT_TRUE(co_await sub.connect());
    EXPECT_TRUE(co_await pub.connect());
    std::vector<codec::subscription> s(1);
    s[0].topic_filter = "handler/t";
    s[0].max_qos = codec::qos::at_least_once;
    EXPECT_TRUE(co_await sub.subscribe(s));
    for (int k = 0; k < 20; ++k)
        EXPECT_TRUE(co_await pub.publish(
            message("handler/t", std::to_string(k), codec::qos::at_least_once)));
    if (seen.size() < 20) {  // the handler cancels the timer on the 20th; run() bounds it
        co_await all_seen.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    EXPECT_FALSE((co_await sub.next_message(10ms)).has_value());  // nothing was queued
    EXPECT_EQ(seen.size(), 20u);
    for (int k = 0; k < 20; ++k)
        EXPECT_EQ(seen[static_cast<std::size_t>(k)], std::to_string(k));
    co_await pub.disconnect();
    co_await sub.disconnect();
}

TEST(AsyncClient, OnMessageHandsEveryMessageInOrderInsteadOfQueueingIt) {
    test_support::mosquitto_broker broker;
    run([&](asio::any_io_executor) {
        return exchange_on_message_hands_every_message_in_order_instead_of_queueing_it(broker);
    });
}

/// One publish of the window; the last to finish wakes the exchange.
asio::awaitable<void> publish_one(async_client& pub, int k, int& done, int& acknowledged,
                                  asio::steady_timer& all_done) {
    const auto r =
        co_await pub.publish(message("window/t", std::to_string(k), codec::qos::at_least_once));
    EXPECT_TRUE(r) << r.message;
    acknowledged += r ? 1 : 0;
    if (++done == 64)
        all_done.cancel();
}

/// The exchange of WideWindowOfQos1PublishesEachGetsItsOwnAcknowledgement: a named coroutine, not a
/// lambda.
asio::awaitable<void> exchange_wide_window_of_qos1_publishes_each_gets_its_own_acknowledgement(
    const test_support::mosquitto_broker& broker) {
    const asio::any_io_executor ex = co_await asio::this_coro::executor;
    auto options = options_for(broker, "window-pub");
    options.timeout = 10s;
    async_client pub(ex, options);
    EXPECT_TRUE(co_await pub.connect());
    const auto started = std::chrono::steady_clock::now();
    constexpr int window = 64;
    int done = 0;
    int acknowledged = 0;
    asio::steady_timer all_done(ex, std::chrono::steady_clock::time_point::max());
    for (int k = 0; k < window; ++k) {
        asio::co_spawn(ex, publish_one(pub, k, done, acknowledged, all_done),
                       [](std::exception_ptr e) {
                           if (e)
                               std::rethrow_exception(e);
                       });
    }
    co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(done, window);
    // A publish whose acknowledgement did not wake it would finish only at its timeout.
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    EXPECT_EQ(acknowledged, window);
    co_await pub.disconnect();
}

TEST(AsyncClient, WideWindowOfQos1PublishesEachGetsItsOwnAcknowledgement) {
    test_support::mosquitto_broker broker;
    run([&](asio::any_io_executor) {
        return exchange_wide_window_of_qos1_publishes_each_gets_its_own_acknowledgement(broker);
    });
}

}  // namespace
}  // namespace harness::client
