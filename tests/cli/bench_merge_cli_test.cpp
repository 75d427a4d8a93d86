// `mqtt-harness bench merge` as a user runs it: two concurrent `bench --json` runs against the
// embedded broker (`broker -p 0`) merged into one report whose counts add up and whose p50 lies
// within the inputs' latencies; the human summary; unusable files exit 2 naming the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace harness::cli::testing {
namespace {

using namespace std::chrono_literals;
using test_support::child_process;
using test_support::temp_dir;
namespace json = boost::json;

struct result {
    int status = -1;
    std::string out, err;
};

result finish(child_process& p, std::chrono::milliseconds bound = 60s) {
    const auto status = p.wait_for(bound);
    EXPECT_TRUE(status.has_value()) << p.command() << " did not exit in time\n" << p.errors();
    return {status.value_or(-1), p.output(), p.errors()};
}

result run_harness(const std::vector<std::string>& args) {
    child_process p(MQTT_HARNESS_BINARY, args);
    return finish(p);
}

double number(const json::value& report, const char* field) {
    return report.at(field).to_number<double>();
}

double latency(const json::value& report, const char* field) {
    return report.at("latency_us").at(field).to_number<double>();
}

TEST(BenchMergeCli, TwoRunsAgainstTheEmbeddedBrokerAddUp) {
    temp_dir dir("bench-merge");
    child_process broker(MQTT_HARNESS_BINARY, {"broker", "-p", "0"});
    ASSERT_TRUE(broker.wait_for_output("listening on mqtt://", 30s)) << broker.errors();
    ASSERT_TRUE(broker.wait_for_output("\n", 30s)) << broker.errors();
    const auto out = broker.output();
    const auto at = out.find("mqtt://");
    const auto url = out.substr(at, out.find('\n', at) - at);

    // Two pods at once: the same load, each under its own run id.
    const std::vector<std::string> load = {"bench", "-L", url, "--mode",  "pairs", "-n",
                                           "2",     "-q", "1", "--count", "50",    "--json"};
    child_process first(MQTT_HARNESS_BINARY, load);
    child_process second(MQTT_HARNESS_BINARY, load);
    const auto a = finish(first), b = finish(second);
    ASSERT_EQ(a.status, 0) << a.err;
    ASSERT_EQ(b.status, 0) << b.err;
    const auto ra = json::parse(a.out), rb = json::parse(b.out);
    for (const auto* r : {&ra, &rb}) {
        EXPECT_EQ(number(*r, "sent"), 100);
        EXPECT_EQ(number(*r, "received"), 100);
        EXPECT_EQ(r->at("latency_histogram").at("unit").as_string(), "ns");
    }
    const auto file_a = dir.write("pod-0.json", a.out);
    const auto file_b = dir.write("pod-1.json", b.out);

    const auto merged = run_harness({"bench", "merge", file_a, file_b, "--json"});
    ASSERT_EQ(merged.status, 0) << merged.err;
    EXPECT_EQ(merged.err, "");
    const auto m = json::parse(merged.out);
    EXPECT_EQ(number(m, "sent"), number(ra, "sent") + number(rb, "sent"));
    EXPECT_EQ(number(m, "received"), number(ra, "received") + number(rb, "received"));
    EXPECT_EQ(number(m, "lost"), 0);
    EXPECT_EQ(number(m, "publishers"), 4);
    EXPECT_EQ(latency(m, "samples"), latency(ra, "samples") + latency(rb, "samples"));
    EXPECT_EQ(latency(m, "min"), std::min(latency(ra, "min"), latency(rb, "min")));
    EXPECT_EQ(latency(m, "max"), std::max(latency(ra, "max"), latency(rb, "max")));
    EXPECT_GE(latency(m, "p50"), std::min(latency(ra, "min"), latency(rb, "min")));
    EXPECT_LE(latency(m, "p50"), std::max(latency(ra, "max"), latency(rb, "max")));
    EXPECT_EQ(m.at("run_ids").as_array().size(), 2u);
    EXPECT_EQ(m.at("run_ids").as_array().at(0), ra.at("run_id"));
    EXPECT_EQ(m.at("run_ids").as_array().at(1), rb.at("run_id"));

    // The merged report merges again; the summary form is bench's.
    const auto file_m = dir.write("merged.json", merged.out);
    const auto again = run_harness({"bench", "merge", file_m, file_a});
    ASSERT_EQ(again.status, 0) << again.err;
    EXPECT_NE(again.out.find("3 runs merged"), std::string::npos) << again.out;
    EXPECT_NE(again.out.find("sent 300  expected 300  received 300  lost 0"), std::string::npos)
        << again.out;
    EXPECT_NE(again.out.find("latency us: p50 "), std::string::npos) << again.out;
}

TEST(BenchMergeCli, MissingFileExits2NamingIt) {
    temp_dir dir("bench-merge");
    const auto absent = dir.file("absent.json");
    const auto r = run_harness({"bench", "merge", absent});
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find(absent), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
}

TEST(BenchMergeCli, InvalidJsonExits2NamingTheFile) {
    temp_dir dir("bench-merge");
    const auto broken = dir.write("broken.json", "{\"sent\": 1,");
    const auto r = run_harness({"bench", "merge", broken});
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find(broken), std::string::npos) << r.err;
}

TEST(BenchMergeCli, ReportWithoutHistogramExits2NamingTheFile) {
    temp_dir dir("bench-merge");
    const auto old = dir.write("old.json", R"({"run_id":"00","sent":1})");
    const auto r = run_harness({"bench", "merge", old});
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find(old), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("latency_histogram"), std::string::npos) << r.err;
}

TEST(BenchMergeCli, NoFilesIsAUsageError) {
    const auto r = run_harness({"bench", "merge"});
    EXPECT_EQ(r.status, 2) << r.err;
}

}  // namespace
}  // namespace harness::cli::testing
