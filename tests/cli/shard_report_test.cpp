// `run --shard K/N` and `report` / `report merge` as a CI runs them: three shards (by count and
// by recorded durations) together run every scenario exactly once, whatever the order of the
// paths; merging their JSON results or their JUnit files gives the verdicts, testcases and
// counts of an unsharded run; shard info reaches the console and the reports; bad K/N, bad
// inputs and missing outputs are usage errors naming what is wrong.
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "scenario_cli.hpp"
#include "support/temp_dir.hpp"

namespace harness::cli::testing {
namespace {

using test_support::temp_dir;
namespace json = boost::json;

std::string passing(const std::string& name) {
    return "  - name: " + name + R"(
    steps:
      - subscribe: {client: a, topic: t}
      - publish: {client: b, topic: t, payload: hi}
      - expect: {client: a, topic: t, payload: hi, within: 2s}
)";
}

constexpr const char* failing = R"(  - name: fails on purpose
    steps:
      - subscribe: {client: a, topic: t}
      - publish: {client: b, topic: t, payload: "21.5"}
      - expect: {client: a, topic: t, payload: "22", within: 100ms}
)";

std::string suite(const std::string& name, const std::string& scenarios) {
    return "name: " + name + "\nclients:\n  - name: a\n  - name: b\nscenarios:\n" + scenarios;
}

/// Seven scenarios in three files, one of them failing.
struct scenario_tree {
    temp_dir dir{"harness-shard-cli"};
    std::string a = dir.write("a.yaml", suite("alpha", passing("one") + passing("two")));
    std::string b = dir.write("b.yaml", suite("beta", passing("three") + failing));
    std::string c =
        dir.write("c.yaml", suite("gamma", passing("four") + passing("five") + passing("six")));
};

/// "file › name" of each PASS and FAIL line, with how often it appears.
std::map<std::string, int> ran(const command_result& r) {
    std::map<std::string, int> out;
    for (const auto prefix : {"PASS  ", "FAIL  "})
        for (const auto& line : lines_starting(r.out, prefix)) {
            auto name = line.substr(6);
            name = name.substr(0, name.rfind("  ("));  // the duration
            ++out[std::string(prefix).substr(0, 4) + " " + name];
        }
    return out;
}

/// Every testcase of a JUnit file as "suite|classname|name|verdict", and the root's counts.
struct junit_view {
    std::multiset<std::string> cases;
    std::string counts;
};

junit_view view_of(const std::string& file) {
    pugi::xml_document doc;
    EXPECT_TRUE(doc.load_file(file.c_str())) << file;
    junit_view v;
    const auto root = doc.child("testsuites");
    for (const char* a : {"tests", "failures", "errors", "skipped"})
        v.counts += std::string(a) + "=" + root.attribute(a).value() + " ";
    for (auto s : root.children("testsuite")) {
        std::size_t n = 0;
        for (auto t : s.children("testcase")) {
            const char* verdict = t.child("failure")   ? "failure"
                                  : t.child("error")   ? "error"
                                  : t.child("skipped") ? "skipped"
                                                       : "passed";
            v.cases.insert(std::string(s.attribute("name").value()) + "|" +
                           t.attribute("classname").value() + "|" + t.attribute("name").value() +
                           "|" + verdict);
            ++n;
        }
        EXPECT_EQ(std::to_string(n), s.attribute("tests").value()) << file;
    }
    return v;
}

TEST(RunShard, ThreeShardsRunEveryScenarioExactlyOnce) {
    scenario_tree t;
    const auto all = run_harness({"run", t.dir.path().string()});
    ASSERT_EQ(all.status, 1) << all;
    ASSERT_EQ(ran(all).size(), 7u) << all;
    std::map<std::string, int> together;
    for (const auto* k : {"1/3", "2/3", "3/3"}) {
        const auto r = run_harness({"run", t.dir.path().string(), "--shard", k});
        EXPECT_TRUE(r.status == 0 || r.status == 1) << r;
        EXPECT_NE(r.out.find(std::string("shard ") + k + ": "), std::string::npos) << r;
        const auto mine = ran(r);
        EXPECT_GE(mine.size(), 2u) << r;  // 7 by count: 3, 2, 2
        EXPECT_LE(mine.size(), 3u) << r;
        for (const auto& [name, n] : mine)
            together[name] += n;
    }
    EXPECT_EQ(together, ran(all));
}

