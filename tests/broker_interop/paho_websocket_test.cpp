// paho-mqtt (Debian's python3-paho-mqtt) over WebSocket against the embedded broker: ws and wss
// round trips at 3.1.1 and 5.0, and messages crossing between a paho WebSocket client and
// mosquitto_pub/mosquitto_sub on the broker's plain MQTT listener, both ways. Debian's
// mosquitto clients 2.0.11 have no WebSocket transport ("-L ws://..." is an unsupported URL
// scheme), so they take the TCP side only.
#include <gtest/gtest.h>

#include "peers.hpp"
#include "websocket_broker.hpp"

namespace harness::broker_interop {
namespace {

/// /usr/bin/python3 -B <tests/broker_interop/paho/script> <args>.
std::unique_ptr<child_process> paho(const std::string& script, std::vector<std::string> args) {
    args.insert(args.begin(), {"-B", std::string(PAHO_SCRIPT_DIR) + "/" + script});
    return std::make_unique<child_process>("/usr/bin/python3", std::move(args));
}

class PahoWebSocket : public ::testing::Test {
  protected:
    void SetUp() override {
        auto probe = std::make_unique<child_process>(
            "/usr/bin/python3", std::vector<std::string>{"-c", "import paho.mqtt.client"});
        ASSERT_EQ(probe->wait_for(step), 0)
            << "/usr/bin/python3 cannot import paho.mqtt: apt-get install python3-paho-mqtt";
        ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_sub"));
        ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_pub"));
    }

    /// Runs a paho script to its end (the scripts' own watchdog ends them after 30 s).
    void run_to_end(child_process& p) { EXPECT_EQ(finish(p, step * 4), 0) << describe(p); }

    websocket_broker broker;
};

TEST_F(PahoWebSocket, Qos0AndQos1RoundTripOverWsAtBothVersions) {
    auto p = paho("ws_round_trip.py", {std::to_string(broker.ws_port())});
    run_to_end(*p);
}

TEST_F(PahoWebSocket, Qos0AndQos1RoundTripOverWssAtBothVersions) {
    auto p = paho("ws_round_trip.py", {std::to_string(broker.wss_port()), broker.ca_file()});
    run_to_end(*p);
}

TEST_F(PahoWebSocket, PublishOverWsReachesMosquittoSubOnTheTcpListener) {
    const std::string topic = "ws/to-tcp";
    auto sub = mosquitto_tool("mosquitto_sub", broker.tcp_port(),
                              {"-d", "-q", "1", "-t", topic, "-C", "2", "-F", "%q %t %p"});
    ASSERT_TRUE(sub->wait_for_output("received SUBACK", step)) << describe(*sub);
    for (const char* q : {"0", "1"}) {
        auto pub = paho("ws_peer.py", {std::to_string(broker.ws_port()), "pub", topic,
                                       std::string("over ws at qos ") + q, q});
        run_to_end(*pub);
    }
    EXPECT_EQ(finish(*sub), 0) << describe(*sub);
    EXPECT_EQ(message_lines(*sub), (std::vector<std::string>{"0 " + topic + " over ws at qos 0",
                                                             "1 " + topic + " over ws at qos 1"}));
}

TEST_F(PahoWebSocket, MosquittoPubOnTheTcpListenerReachesASubscriberOverWs) {
    const std::string topic = "tcp/to-ws";
    auto sub = paho("ws_peer.py", {std::to_string(broker.ws_port()), "sub", topic, "2"});
    ASSERT_TRUE(sub->wait_for_output("subscribed\n", step)) << describe(*sub);
    for (const char* q : {"0", "1"}) {
        auto pub =
            mosquitto_tool("mosquitto_pub", broker.tcp_port(),
                           {"-q", q, "-t", topic, "-m", std::string("over tcp at qos ") + q});
        EXPECT_EQ(finish(*pub), 0) << describe(*pub);
    }
    run_to_end(*sub);
    EXPECT_EQ(sub->output(), "subscribed\n0 " + topic + " over tcp at qos 0\n1 " + topic +
                                 " over tcp at qos 1\nok\n");
}

}  // namespace
}  // namespace harness::broker_interop
