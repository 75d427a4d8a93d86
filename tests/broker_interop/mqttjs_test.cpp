// MQTT.js (npm package mqtt, installed into mqttjs/ by ci/install-deps.sh) over WebSocket against
// the embedded broker, at MQTT 3.1.1 (protocolVersion 4) and 5.0 over ws, and at 5.0 over wss:
// its own QoS 0 and QoS 1 messages come back, a message from mosquitto_pub on the plain MQTT
// listener reaches it, and its message reaches mosquitto_sub there.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "peers.hpp"
#include "websocket_broker.hpp"

namespace harness::broker_interop {
namespace {

const std::string script_dir = MQTTJS_SCRIPT_DIR;

/// Why MQTT.js cannot run here, or "" when it can.
std::string mqttjs_missing() {
    if (!test_support::find_executable("node"))
        return "node is not on PATH";
    if (!std::filesystem::exists(script_dir + "/node_modules/mqtt/package.json"))
        return "MQTT.js is not installed in " + script_dir + "/node_modules";
    return "";
}

class MqttJs : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const auto missing = mqttjs_missing(); !missing.empty()) {
            const char* allow = std::getenv("HARNESS_ALLOW_MISSING_MQTTJS");
            if (allow != nullptr && std::string(allow) == "1")
                GTEST_SKIP() << missing << " (HARNESS_ALLOW_MISSING_MQTTJS=1)";
            FAIL() << missing << ": run ci/install-deps.sh, or `cd " << script_dir
                   << " && npm ci --no-audit --no-fund` with Node.js 18 or later (set "
                   << "HARNESS_ALLOW_MISSING_MQTTJS=1 to skip these tests instead)";
        }
        ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_sub"));
        ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_pub"));
    }

    /// Runs ws_round_trip.js against `url` while mosquitto_pub/_sub play the TCP side.
    void round_trip(const std::string& url, const std::string& version,
                    const std::string& cafile = "") {
        const std::string base = "mqttjs/v" + version;
        auto tcp_sub =
            mosquitto_tool("mosquitto_sub", broker.tcp_port(),
                           {"-d", "-q", "1", "-t", base + "/to-tcp", "-C", "1", "-F", "%q %t %p"});
        ASSERT_TRUE(tcp_sub->wait_for_output("received SUBACK", step)) << describe(*tcp_sub);

        std::vector<std::string> args = {script_dir + "/ws_round_trip.js", url, version, base};
        if (!cafile.empty())
            args.push_back(cafile);
        child_process js("node", args);
        ASSERT_TRUE(js.wait_for_output("ready\n", step)) << describe(js);
        auto pub = mosquitto_tool("mosquitto_pub", broker.tcp_port(),
                                  {"-q", "1", "-t", base + "/from-tcp", "-m", "from tcp"});
        EXPECT_EQ(finish(*pub), 0) << describe(*pub);

        // The script bounds each wait by 10 s and its whole run by 30 s.
        EXPECT_EQ(finish(js, step * 4), 0) << describe(js);
        EXPECT_EQ(js.output(), "ready\nok\n") << describe(js);
        EXPECT_EQ(finish(*tcp_sub), 0) << describe(*tcp_sub);
        EXPECT_EQ(message_lines(*tcp_sub),
                  std::vector<std::string>{"1 " + base + "/to-tcp to tcp"});
    }

    websocket_broker broker;
};

TEST_F(MqttJs, V311OverWsGetsItsOwnAndTcpMessagesAndReachesTcp) {
    round_trip(broker.ws_url(), "4");
}

TEST_F(MqttJs, V5OverWsGetsItsOwnAndTcpMessagesAndReachesTcp) {
    round_trip(broker.ws_url(), "5");
}

TEST_F(MqttJs, V5OverWssGetsItsOwnAndTcpMessagesAndReachesTcp) {
    round_trip(broker.wss_url(), "5", websocket_broker::ca_file());
}

}  // namespace
}  // namespace harness::broker_interop
