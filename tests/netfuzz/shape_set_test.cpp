// The campaign's set of distinct response shapes: 64-bit FNV-1a hashes, a shape counted once,
// nothing more remembered past its cap, and growth that loses nothing.
#include "harness/netfuzz/shape_set.hpp"

#include <gtest/gtest.h>

#include <string>

namespace harness::netfuzz {
namespace {

std::string shape(int i) {
    return "[CONNACK/0 SUBACK/" + std::to_string(i) + "] | [closed]";
}

TEST(ShapeSet, HashesWithFnv1a64) {
    EXPECT_EQ(shape_hash(""), 0xcbf29ce484222325ull);
    EXPECT_EQ(shape_hash("a"), 0xaf63dc4c8601ec8cull);
    EXPECT_EQ(shape_hash("foobar"), 0x85944171f73967e8ull);
}

TEST(ShapeSet, ARepeatedShapeIsNewOnlyTheFirstTime) {
    shape_set s(10);
    EXPECT_TRUE(s.insert("[CONNACK/0]"));
    EXPECT_FALSE(s.insert("[CONNACK/0]"));
    EXPECT_TRUE(s.insert("[CONNACK/0 closed]"));
    EXPECT_EQ(s.size(), 2u);
    EXPECT_TRUE(s.contains("[CONNACK/0]"));
    EXPECT_FALSE(s.contains("[CONNACK/87]"));
}

TEST(ShapeSet, GrowingKeepsEveryShapeAtElevenToTwentyTwoBytesEach) {
    shape_set s(1'000'000);
    for (int i = 0; i < 100'000; ++i)
        ASSERT_TRUE(s.insert(shape(i))) << i;
    EXPECT_EQ(s.size(), 100'000u);
    for (int i = 0; i < 100'000; ++i)
        ASSERT_TRUE(s.contains(shape(i))) << i;
    EXPECT_FALSE(s.insert(shape(4'242)));
    EXPECT_LE(s.memory_bytes(), 22u * s.size());
}

TEST(ShapeSet, RemembersNothingPastItsCap) {
    shape_set s(1'000);
    for (int i = 0; i < 1'000; ++i)
        ASSERT_TRUE(s.insert(shape(i)));
    EXPECT_TRUE(s.full());
    EXPECT_FALSE(s.insert(shape(5'000)));  // new, but no room: not a new shape for the corpus
    EXPECT_FALSE(s.contains(shape(5'000)));
    EXPECT_EQ(s.size(), 1'000u);
    EXPECT_TRUE(s.contains(shape(999)));
}

}  // namespace
}  // namespace harness::netfuzz