TEST(RunShard, ShardsBalancedByRecordedDurationsRunEveryScenarioExactlyOnce) {
    scenario_tree t;
    const auto json_file = t.dir.file("durations.json");
    const auto all = run_harness({"run", t.dir.path().string(), "--json", json_file});
    ASSERT_EQ(all.status, 1) << all;
    std::map<std::string, int> together;
    for (const auto* k : {"1/3", "2/3", "3/3"}) {
        const auto r =
            run_harness({"run", t.dir.path().string(), "--shard", k, "--durations", json_file});
        EXPECT_TRUE(r.status == 0 || r.status == 1) << r;
        for (const auto& [name, n] : ran(r))
            together[name] += n;
    }
    EXPECT_EQ(together, ran(all));
}

TEST(RunShard, ShardDoesNotDependOnTheOrderOfThePaths) {
    scenario_tree t;
    for (const auto* k : {"1/3", "2/3"}) {
        const auto forward = run_harness({"run", t.a, t.b, t.c, "--shard", k});
        const auto backward = run_harness({"run", t.c, t.a, t.b, "--shard", k});
        EXPECT_EQ(ran(forward), ran(backward)) << forward << backward;
    }
}

TEST(RunShard, EmptyShardPassesWithANote) {
    temp_dir dir("harness-shard-cli");
    const auto file = dir.write("one.yaml", suite("one", passing("only")));
    const auto r = run_harness({"run", file, "--shard", "3/3"});
    EXPECT_EQ(r.status, 0) << r;
    EXPECT_NE(r.out.find("shard 3/3: no scenario of the 1 selected"), std::string::npos) << r;
}

TEST(RunShard, ShardGoesIntoTheJunitAndJsonProperties) {
    scenario_tree t;
    const auto xml = t.dir.file("s.xml");
    const auto js = t.dir.file("s.json");
    run_harness({"run", t.dir.path().string(), "--shard", "2/3", "--junit", xml, "--json", js});
    EXPECT_NE(read_text(xml).find(R"(<property name="shard" value="2/3" />)"), std::string::npos)
        << read_text(xml);
    expect_valid_junit(xml);
    const auto doc = json::parse(read_text(js));
    EXPECT_EQ(std::string(doc.at("properties").at("shard").as_string()), "2/3") << read_text(js);
}

TEST(RunShard, MalformedOrOutOfRangeShardIsAUsageError) {
    scenario_tree t;
    for (const auto* bad : {"0/3", "4/3", "3", "a/b", "1/0"}) {
        const auto r = run_harness({"run", t.a, "--shard", bad});
        EXPECT_EQ(r.status, 2) << r;
        EXPECT_NE(r.err.find("--shard"), std::string::npos) << r;
        EXPECT_TRUE(lines_starting(r.out, "PASS").empty()) << r;
    }
    const auto without = run_harness({"run", t.a, "--durations", t.a});
    EXPECT_EQ(without.status, 2) << without;
    const auto unreadable =
        run_harness({"run", t.a, "--shard", "1/2", "--durations", t.dir.file("missing.json")});
    EXPECT_EQ(unreadable.status, 2) << unreadable;
    EXPECT_NE(unreadable.err.find("missing.json"), std::string::npos) << unreadable;
    const auto not_a_result = run_harness({"run", t.a, "--shard", "1/2", "--durations", t.a});
    EXPECT_EQ(not_a_result.status, 2) << not_a_result;
    EXPECT_NE(not_a_result.err.find("a.yaml: not a JSON result"), std::string::npos)
        << not_a_result;
}

/// Runs the tree unsharded and in three shards, writing JUnit and JSON of each.
struct sharded_runs {
    scenario_tree t;
    std::string all_xml = t.dir.file("all.xml");
    std::vector<std::string> xml, json;

    sharded_runs() {
        const auto all = run_harness({"run", t.dir.path().string(), "--junit", all_xml});
        EXPECT_EQ(all.status, 1) << all;
        for (const auto* k : {"1", "2", "3"}) {
            xml.push_back(t.dir.file(std::string("shard") + k + ".xml"));
            json.push_back(t.dir.file(std::string("shard") + k + ".json"));
            run_harness({"run", t.dir.path().string(), "--shard", std::string(k) + "/3", "--junit",
                         xml.back(), "--json", json.back()});
        }
    }
};

