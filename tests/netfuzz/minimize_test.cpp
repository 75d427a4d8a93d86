// The minimizer against synthetic tests (no broker): the result still fails, is 1-minimal in
// steps and in bytes, keeps packets and notes of untouched steps, and stays within the limits on
// tests and time.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>

#include "harness/codec/codec.hpp"
#include "harness/netfuzz/minimize.hpp"

// GCC 12 at -O1 warns -Wmismatched-new-delete on coroutine frames (Asio's allocator); false.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace harness::netfuzz {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using bytes = std::vector<std::uint8_t>;
using predicate = std::function<bool(const fuzz_case&)>;

fuzz_step step(std::uint8_t connection, bytes b, std::string note = "") {
    fuzz_step s;
    s.connection = connection;
    s.bytes = std::move(b);
    s.note = std::move(note);
    return s;
}

struct counted {
    predicate fails;
    std::size_t calls = 0;
};

/// Runs minimize() to its end on an io_context of its own; `counter` counts the tests run.
minimize_result run(const fuzz_case& input, counted& counter, minimize_limits limits = {}) {
    asio::io_context io;
    std::optional<minimize_result> result;
    std::exception_ptr error;
    case_test test = [&counter](const fuzz_case& c) -> asio::awaitable<bool> {
        ++counter.calls;
        co_return counter.fails(c);
    };
    asio::co_spawn(io, minimize(input, test, limits), [&](std::exception_ptr e, minimize_result r) {
        error = e;
        result = std::move(r);
    });
    io.run();
    if (error)
        std::rethrow_exception(error);
    return std::move(result.value());
}

bool contains(const bytes& b, std::uint8_t value) {
    return std::find(b.begin(), b.end(), value) != b.end();
}

/// Fails when one step's bytes hold 0xE0 and another step is on connection 1.
bool e0_and_connection_1(const fuzz_case& c) {
    for (std::size_t i = 0; i < c.steps.size(); ++i) {
        if (!contains(c.steps[i].bytes, 0xe0))
            continue;
        for (std::size_t j = 0; j < c.steps.size(); ++j) {
            if (j != i && c.steps[j].connection == 1)
                return true;
        }
    }
    return false;
}

fuzz_case ten_steps() {
    fuzz_case c;
    c.steps.push_back(step(0, {0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54}, "CONNECT"));
    c.steps.push_back(step(0, {0x82, 0x05, 0x00, 0x01}, "SUBSCRIBE"));
    c.steps.push_back(step(1, {0x10, 0x01, 0x02}, "CONNECT c1"));
    c.steps.push_back(step(2, {0x30, 0x03, 0x00, 0x01, 0x61}, "PUBLISH"));
    c.steps.push_back(step(0, {0xc0, 0x00}, "PINGREQ"));
    c.steps.push_back(step(3, {0x62, 0x02, 0x00, 0x07}, "PUBREL"));
    c.steps.push_back(step(2, {0x30, 0x05, 0xe0, 0x01, 0x02, 0x03}, "PUBLISH + E0"));
    c.steps.push_back(step(0, {0xa2, 0x02, 0x00, 0x09}, "UNSUBSCRIBE"));
    c.steps.push_back(step(1, {0x82, 0x04, 0x00, 0x02, 0x00, 0x00}, "SUBSCRIBE c1"));
    c.steps.push_back(step(3, {0xe0, 0x00}, "DISCONNECT"));
    return c;
}

/// No single step and no single byte can go without the case passing (removing a step's
/// last byte is removing the step: the minimizer does not leave steps without bytes).
void expect_one_minimal(const fuzz_case& c, const predicate& fails) {
    ASSERT_TRUE(fails(c));
    for (std::size_t i = 0; i < c.steps.size(); ++i) {
        fuzz_case fewer = c;
        fewer.steps.erase(fewer.steps.begin() + static_cast<std::ptrdiff_t>(i));
        EXPECT_FALSE(fails(fewer)) << "step " << i << " is not needed";
        for (std::size_t b = 0; c.steps[i].bytes.size() > 1 && b < c.steps[i].bytes.size(); ++b) {
            fuzz_case shorter = c;
            auto& s = shorter.steps[i].bytes;
            s.erase(s.begin() + static_cast<std::ptrdiff_t>(b));
            EXPECT_FALSE(fails(shorter)) << "byte " << b << " of step " << i << " is not needed";
        }
    }
}

TEST(Minimize, ShrinksToTheTwoNeededStepsOfOneByteEach) {
    counted test{e0_and_connection_1};
    const auto input = ten_steps();
    ASSERT_TRUE(e0_and_connection_1(input));
    const auto r = run(input, test);
    EXPECT_FALSE(r.exhausted);
    EXPECT_EQ(r.tests, test.calls);
    EXPECT_GT(r.tests, 0u);
    EXPECT_LE(r.tests, minimize_limits{}.max_tests);
    ASSERT_EQ(r.smallest.steps.size(), 2u) << to_text(r.smallest);
    EXPECT_EQ(r.smallest.byte_count(), 2u) << to_text(r.smallest);
    expect_one_minimal(r.smallest, e0_and_connection_1);
    bool has_e0 = false;
    bool has_c1 = false;
    for (const auto& s : r.smallest.steps) {
        has_e0 = has_e0 || s.bytes == bytes{0xe0};
        has_c1 = has_c1 || s.connection == 1;
        // Every step lost bytes: no packet, and the note says so.
        EXPECT_FALSE(s.packet);
        EXPECT_TRUE(s.note.ends_with("(minimized)")) << s.note;
    }
    EXPECT_TRUE(has_e0);
    EXPECT_TRUE(has_c1);
}

