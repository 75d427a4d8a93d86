// Shard selection: K/N parsing and its errors, identities that ignore how the path was written,
// every scenario in exactly one shard, the same split whatever the input order, count balance
// without durations, the greedy bound with them, and the median for scenarios not recorded.
#include "harness/runner/shard.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace harness::runner {
namespace {

std::vector<std::string> identities(std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(scenario_identity("s/f" + std::to_string(i % 5) + ".yaml",
                                        "scenario " + std::to_string(i)));
    return out;
}

/// The identities each shard receives, sorted, shard by shard.
std::vector<std::vector<std::string>> split(const std::vector<std::string>& ids, unsigned total,
                                            const duration_table* durations = nullptr) {
    std::vector<std::vector<std::string>> shards(total);
    const auto assigned = assign_shards(ids, total, durations);
    for (std::size_t i = 0; i < ids.size(); ++i)
        shards.at(assigned[i]).push_back(ids[i]);
    for (auto& s : shards)
        std::sort(s.begin(), s.end());
    return shards;
}

TEST(ParseShard, ReadsKOverN) {
    std::string error;
    const auto s = parse_shard("2/4", error);
    ASSERT_TRUE(s) << error;
    EXPECT_EQ(s->index, 2u);
    EXPECT_EQ(s->total, 4u);
    EXPECT_EQ(s->label(), "2/4");
    ASSERT_TRUE(parse_shard("1/1", error));
}

TEST(ParseShard, RejectsMalformedAndOutOfRangeWithAReason) {
    for (const char* text : {"", "2", "2/", "/4", "a/4", "2/b", "-1/4", "2/4/1", " 2/4", "1.5/4"}) {
        std::string error;
        EXPECT_FALSE(parse_shard(text, error)) << text;
        EXPECT_NE(error.find("K/N"), std::string::npos) << text << ": " << error;
    }
    std::string error;
    EXPECT_FALSE(parse_shard("0/4", error));
    EXPECT_NE(error.find("numbered from 1"), std::string::npos) << error;
    EXPECT_FALSE(parse_shard("5/4", error));
    EXPECT_NE(error.find("must be 1 to 4"), std::string::npos) << error;
    EXPECT_FALSE(parse_shard("0/0", error));
    EXPECT_NE(error.find("number of shards"), std::string::npos) << error;
    EXPECT_FALSE(parse_shard("1/99999999999999999999", error));
}

TEST(ScenarioIdentity, IgnoresDotSegmentsInTheFilePath) {
    EXPECT_EQ(scenario_identity("./a/b.yaml", "x"), "a/b.yaml › x");
    EXPECT_EQ(scenario_identity("a/c/../b.yaml", "x"), "a/b.yaml › x");
    EXPECT_NE(scenario_identity("a/b.yaml", "x"), scenario_identity("a/b.yaml", "y"));
}

TEST(AssignShards, EveryScenarioLandsInExactlyOneShard) {
    const auto ids = identities(23);
    for (unsigned total : {1u, 2u, 3u, 7u, 23u, 40u}) {
        std::vector<int> seen(ids.size(), 0);
        for (unsigned k = 1; k <= total; ++k)
            for (const auto i : shard_members(ids, {k, total}))
                ++seen.at(i);
        EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }))
            << total << " shards";
    }
}

TEST(AssignShards, SplitDoesNotDependOnInputOrder) {
    auto ids = identities(31);
    duration_table durations;
    for (std::size_t i = 0; i < ids.size(); i += 2)
        durations[ids[i]] = 0.1 * static_cast<double>(i % 7);
    const auto by_count = split(ids, 4);
    const auto by_time = split(ids, 4, &durations);
    std::mt19937 rng(7);
    for (int round = 0; round < 5; ++round) {
        std::shuffle(ids.begin(), ids.end(), rng);
        EXPECT_EQ(split(ids, 4), by_count);
        EXPECT_EQ(split(ids, 4, &durations), by_time);
    }
}