TEST(ReportMerge, MergedJsonResultsGiveTheJunitOfAnUnshardedRun) {
    sharded_runs runs;
    const auto merged_xml = runs.t.dir.file("merged.xml");
    const auto merged_json = runs.t.dir.file("merged.json");
    const auto r = run_harness({"report", "merge", "-o", merged_xml, "--json", merged_json,
                                runs.json[2], runs.json[0], runs.json[1]});
    EXPECT_EQ(r.status, 1) << r;  // the failing scenario, as the unsharded run
    EXPECT_NE(r.out.find("7 scenarios: 6 passed, 1 failed"), std::string::npos) << r;
    const auto expected = view_of(runs.all_xml);
    const auto merged = view_of(merged_xml);
    EXPECT_EQ(merged.cases, expected.cases);
    EXPECT_EQ(merged.counts, expected.counts);
    EXPECT_EQ(read_text(merged_xml).find("\"shard\""), std::string::npos);
    expect_valid_junit(merged_xml);
    const auto doc = json::parse(read_text(merged_json));
    EXPECT_EQ(doc.at("counts").at("total").to_number<int>(), 7) << read_text(merged_json);
    EXPECT_EQ(doc.at("counts").at("failed").to_number<int>(), 1) << read_text(merged_json);
}

TEST(ReportMerge, MergedJunitFilesGiveTheJunitOfAnUnshardedRun) {
    sharded_runs runs;
    const auto merged_xml = runs.t.dir.file("merged.xml");
    const auto r = run_harness(
        {"report", "merge", "--junit", merged_xml, runs.xml[1], runs.json[0], runs.xml[2]});
    EXPECT_EQ(r.status, 1) << r;
    const auto expected = view_of(runs.all_xml);
    const auto merged = view_of(merged_xml);
    EXPECT_EQ(merged.cases, expected.cases);
    EXPECT_EQ(merged.counts, expected.counts);
    expect_valid_junit(merged_xml);
}

TEST(ReportMerge, MissingShardIsAWarning) {
    sharded_runs runs;
    const auto r = run_harness(
        {"report", "merge", "-o", runs.t.dir.file("m.xml"), runs.json[0], runs.json[2]});
    EXPECT_NE(r.err.find("shard 2/3 missing"), std::string::npos) << r;
}

TEST(ReportMerge, UnreadableOrInvalidInputsAreNamedAndExitTwo) {
    temp_dir dir("harness-report-cli");
    const auto broken = dir.write("broken.json", "{\"format\":");
    const auto other = dir.write("other.xml", "<html/>");
    const auto out = dir.file("out.xml");
    const auto r =
        run_harness({"report", "merge", "-o", out, broken, other, dir.file("nope.json")});
    EXPECT_EQ(r.status, 2) << r;
    EXPECT_NE(r.err.find("broken.json: not a JSON result"), std::string::npos) << r;
    EXPECT_NE(r.err.find("other.xml: not JUnit XML"), std::string::npos) << r;
    EXPECT_NE(r.err.find("nope.json: cannot open"), std::string::npos) << r;
    EXPECT_FALSE(std::filesystem::exists(out));
    const auto no_output = run_harness({"report", "merge", broken});
    EXPECT_EQ(no_output.status, 2) << no_output;
    EXPECT_NE(no_output.err.find("-o/--junit"), std::string::npos) << no_output;
}

TEST(Report, SavedResultIsShownAndWrittenAgain) {
    sharded_runs runs;
    const auto again = runs.t.dir.file("again.xml");
    const auto r = run_harness({"report", runs.json[0], "--junit", again});
    EXPECT_EQ(view_of(again).cases, view_of(runs.xml[0]).cases);
    EXPECT_NE(r.out.find("shard 1/3"), std::string::npos) << r;
    EXPECT_NE(r.out.find(" scenarios: "), std::string::npos) << r;
    const bool failing_here = view_of(runs.xml[0]).counts.find("failures=1") != std::string::npos;
    EXPECT_EQ(r.status, failing_here ? 1 : 0) << r;
}

}  // namespace
}  // namespace harness::cli::testing