TEST(Minimize, UntouchedStepsKeepTheirPacketAndNote) {
    const bytes ping = {0xc0, 0x00};
    auto input = ten_steps();
    input.steps[4].packet = codec::pingreq{};
    counted test{[&](const fuzz_case& c) {
        for (const auto& s : c.steps) {
            if (s.bytes == ping)
                return true;
        }
        return false;
    }};
    const auto r = run(input, test);
    ASSERT_EQ(r.smallest.steps.size(), 1u) << to_text(r.smallest);
    EXPECT_EQ(r.smallest.steps[0], input.steps[4]);
    EXPECT_FALSE(r.exhausted);
}

TEST(Minimize, KeepsTheLastStepAndAByte) {
    fuzz_case input;
    input.steps.push_back(step(0, {1, 2, 3, 4, 5}));
    input.steps.push_back(step(1, {6, 7}));
    counted test{[](const fuzz_case&) { return true; }};
    const auto r = run(input, test);
    ASSERT_EQ(r.smallest.steps.size(), 1u);
    EXPECT_EQ(r.smallest.steps[0].bytes.size(), 1u);
    EXPECT_FALSE(r.exhausted);
}

TEST(Minimize, ClearsReconnectFlagsTheFailureDoesNotNeed) {
    fuzz_case input;
    input.steps.push_back(step(0, {0x10}));
    input.steps.push_back(step(0, {0x20}));
    input.steps.back().reconnect = true;
    input.steps.push_back(step(2, {0x30}));
    input.steps.back().reconnect = true;
    // Needs both 0x10 and 0x20 on connection 0, and the reconnect before 0x20.
    counted test{[](const fuzz_case& c) {
        bool first = false;
        for (const auto& s : c.steps) {
            if (s.connection == 0 && s.bytes == bytes{0x10})
                first = true;
            if (first && s.connection == 0 && s.reconnect && s.bytes == bytes{0x20})
                return true;
        }
        return false;
    }};
    const auto r = run(input, test);
    ASSERT_EQ(r.smallest.steps.size(), 2u) << to_text(r.smallest);
    EXPECT_FALSE(r.smallest.steps[0].reconnect);
    EXPECT_TRUE(r.smallest.steps[1].reconnect);

    // When the reconnect is not needed, it goes.
    fuzz_case two;
    two.steps.push_back(step(0, {0x10}));
    two.steps.back().reconnect = true;
    counted always{[](const fuzz_case&) { return true; }};
    const auto cleared = run(two, always);
    ASSERT_EQ(cleared.smallest.steps.size(), 1u);
    EXPECT_FALSE(cleared.smallest.steps[0].reconnect);
}

TEST(Minimize, NeverReturnsACaseThatDidNotFail) {
    // Fails only for the input and for cases of exactly 4 steps: not monotone.
    const auto input = ten_steps();
    std::vector<fuzz_case> failing = {input};
    counted test{[&](const fuzz_case& c) {
        const bool f = c == input || c.steps.size() == 4;
        if (f)
            failing.push_back(c);
        return f;
    }};
    const auto r = run(input, test);
    EXPECT_NE(std::find(failing.begin(), failing.end(), r.smallest), failing.end())
        << to_text(r.smallest);
}

TEST(Minimize, StopsAtMaxTests) {
    counted test{e0_and_connection_1};
    minimize_limits limits;
    limits.max_tests = 5;
    const auto r = run(ten_steps(), test, limits);
    EXPECT_TRUE(r.exhausted);
    EXPECT_EQ(test.calls, 5u);
    EXPECT_EQ(r.tests, 5u);
    EXPECT_TRUE(e0_and_connection_1(r.smallest));
    EXPECT_LE(r.smallest.steps.size(), ten_steps().steps.size());
}

TEST(Minimize, ZeroTimeRunsNoTestAndReturnsTheInput) {
    counted test{e0_and_connection_1};
    minimize_limits limits;
    limits.max_time = 0ms;
    const auto input = ten_steps();
    const auto r = run(input, test, limits);
    EXPECT_TRUE(r.exhausted);
    EXPECT_EQ(test.calls, 0u);
    EXPECT_EQ(r.tests, 0u);
    EXPECT_EQ(r.smallest, input);
}

TEST(Minimize, StopsAtMaxTimeWithASlowTest) {
    // Each test takes 40 ms; in 100 ms at most three start.
    asio::io_context io;
    std::size_t calls = 0;
    case_test slow = [&calls](const fuzz_case& c) -> asio::awaitable<bool> {
        ++calls;
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_after(40ms);
        co_await timer.async_wait(asio::use_awaitable);
        co_return e0_and_connection_1(c);
    };
    minimize_limits limits;
    limits.max_time = 100ms;
    std::optional<minimize_result> result;
    const auto started = std::chrono::steady_clock::now();
    asio::co_spawn(io, minimize(ten_steps(), slow, limits),
                   [&](std::exception_ptr e, minimize_result r) {
                       if (e)
                           std::rethrow_exception(e);
                       result = std::move(r);
                   });
    io.run();
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(result);
    EXPECT_TRUE(result->exhausted);
    EXPECT_EQ(result->tests, calls);
    EXPECT_GE(calls, 1u);
    EXPECT_LE(calls, 3u);
    EXPECT_GE(took, 100ms);
    EXPECT_TRUE(e0_and_connection_1(result->smallest));
}

}  // namespace
}  // namespace harness::netfuzz

#pragma GCC diagnostic pop
