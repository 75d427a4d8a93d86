// `mqtt-harness broker -c FILE` as a user runs it: a configuration with errors exits 2 with every
// error naming its file and line and nothing listening; -c refuses -p; warnings are printed and
// the broker starts, one "listening on URL" line per listener.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace harness::cli::testing {
namespace {

using namespace std::chrono_literals;
using test_support::child_process;
using test_support::temp_dir;

constexpr auto bound = 10'000ms;

std::string describe(const child_process& p) {
    return "\n  command: " + p.command() + "\n  stdout: " + p.output() +
           "\n  stderr: " + p.errors();
}

TEST(BrokerCommand, ConfigurationErrorsExitTwoEachNamingFileAndLine) {
    temp_dir dir("broker-cli");
    const auto conf = dir.write("bad.conf",
                                "listener 0 127.0.0.1\n"          // 1
                                "certfile /nowhere/server.pem\n"  // 2: no keyfile
                                "max_qos 3\n"                     // 3: bad value
                                "password_file " +
                                    dir.file("absent") +
                                    "\n"                  // 4: unreadable
                                    "bogus_option 1\n");  // 5: warning only
    child_process broker(MQTT_HARNESS_BINARY, {"broker", "-c", conf});
    ASSERT_EQ(broker.wait_for(bound), 2) << describe(broker);
    const auto errors = broker.errors();
    for (const auto* where : {":1: error: ", ":3: error: ", ":4: error: ", ":5: warning: "})
        EXPECT_NE(errors.find(conf + where), std::string::npos) << where << describe(broker);
    EXPECT_EQ(broker.output().find("listening on"), std::string::npos) << describe(broker);
}

TEST(BrokerCommand, UnreadableConfigurationExitsTwo) {
    temp_dir dir("broker-cli");
    child_process broker(MQTT_HARNESS_BINARY, {"broker", "-c", dir.file("absent.conf")});
    ASSERT_EQ(broker.wait_for(bound), 2) << describe(broker);
    EXPECT_NE(broker.errors().find(dir.file("absent.conf") + ":0: error: "), std::string::npos)
        << describe(broker);
}

TEST(BrokerCommand, ConfigurationFileExcludesPort) {
    temp_dir dir("broker-cli");
    const auto conf = dir.write("ok.conf", "listener 0 127.0.0.1\n");
    child_process broker(MQTT_HARNESS_BINARY, {"broker", "-c", conf, "-p", "0"});
    ASSERT_EQ(broker.wait_for(bound), 2) << describe(broker);
    EXPECT_NE(broker.errors().find("excludes"), std::string::npos) << describe(broker);
}

TEST(BrokerCommand, WarningsArePrintedAndEveryListenerIsAnnounced) {
    temp_dir dir("broker-cli");
    const auto conf = dir.write("ok.conf",
                                "listener 0 127.0.0.1\nprotocol mqtt\n"
                                "listener 0 127.0.0.1\nprotocol websockets\n"
                                "allow_anonymous true\nautosave_interval 10\nlog_type none\n");
    child_process broker(MQTT_HARNESS_BINARY, {"broker", "-c", conf});
    ASSERT_TRUE(broker.wait_for_output("ws://", bound)) << describe(broker);
    ASSERT_TRUE(broker.wait_for_output("\n", bound)) << describe(broker);
    // "mqtt-harness broker listening on SCHEME://127.0.0.1:PORT[/mqtt]", one per listener.
    const std::string prefix = "mqtt-harness broker listening on ";
    std::vector<std::string> schemes;
    std::istringstream out(broker.output());
    for (std::string text; std::getline(out, text);) {
        if (!text.starts_with(prefix))
            continue;
        const auto url = text.substr(prefix.size());
        const auto colon = url.find("://127.0.0.1:");
        ASSERT_NE(colon, std::string::npos) << text;
        const auto port = std::stoul(url.substr(colon + 13));
        EXPECT_GT(port, 0u) << text;
        schemes.push_back(url.substr(0, colon));
    }
    EXPECT_EQ(schemes, (std::vector<std::string>{"mqtt", "ws"})) << describe(broker);
    EXPECT_NE(broker.errors().find(conf + ":6: warning: "), std::string::npos) << describe(broker);
    EXPECT_EQ(broker.stop(), 0) << describe(broker);
}

}  // namespace
}  // namespace harness::cli::testing
