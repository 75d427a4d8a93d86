// The campaign's corpus: bounded by count and by the bytes its cases hold, random cases evicted
// to make room, the newest case always kept, a case larger than the whole limit refused.
#include "harness/netfuzz/corpus.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "harness/netfuzz/session_generator.hpp"

namespace harness::netfuzz {
namespace {

/// A case of `steps` steps of `bytes` raw bytes each (no packet kept).
fuzz_case raw_case(std::size_t steps, std::size_t bytes, std::uint8_t fill = 0x30) {
    fuzz_case c;
    for (std::size_t i = 0; i < steps; ++i) {
        fuzz_step s;
        s.bytes.assign(bytes, fill);
        c.steps.push_back(std::move(s));
    }
    return c;
}

std::size_t sum_of_footprints(const corpus& k) {
    return std::accumulate(k.cases().begin(), k.cases().end(), std::size_t{0},
                           [](std::size_t n, const fuzz_case& c) { return n + footprint(c); });
}

TEST(Corpus, FootprintCountsBytesNotesAndTheKeptPacketAgain) {
    const auto raw = raw_case(2, 1'000);
    EXPECT_EQ(footprint(raw), 2 * (sizeof(fuzz_step) + 1'000));
    codec::publish p;
    p.topic = "fz/a";
    p.payload.assign(500, 'x');
    const auto step = make_step(0, p, codec::protocol_version::v5);
    fuzz_case with_packet;
    with_packet.steps.push_back(step);
    EXPECT_EQ(footprint(with_packet), sizeof(fuzz_step) + 2 * step.bytes.size() + step.note.size());
}

TEST(Corpus, NeverHoldsMoreBytesThanItsLimit) {
    corpus k({.max_cases = 10'000, .max_bytes = 1u << 20});
    fuzz_random random(3);
    for (int i = 0; i < 2'000; ++i) {
        ASSERT_TRUE(k.add(raw_case(1 + random.below(8), random.below(32 * 1024)), random));
        ASSERT_LE(k.bytes(), k.limits().max_bytes) << i;
        ASSERT_EQ(k.bytes(), sum_of_footprints(k)) << i;
    }
    // Full by bytes, far from full by count.
    EXPECT_LT(k.size(), 200u);
    EXPECT_GT(k.bytes(), k.limits().max_bytes / 2);
}

TEST(Corpus, EvictsOneCaseForEachNewOnceFullByCount) {
    corpus k({.max_cases = 4, .max_bytes = 1u << 20});
    fuzz_random random(1);
    for (std::uint8_t i = 0; i < 10; ++i) {
        ASSERT_TRUE(k.add(raw_case(1, 10, i), random));
        EXPECT_EQ(k.size(), std::min<std::size_t>(i + 1, 4));
    }
    EXPECT_EQ(k.bytes(), sum_of_footprints(k));
}

TEST(Corpus, KeepsTheNewCaseEvenWhenItTakesMostOfTheLimit) {
    const auto big = raw_case(1, 900 * 1024, 0x42);
    corpus k({.max_cases = 100, .max_bytes = 1u << 20});
    fuzz_random random(2);
    for (int i = 0; i < 50; ++i)
        k.add(raw_case(1, 10 * 1024), random);
    ASSERT_EQ(k.size(), 50u);
    ASSERT_TRUE(k.add(big, random));
    EXPECT_LE(k.bytes(), k.limits().max_bytes);
    EXPECT_LT(k.size(), 50u);
    EXPECT_NE(std::find(k.cases().begin(), k.cases().end(), big), k.cases().end());
}

TEST(Corpus, RefusesACaseLargerThanTheWholeLimit) {
    corpus k({.max_cases = 100, .max_bytes = 64 * 1024});
    fuzz_random random(4);
    ASSERT_TRUE(k.add(raw_case(1, 1'000), random));
    EXPECT_FALSE(k.add(raw_case(2, 40 * 1024), random));
    EXPECT_EQ(k.size(), 1u);  // nothing evicted for it
}

}  // namespace
}  // namespace harness::netfuzz
