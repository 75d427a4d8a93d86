// log_type and log_dest -> log_plan: Mosquitto's defaults, none silencing, debug as packets,
// files with their lines, unsupported destinations as warnings naming their line.
#include "harness/broker/log_config.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace harness::broker {
namespace {

struct planned {
    log_plan plan;
    std::vector<config_problem> problems;
};

planned plan(std::string_view text) {
    config_file_reader nothing;
    nothing.read_file = [](const std::filesystem::path&) { return std::optional<std::string>{}; };
    nothing.list_directory = [](const std::filesystem::path&) {
        return std::optional<std::vector<std::filesystem::path>>{};
    };
    auto parsed = parse_config(text, "/etc/mosquitto/mosquitto.conf", nothing);
    EXPECT_TRUE(parsed.problems.empty());
    planned out;
    out.plan = plan_logging(parsed.config, out.problems);
    return out;
}

TEST(LogConfig, WithoutLogLinesEventsGoToStderr) {
    const auto p = plan("listener 1883\n");
    EXPECT_TRUE(p.plan.events);
    EXPECT_FALSE(p.plan.packets);
    EXPECT_TRUE(p.plan.to_stderr);
    EXPECT_FALSE(p.plan.to_stdout);
    EXPECT_TRUE(p.problems.empty());
}

TEST(LogConfig, LogTypeNoneSilencesEverything) {
    const auto p = plan("log_type error\nlog_type none\n");
    EXPECT_FALSE(p.plan.active());
}

TEST(LogConfig, DebugLogsEveryPacketAndAllLogsBoth) {
    const auto debug = plan("log_type debug\n");
    EXPECT_TRUE(debug.plan.packets);
    EXPECT_FALSE(debug.plan.events);
    const auto all = plan("log_type all\n");
    EXPECT_TRUE(all.plan.packets);
    EXPECT_TRUE(all.plan.events);
}

TEST(LogConfig, DestinationsAreStdoutStderrAndFilesWithTheirLines) {
    const auto p = plan("log_dest stdout\n\nlog_dest file /var/log/broker.log\n");
    EXPECT_TRUE(p.plan.to_stdout);
    EXPECT_FALSE(p.plan.to_stderr);
    ASSERT_EQ(p.plan.files.size(), 1u);
    EXPECT_EQ(p.plan.files[0].path, "/var/log/broker.log");
    EXPECT_EQ(p.plan.files[0].at.line, 3u);
}

TEST(LogConfig, LogDestNoneSilencesEverything) {
    const auto p = plan("log_dest stdout\nlog_dest none\n");
    EXPECT_FALSE(p.plan.active());
}

TEST(LogConfig, UnsupportedDestinationsAreWarningsNamingTheirLine) {
    const auto p = plan("log_dest syslog\nlog_dest stderr\nlog_dest topic\n");
    EXPECT_TRUE(p.plan.to_stderr);
    ASSERT_EQ(p.problems.size(), 2u);
    EXPECT_EQ(p.problems[0].level, config_problem::severity::warning);
    EXPECT_EQ(p.problems[0].line, 1u);
    EXPECT_EQ(p.problems[0].file, "/etc/mosquitto/mosquitto.conf");
    EXPECT_NE(p.problems[0].message.find("syslog"), std::string::npos);
    EXPECT_EQ(p.problems[1].line, 3u);
}

}  // namespace
}  // namespace harness::broker
