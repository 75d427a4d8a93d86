// The seed configuration run by `mqtt-harness broker -c`, its ports replaced by 0 (free
// ports) and everything else verbatim: an MQTT listener and a WebSocket listener. As is, it
// refuses anonymous clients, as Mosquitto 2.0.11 does with listeners configured and no
// allow_anonymous (mosquitto_sub exits 5, "not authorised"); with the line Mosquitto 2.0 users
// add, `allow_anonymous true`, mosquitto_sub on the MQTT port receives "Time for a coffee"
// published by paho-mqtt over the WebSocket port, and the reverse.
#include <gtest/gtest.h>

#include <csignal>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "peers.hpp"
#include "support/temp_dir.hpp"

namespace harness::broker_interop {
namespace {

using test_support::temp_dir;

/// The seed configuration, verbatim.
constexpr std::string_view seed_config =
    "listener 1883\n"
    "protocol mqtt\n"
    "\n"
    "listener 1884\n"
    "protocol websockets\n";

const std::string topic = "example_topic";
const std::string coffee = "Time for a coffee";

/// `text` with its only occurrence of `from` replaced by `to`.
std::string replace_once(std::string text, std::string_view from, std::string_view to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    EXPECT_EQ(text.find(from, at + 1), std::string::npos) << from << " appears twice";
    if (at != std::string::npos)
        text.replace(at, from.size(), to);
    return text;
}

/// The seed configuration on free ports, followed by `extra` lines.
std::string seed_on_free_ports(std::string_view extra = {}) {
    auto text = replace_once(std::string(seed_config), "listener 1883\n", "listener 0\n");
    text = replace_once(std::move(text), "listener 1884\n", "listener 0\n");
    return text + std::string(extra);
}

/// The port of `url` when it is `head` PORT `tail` (PORT: 1 to 65535); 0 otherwise.
std::uint16_t port_in(std::string_view url, std::string_view head, std::string_view tail) {
    if (!url.starts_with(head) || !url.ends_with(tail) || url.size() <= head.size() + tail.size())
        return 0;
    const auto digits = url.substr(head.size(), url.size() - head.size() - tail.size());
    if (digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string_view::npos)
        return 0;
    const int port = std::stoi(std::string(digits));
    return port > 0 && port <= 65535 ? static_cast<std::uint16_t>(port) : 0;
}

/// /usr/bin/python3 -B <tests/broker_interop/paho/ws_peer.py> <args>.
std::unique_ptr<child_process> ws_peer(std::vector<std::string> args) {
    args.insert(args.begin(), {"-B", std::string(PAHO_SCRIPT_DIR) + "/ws_peer.py"});
    return std::make_unique<child_process>("/usr/bin/python3", std::move(args));
}

class SeedConfiguration : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_sub"));
        ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_pub"));
        auto probe = std::make_unique<child_process>(
            "/usr/bin/python3", std::vector<std::string>{"-c", "import paho.mqtt.client"});
        ASSERT_EQ(probe->wait_for(step), 0)
            << "/usr/bin/python3 cannot import paho.mqtt: apt-get install python3-paho-mqtt";
    }

    /// Starts `mqtt-harness broker -c seed.conf` with `config` and reads both listeners' ports
    /// from its "listening on" lines (mqtt first, then ws, in the file's order).
    void start(const std::string& config) {
        const auto file = dir.write("seed.conf", config);
        broker = std::make_unique<child_process>(MQTT_HARNESS_BINARY,
                                                 std::vector<std::string>{"broker", "-c", file});
        // The ws line comes second and ends with the path; once it is complete, both are.
        ASSERT_TRUE(broker->wait_for_output("/mqtt\n", step)) << describe(*broker);
        const std::string prefix = "mqtt-harness broker listening on ";
        std::vector<std::string> urls;
        std::istringstream out(broker->output());
        for (std::string line; std::getline(out, line);) {
            if (line.starts_with(prefix))
                urls.push_back(line.substr(prefix.size()));
        }
        ASSERT_EQ(urls.size(), 2u) << describe(*broker);
        mqtt_port = port_in(urls[0], "mqtt://127.0.0.1:", "");
        ws_port = port_in(urls[1], "ws://127.0.0.1:", "/mqtt");
        ASSERT_NE(mqtt_port, 0) << describe(*broker);
        ASSERT_NE(ws_port, 0) << describe(*broker);
        ASSERT_NE(mqtt_port, ws_port);
    }

    /// Stops the broker with SIGTERM: it exits 0.
    void stop_broker() {
        broker->send_signal(SIGTERM);
        EXPECT_EQ(finish(*broker), 0) << describe(*broker);
    }

    temp_dir dir{"harness-seed"};
    std::unique_ptr<child_process> broker;
    std::uint16_t mqtt_port = 0;
    std::uint16_t ws_port = 0;
};

TEST_F(SeedConfiguration, VerbatimSeedStartsBothListenersAndRefusesAnonymousLikeMosquitto2) {
    ASSERT_NO_FATAL_FAILURE(start(seed_on_free_ports()));
    auto sub = mosquitto_tool("mosquitto_sub", mqtt_port, {"-t", topic});
    EXPECT_EQ(finish(*sub), 5) << describe(*sub);
    EXPECT_NE((sub->output() + sub->errors()).find("Connection Refused: not authorised."),
              std::string::npos)
        << describe(*sub);
    // The WebSocket listener refuses anonymous clients too (paho at 5.0: Not authorized).
    auto pub = ws_peer({std::to_string(ws_port), "pub", topic, coffee, "0"});
    EXPECT_EQ(finish(*pub), 1) << describe(*pub);
    EXPECT_NE(pub->output().find("CONNACK refused the connection"), std::string::npos)
        << describe(*pub);
    stop_broker();
}

TEST_F(SeedConfiguration, WithAllowAnonymousMosquittoSubOnMqttPortReceivesPahoPublishOverWs) {
    ASSERT_NO_FATAL_FAILURE(start(seed_on_free_ports("allow_anonymous true\n")));
    auto sub = mosquitto_tool("mosquitto_sub", mqtt_port, {"-d", "-t", topic, "-C", "1"});
    ASSERT_TRUE(sub->wait_for_output("received SUBACK", step)) << describe(*sub);
    auto pub = ws_peer({std::to_string(ws_port), "pub", topic, coffee, "0"});
    EXPECT_EQ(finish(*pub), 0) << describe(*pub);
    EXPECT_EQ(finish(*sub), 0) << describe(*sub);
    EXPECT_EQ(message_lines(*sub), (std::vector<std::string>{coffee})) << describe(*sub);
    stop_broker();
}

TEST_F(SeedConfiguration, WithAllowAnonymousPahoSubscribedOverWsReceivesMosquittoPubOnMqttPort) {
    ASSERT_NO_FATAL_FAILURE(start(seed_on_free_ports("allow_anonymous true\n")));
    auto sub = ws_peer({std::to_string(ws_port), "sub", topic, "1"});
    ASSERT_TRUE(sub->wait_for_output("subscribed\n", step)) << describe(*sub);
    auto pub = mosquitto_tool("mosquitto_pub", mqtt_port, {"-t", topic, "-m", coffee});
    EXPECT_EQ(finish(*pub), 0) << describe(*pub);
    EXPECT_EQ(finish(*sub), 0) << describe(*sub);
    // "QOS TOPIC PAYLOAD": published at QoS 0, delivered at QoS 0.
    EXPECT_EQ(sub->output(), "subscribed\n0 " + topic + " " + coffee + "\nok\n") << describe(*sub);
    stop_broker();
}

}  // namespace
}  // namespace harness::broker_interop
