// `mqtt-harness bench` against Debian's mosquitto: exact counts on a small QoS 1 run, losses
// reported (not waited for) when a subscriber drops out, and bad options.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "pub_sub_broker.hpp"
#include "support/child_process.hpp"

namespace harness::cli::testing {
namespace {

using namespace std::chrono_literals;
using test_support::child_process;
namespace json = boost::json;

std::vector<std::string> bench_args(const std::vector<std::string>& extra) {
    std::vector<std::string> args{"bench"};
    const auto target = shared_pub_sub_broker().harness_target(transport_kind::tcp);
    args.insert(args.end(), target.begin(), target.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

/// Runs bench with --json; the parsed report, or a null value (and a test failure).
json::value run_bench(const std::vector<std::string>& extra, std::chrono::milliseconds bound,
                      int expected_status = 0) {
    auto args = bench_args(extra);
    args.push_back("--json");
    child_process p(MQTT_HARNESS_BINARY, args);
    const auto status = p.wait_for(bound);
    EXPECT_TRUE(status.has_value())
        << p.command() << " did not exit within its bound\nstderr: " << p.errors();
    if (!status)
        return nullptr;
    EXPECT_EQ(*status, expected_status) << p.errors();
    try {
        return json::parse(p.output());
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not JSON: " << e.what() << "\n" << p.output();
        return nullptr;
    }
}

std::int64_t integer(const json::value& report, const char* field) {
    return report.as_object().at(field).to_number<std::int64_t>();
}

TEST(Bench, FanInQos1CountsExactly) {
    const auto report = run_bench({"--mode", "fan-in", "-n", "3", "-q", "1", "--count", "200",
                                   "--inflight", "4", "--size", "100", "--drain", "5"},
                                  30s);
    ASSERT_TRUE(report.is_object());
    EXPECT_EQ(integer(report, "sent"), 600);
    EXPECT_EQ(integer(report, "expected"), 600);
    EXPECT_EQ(integer(report, "received"), 600);
    EXPECT_EQ(integer(report, "lost"), 0);
    EXPECT_EQ(integer(report, "duplicates"), 0);
    EXPECT_EQ(integer(report, "stray"), 0);
    const auto& latency = report.at("latency_us").as_object();
    EXPECT_EQ(latency.at("samples").to_number<std::int64_t>(), 600);
    for (const char* field : {"p50", "p90", "p99", "p99_9", "max"}) {
        ASSERT_TRUE(latency.contains(field)) << field;
        EXPECT_GT(latency.at(field).to_number<double>(), 0) << field;
    }
    EXPECT_LE(latency.at("p50").to_number<double>(), latency.at("max").to_number<double>());
    EXPECT_TRUE(report.at("cpu").as_object().contains("self_percent"));
}

TEST(Bench, FanOutMultipliesExpected) {
    const auto report =
        run_bench({"--mode", "fan-out", "-n", "3", "-q", "2", "--count", "100"}, 30s);
    ASSERT_TRUE(report.is_object());
    EXPECT_EQ(integer(report, "sent"), 100);
    EXPECT_EQ(integer(report, "expected"), 300);
    EXPECT_EQ(integer(report, "received"), 300);
    EXPECT_EQ(integer(report, "lost"), 0);
}

TEST(Bench, DroppedSubscriberIsReportedAsLoss) {
    // Each subscriber drops out after 50 messages; the rest must be counted lost within --drain.
    const auto started = std::chrono::steady_clock::now();
    const auto report =
        run_bench({"--mode", "pairs", "-n", "2", "-q", "0", "--count", "500", "--rate", "1000",
                   "--drain", "1", "--drop-subscriber-after", "50"},
                  20s);
    ASSERT_TRUE(report.is_object());
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
    const auto sent = integer(report, "sent");
    const auto received = integer(report, "received");
    const auto lost = integer(report, "lost");
    EXPECT_EQ(sent, 1000);
    EXPECT_EQ(received, 100);
    EXPECT_GT(lost, 0);
    EXPECT_EQ(sent - received, lost);
}

TEST(Bench, BadOptionsExit2) {
    for (const std::vector<std::string>& extra : {std::vector<std::string>{"--mode", "ring"},
                                                  {"--size", "10"},
                                                  {"-q", "3"},
                                                  {"--clients", "0"},
                                                  {"--inflight", "0"},
                                                  {"--broker-pid", "999999999"}}) {
        child_process p(MQTT_HARNESS_BINARY, bench_args(extra));
        const auto status = p.wait_for(15s);
        ASSERT_TRUE(status.has_value()) << p.command();
        EXPECT_EQ(*status, 2) << p.command() << "\n" << p.errors();
    }
}

}  // namespace
}  // namespace harness::cli::testing
