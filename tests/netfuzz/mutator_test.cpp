// The mutator changes cases at every level it promises (fields, properties, packets, sequences,
// bytes), keeps a step's packet only while the bytes still encode it, stays within its limits,
// and is reproducible from the seed.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "harness/codec/codec.hpp"
#include "harness/netfuzz/mutator.hpp"
#include "harness/netfuzz/session_generator.hpp"

namespace harness::netfuzz {
namespace {

std::vector<fuzz_case> some_sessions(std::size_t n) {
    std::vector<fuzz_case> out;
    generator_options o;
    for (std::uint64_t seed = 1; seed <= n; ++seed) {
        fuzz_random random(seed);
        out.push_back(generate_session(random, o));
    }
    return out;
}

TEST(Mutator, MostMutationsChangeTheCase) {
    const auto sessions = some_sessions(300);
    fuzz_random random(7);
    std::size_t changed = 0;
    for (const auto& s : sessions) {
        auto c = s;
        mutate(c, random, sessions);
        changed += c != s;
    }
    EXPECT_GT(changed, 270u);
}

// What mutate() reports, one name per kind of mutation it can make.
constexpr const char* mutation_kinds[] = {"odd topic",
                                          "payload size",
                                          "packet id",
                                          "property added",
                                          "property duplicated",
                                          "long client id",
                                          "protocol level",
                                          "odd filter",
                                          "server-only packet",
                                          "second CONNECT",
                                          "duplicated packet",
                                          "removed packet",
                                          "packets out of order",
                                          "flood",
                                          "AUTH",
                                          "moved to another connection",
                                          "length lie",
                                          "header flags",
                                          "reserved packet type",
                                          "truncated",
                                          "bit flip",
                                          "spliced",
                                          "reconnect toggled"};

TEST(Mutator, ReachesEveryLevel) {
    const auto sessions = some_sessions(100);
    fuzz_random random(11);
    std::map<std::string, int> seen;
    for (int i = 0; i < 4000; ++i) {
        auto c = sessions[i % sessions.size()];
        const auto what = mutate(c, random, sessions);
        for (const char* kind : mutation_kinds)
            if (what.find(kind) != std::string::npos)
                ++seen[kind];
    }
    for (const char* kind : mutation_kinds)
        EXPECT_GT(seen[kind], 0) << kind << " never happened";
}

TEST(Mutator, AStepKeepsItsPacketOnlyWhileItsBytesEncodeIt) {
    const auto sessions = some_sessions(200);
    fuzz_random random(3);
    for (const auto& s : sessions) {
        auto c = s;
        for (int round = 0; round < 5; ++round)
            mutate(c, random, sessions);
        for (const auto& step : c.steps)
            if (step.packet) {
                EXPECT_EQ(codec::encode(*step.packet, step.version), step.bytes) << step.note;
            }
    }
}

TEST(Mutator, StaysWithinItsLimits) {
    const auto sessions = some_sessions(100);
    fuzz_random random(5);
    mutation_limits limits;
    limits.max_steps = 20;
    limits.max_case_bytes = 64 * 1024;
    for (const auto& s : sessions) {
        auto c = s;
        for (int round = 0; round < 20; ++round) {
            mutate(c, random, sessions, limits);
            EXPECT_LE(c.steps.size(), std::max<std::size_t>(limits.max_steps, s.steps.size()));
            if (c.steps.size() > 1) {
                EXPECT_LE(c.byte_count(), limits.max_case_bytes);
            }
            for (const auto& step : c.steps)
                EXPECT_LT(step.connection, max_connections);
        }
    }
}

TEST(Mutator, TheSameSeedMutatesTheSameWay) {
    const auto sessions = some_sessions(20);
    fuzz_random a(9), b(9);
    for (const auto& s : sessions) {
        auto x = s, y = s;
        EXPECT_EQ(mutate(x, a, sessions), mutate(y, b, sessions));
        EXPECT_EQ(x, y);
    }
}

}  // namespace
}  // namespace harness::netfuzz
