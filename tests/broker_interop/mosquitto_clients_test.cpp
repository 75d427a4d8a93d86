// mosquitto_pub and mosquitto_sub against the embedded broker at MQTT 3.1, 3.1.1 and 5.0: QoS 0/1/2
// delivered at the QoS granted, retained messages with the retain flag only where it belongs
// (-R hides them), wills on an abrupt end but not on a clean one, and the packets -d shows.
#include <gtest/gtest.h>

#include <csignal>

#include "harness/broker/server.hpp"
#include "peers.hpp"

namespace harness::broker_interop {
namespace {

/// "%r %q %t %p": retain flag, QoS, topic, payload.
const std::vector<std::string> flags_format = {"-F", "%r %q %t %p"};

std::vector<std::string> join(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

class MosquittoClients : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_sub"));
        ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_pub"));
    }

    /// mosquitto_sub at this test's version, with -d so that the SUBACK can be waited for.
    std::unique_ptr<child_process> subscribe(const std::vector<std::string>& args) {
        auto p =
            mosquitto_tool("mosquitto_sub", broker.port(), join({"-V", GetParam(), "-d"}, args));
        EXPECT_TRUE(p->wait_for_output("received SUBACK", step)) << describe(*p);
        return p;
    }

    /// Runs mosquitto_pub at this test's version to its end; its output.
    std::string publish(const std::vector<std::string>& args) {
        auto p = mosquitto_tool("mosquitto_pub", broker.port(), join({"-V", GetParam()}, args));
        EXPECT_EQ(finish(*p), 0) << describe(*p);
        return p->output();
    }

    /// Waits for a subscriber that was given -C to print its messages and exit.
    std::vector<std::string> lines_of(child_process& p) {
        EXPECT_EQ(finish(p), 0) << describe(p);
        return message_lines(p);
    }

    std::string topic(const std::string& name) const { return "mq/v" + GetParam() + "/" + name; }

    broker::embedded_broker broker;
};

TEST_P(MosquittoClients, EachQosIsDeliveredAtTheQosGranted) {
    const auto t = topic("qos");
    auto at_two = subscribe(join(flags_format, {"-t", t, "-q", "2", "-C", "3"}));
    auto at_one = subscribe(join(flags_format, {"-t", t, "-q", "1", "-C", "3"}));
    for (const char* q : {"0", "1", "2"})
        publish({"-t", t, "-q", q, "-m", std::string("at qos ") + q});
    EXPECT_EQ(lines_of(*at_two),
              (std::vector<std::string>{"0 0 " + t + " at qos 0", "0 1 " + t + " at qos 1",
                                        "0 2 " + t + " at qos 2"}));
    // [MQTT-3.8.4-8]: the lower of the message's QoS and the QoS granted.
    EXPECT_EQ(lines_of(*at_one),
              (std::vector<std::string>{"0 0 " + t + " at qos 0", "0 1 " + t + " at qos 1",
                                        "0 1 " + t + " at qos 2"}));
}

TEST_P(MosquittoClients, RetainedMessageReachesLaterSubscribersWithTheRetainFlag) {
    const auto t = topic("retained/kept");
    auto live = subscribe(join(flags_format, {"-t", t, "-q", "1", "-C", "1"}));
    publish({"-t", t, "-q", "1", "-r", "-m", "kept"});
    // [MQTT-3.3.1-9]: a subscription that existed when it was published gets retain 0.
    EXPECT_EQ(lines_of(*live), std::vector<std::string>{"0 1 " + t + " kept"});

    // [MQTT-3.3.1-8]: sent because of a new subscription, it carries retain 1.
    auto later = subscribe(join(flags_format, {"-t", t, "-q", "1", "-C", "1"}));
    EXPECT_EQ(lines_of(*later), std::vector<std::string>{"1 1 " + t + " kept"});

    // -R skips messages with retain 1: only the next live message is printed.
    auto fresh_only = subscribe(join(flags_format, {"-t", t, "-q", "1", "-C", "1", "-R"}));
    publish({"-t", t, "-q", "0", "-m", "fresh"});
    EXPECT_EQ(lines_of(*fresh_only), std::vector<std::string>{"0 0 " + t + " fresh"});

    // An empty retained message deletes it ([MQTT-3.3.1-10]): a wildcard subscriber then gets
    // only the other topic's retained message.
    const auto other = topic("retained/other");
    publish({"-t", other, "-q", "1", "-r", "-m", "other"});
    publish({"-t", t, "-q", "1", "-r", "-n"});
    auto wildcard = subscribe(join(flags_format, {"-t", topic("retained/#"), "-C", "1"}));
    EXPECT_EQ(lines_of(*wildcard), std::vector<std::string>{"1 0 " + other + " other"});
}

TEST_P(MosquittoClients, WillIsPublishedOnAnAbruptEndOnly) {
    const auto will_topic = topic("will");
    auto watcher = subscribe(join(flags_format, {"-t", will_topic, "-q", "1", "-C", "1"}));
    // A clean DISCONNECT discards the will ([MQTT-3.1.2-10]).
    publish({"-t", topic("other"), "-m", "x", "--will-topic", will_topic, "--will-payload",
             "clean exit", "--will-qos", "1"});
    auto victim = subscribe({"-t", topic("victim"), "--will-topic", will_topic, "--will-payload",
                             "gone", "--will-qos", "1"});
    victim->send_signal(SIGKILL);  // no DISCONNECT: the socket just closes
    EXPECT_EQ(lines_of(*watcher), std::vector<std::string>{"0 1 " + will_topic + " gone"});
}

TEST_P(MosquittoClients, DebugOutputShowsTheQos2FlowAndTheSubscription) {
    const auto t = topic("debug");
    auto sub = subscribe({"-t", t, "-q", "2", "-C", "1"});
    const auto pub = publish({"-d", "-t", t, "-q", "2", "-m", "exactly once"});
    std::size_t at = 0;
    for (const char* line :
         {"sending CONNECT", "received CONNACK", "sending PUBLISH (d0, q2", "received PUBREC",
          "sending PUBREL", "received PUBCOMP", "sending DISCONNECT"}) {
        const auto found = pub.find(line, at);
        ASSERT_NE(found, std::string::npos) << "no \"" << line << "\" in order in:\n" << pub;
        at = found;
    }
    EXPECT_EQ(finish(*sub), 0) << describe(*sub);
    const auto out = sub->output();
    const auto suback = out.find("received SUBACK");
    const auto message = out.find("received PUBLISH (d0, q2, r0, m1, '" + t + "'");
    ASSERT_NE(message, std::string::npos) << out;
    EXPECT_LT(suback, message);
    EXPECT_NE(out.find("\nexactly once\n"), std::string::npos) << out;
}

// 3.1 (MQIsdp) too: the broker speaks it, and mosquitto's clients still do.
INSTANTIATE_TEST_SUITE_P(Versions, MosquittoClients, ::testing::Values("31", "311", "5"),
                         [](const auto& info) { return "v" + info.param; });

}  // namespace
}  // namespace harness::broker_interop
