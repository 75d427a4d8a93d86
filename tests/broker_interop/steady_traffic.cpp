// Numbered QoS 1 messages from one async_client to another through the broker under test.
#include "steady_traffic.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "peers.hpp"

namespace harness::broker_interop {

namespace asio = boost::asio;

namespace {
constexpr const char* traffic_topic = "traffic/steady";
}

steady_traffic::steady_traffic(std::uint16_t port) : port_(port) {
    asio::co_spawn(io_, run(), [this](std::exception_ptr e) {
        const std::lock_guard lock(mutex_);
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                fail(std::string("exception: ") + x.what());
            }
        }
        done_ = true;
        changed_.notify_all();
    });
    thread_ = std::thread([this] { io_.run_for(std::chrono::minutes(3)); });
    EXPECT_TRUE(wait_beyond(0, step))
        << "no message went through before the test began: " << stop();
}

steady_traffic::~steady_traffic() {
    if (thread_.joinable())
        stop();
}

void steady_traffic::fail(std::string problem) {
    if (problem_.empty())
        problem_ = std::move(problem);
}

std::uint64_t steady_traffic::received() const {
    const std::lock_guard lock(mutex_);
    return received_;
}

bool steady_traffic::wait_beyond(std::uint64_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return received_ > count || done_; }) &&
           received_ > count;
}

std::string steady_traffic::stop() {
    stopping_ = true;
    {
        std::unique_lock lock(mutex_);
        if (!changed_.wait_for(lock, 2 * step, [&] { return done_; }))
            fail("the traffic did not wind down in time");
    }
    io_.stop();
    if (thread_.joinable())
        thread_.join();
    const std::lock_guard lock(mutex_);
    if (problem_.empty() && published_ != received_) {
        fail("published " + std::to_string(published_) + ", received " + std::to_string(received_));
    }
    return problem_;
}

asio::awaitable<void> steady_traffic::run() {
    const auto ex = co_await asio::this_coro::executor;
    client::async_client sub(ex, client_options_for(port_, "steady-traffic-sub"));
    client::async_client pub(ex, client_options_for(port_, "steady-traffic-pub"));
    asio::steady_timer caught_up(ex, std::chrono::steady_clock::time_point::max());
    sub.on_message([&](codec::publish&& m) {
        const std::lock_guard lock(mutex_);
        const std::string payload(m.payload.begin(), m.payload.end());
        if (payload != std::to_string(received_))
            fail("message " + std::to_string(received_) + " arrived as \"" + payload + "\"");
        ++received_;
        changed_.notify_all();
        if (stopping_ && received_ == published_)
            caught_up.cancel();
    });

    const auto connected = [&](const client::connect_outcome& r, const char* who) {
        if (!r) {
            const std::lock_guard lock(mutex_);
            fail(std::string(who) + ": " + r.message);
        }
        return static_cast<bool>(r);
    };
    if (!connected(co_await sub.connect(), "subscriber") ||
        !connected(co_await pub.connect(), "publisher")) {
        co_return;
    }
    std::vector<codec::subscription> s(1);
    s[0].topic_filter = traffic_topic;
    s[0].max_qos = codec::qos::at_least_once;
    if (const auto r = co_await sub.subscribe(s);
        !r || r.reason_codes.size() != 1 ||
        r.reason_codes[0] != codec::suback_reason::granted_qos_1) {
        const std::lock_guard lock(mutex_);
        fail("subscribe: " + (r ? std::string("not granted QoS 1") : r.message));
        co_return;
    }

    asio::steady_timer pace(ex);
    std::uint64_t next = 0;
    while (!stopping_) {
        const auto r = co_await pub.publish(
            make_message(traffic_topic, std::to_string(next), codec::qos::at_least_once));
        if (!r) {
            const std::lock_guard lock(mutex_);
            fail("publish " + std::to_string(next) + ": " + r.message);
            break;
        }
        {
            const std::lock_guard lock(mutex_);
            published_ = ++next;
        }
        pace.expires_after(std::chrono::milliseconds(1));  // a steady trickle, not a flood
        co_await pace.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    bool behind = false;
    {
        const std::lock_guard lock(mutex_);
        behind = received_ < published_;
    }
    if (behind) {  // the handler cancels the timer on the last one
        caught_up.expires_after(step);
        co_await caught_up.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_await pub.disconnect();
    co_await sub.disconnect();
}

}  // namespace harness::broker_interop
