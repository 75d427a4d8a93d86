// The campaign's wait for barrier answers: raised for a broker that answers late, brought back
// down when answers are fast again even though some cases keep stalling, and bounded.
#include "harness/netfuzz/answer_timeout.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace harness::netfuzz {
namespace {

using namespace std::chrono_literals;

/// One window of cases: `stalled_percent` of them stall, the others are answered after `answer`.
bool window_of(answer_timeout_tuner& t, int stalled_percent, std::chrono::microseconds answer) {
    bool changed = false;
    const int n = static_cast<int>(answer_timeout_tuner::window);
    for (int i = 0; i < n; ++i) {
        const bool stalled = i * 100 < stalled_percent * n;
        changed = t.observe(stalled, stalled ? 0us : answer);
    }
    return changed;
}

TEST(AnswerTimeout, ChangesOnlyAtTheEndOfAWindow) {
    answer_timeout_tuner t(50ms);
    for (std::size_t i = 0; i + 1 < answer_timeout_tuner::window; ++i)
        EXPECT_FALSE(t.observe(true, 0us));
    EXPECT_EQ(t.current(), 50ms);
    EXPECT_TRUE(t.observe(true, 0us));
    EXPECT_EQ(t.current(), 100ms);
}

TEST(AnswerTimeout, ABurstOfLateAnswersRaisesItAndFastAnswersBringItBackDespiteStalls) {
    answer_timeout_tuner t(50ms);
    window_of(t, 30, 40ms);  // answers near the 50 ms deadline, many stalls: a slow spell
    EXPECT_EQ(t.current(), 100ms);
    window_of(t, 30, 90ms);
    EXPECT_EQ(t.current(), 200ms);
    // Fast answers again; 15 % of the cases still stall, as some always do.
    window_of(t, 15, 5ms);
    EXPECT_EQ(t.current(), 50ms);
}

TEST(AnswerTimeout, StallsWithFastAnswersDoNotRaiseIt) {
    answer_timeout_tuner t(50ms);
    for (int i = 0; i < 5; ++i)
        window_of(t, 40, 2ms);
    EXPECT_EQ(t.current(), 50ms);
}

TEST(AnswerTimeout, ABrokerThatAnswersNothingDoublesItUpToTwoSeconds) {
    answer_timeout_tuner t(50ms);
    std::chrono::milliseconds expected = 50ms;
    for (int i = 0; i < 8; ++i) {
        window_of(t, 100, 0us);
        expected = std::min<std::chrono::milliseconds>(expected * 2, 2s);
        EXPECT_EQ(t.current(), expected) << "window " << i;
    }
    EXPECT_EQ(t.current(), 2s);
}

TEST(AnswerTimeout, ASlowButSteadyBrokerGetsTwiceItsSlowAnswers) {
    answer_timeout_tuner t(50ms);
    window_of(t, 10, 300ms);
    EXPECT_EQ(t.current(), 600ms);
    EXPECT_EQ(t.last_p95(), 300ms);
    window_of(t, 10, 1500ms);
    EXPECT_EQ(t.current(), 2s);  // bounded
}

}  // namespace
}  // namespace harness::netfuzz