TEST(AssignShards, WithoutDurationsShardSizesDifferByAtMostOne) {
    const auto ids = identities(23);
    for (unsigned total : {2u, 3u, 5u, 30u}) {
        const auto shards = split(ids, total);
        std::size_t low = ids.size(), high = 0;
        for (const auto& s : shards) {
            low = std::min(low, s.size());
            high = std::max(high, s.size());
        }
        EXPECT_LE(high - low, 1u) << total << " shards";
    }
}

TEST(AssignShards, WithDurationsLoadsDifferByAtMostTheLongestScenario) {
    const auto ids = identities(40);
    duration_table durations;
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> seconds(0.01, 9.0);
    double longest = 0;
    for (const auto& id : ids)
        longest = std::max(longest, durations[id] = seconds(rng));
    for (unsigned total : {2u, 3u, 6u}) {
        std::vector<double> load(total, 0.0);
        const auto assigned = assign_shards(ids, total, &durations);
        for (std::size_t i = 0; i < ids.size(); ++i)
            load[assigned[i]] += durations[ids[i]];
        const auto [low, high] = std::minmax_element(load.begin(), load.end());
        EXPECT_LE(*high - *low, longest + 1e-9) << total << " shards";
    }
}

TEST(AssignShards, LongScenariosAreSpreadBeforeShortOnesFillIn) {
    const std::vector<std::string> ids{"a › long1", "a › long2", "a › s1",
                                       "a › s2",    "a › s3",    "a › s4"};
    const duration_table durations{{"a › long1", 10}, {"a › long2", 10}, {"a › s1", 1},
                                   {"a › s2", 1},     {"a › s3", 1},     {"a › s4", 1}};
    const auto assigned = assign_shards(ids, 2, &durations);
    EXPECT_NE(assigned[0], assigned[1]);
    // 10 + 1 + 1 on each side.
    EXPECT_EQ(std::count(assigned.begin(), assigned.end(), 0u), 3);
}

TEST(AssignShards, UnrecordedScenariosWeighTheMedianOfTheRecordedOnes) {
    // Recorded: 1, 2 and 30 s (median 2). Unrecorded "b" and "c" weigh 2 each: the 30 s scenario
    // alone on one shard, everything else (1 + 2 + 2 + 2 = 7 s) on the other.
    const std::vector<std::string> ids{"x › a", "x › b", "x › c", "x › d", "x › e"};
    const duration_table durations{{"x › a", 30}, {"x › d", 1}, {"x › e", 2}, {"y › gone", 99}};
    const auto assigned = assign_shards(ids, 2, &durations);
    EXPECT_EQ(std::count(assigned.begin(), assigned.end(), assigned[0]), 1);
}

TEST(AssignShards, MoreShardsThanScenariosLeavesSomeEmpty) {
    const auto ids = identities(2);
    EXPECT_EQ(shard_members(ids, {1, 3}).size() + shard_members(ids, {2, 3}).size() +
                  shard_members(ids, {3, 3}).size(),
              2u);
    EXPECT_TRUE(shard_members(ids, {3, 3}).empty());
}

scenario_result result_of(std::string file, std::string name, double seconds, int attempt = 1,
                          verdict outcome = verdict::passed) {
    scenario_result s;
    s.file = std::move(file);
    s.name = std::move(name);
    s.seconds = seconds;
    s.attempt = attempt;
    s.outcome = outcome;
    return s;
}

TEST(RecordedDurations, AveragesAttemptsAndRunsAndIgnoresSkipped) {
    run_result first, second;
    first.scenarios.push_back(result_of("./s/a.yaml", "one", 1.0));
    first.scenarios.push_back(result_of("s/a.yaml", "one", 3.0, 2));
    second.scenarios.push_back(result_of("s/a.yaml", "one", 5.0));
    second.scenarios.push_back(result_of("s/a.yaml", "two", 0.0, 1, verdict::skipped));
    const auto table = recorded_durations({first, second});
    ASSERT_EQ(table.size(), 1u);
    EXPECT_DOUBLE_EQ(table.at("s/a.yaml › one"), 3.0);
}

}  // namespace
}  // namespace harness::runner
