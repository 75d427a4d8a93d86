// `mqtt-harness pub` and `sub` against Debian's mosquitto and its own clients: every transport
// (TCP, WebSocket, TLS, secure WebSocket) at 3.1.1 and 5.0, QoS 2, retained messages, wills,
// 5.0 properties, session resumption, and the failures a user meets.
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

constexpr auto step = 15s;  // bound on every wait

std::vector<std::string> join(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

std::unique_ptr<child_process> harness(const std::vector<std::string>& args) {
    return std::make_unique<child_process>(MQTT_HARNESS_BINARY, args);
}

std::unique_ptr<child_process> mosquitto(const std::string& tool,
                                         const std::vector<std::string>& args) {
    return std::make_unique<child_process>("stdbuf",
                                           join({"-oL", tool}, args));  // line-buffered -d
}

/// Waits for a process to exit and returns its status; fails the test when it does not.
int finish(child_process& p) {
    const auto status = p.wait_for(step);
    EXPECT_TRUE(status.has_value())
        << p.command() << " did not exit\nstdout: " << p.output() << "\nstderr: " << p.errors();
    return status.value_or(-1);
}

/// Waits until a subscriber printed its SUBACK (-d output), so messages published next reach it.
void wait_subscribed(child_process& p) {
    ASSERT_TRUE(p.wait_for_output("received SUBACK", step))
        << p.command() << " never subscribed\nstdout: " << p.output() << "\nstderr: " << p.errors();
}

std::string version_flag(int version) {
    return version == 5 ? "5" : "311";
}
std::string mosquitto_version(int version) {
    return version == 5 ? "mqttv5" : "mqttv311";
}

struct transport_case {
    transport_kind kind;
    int version;
};

std::string case_name(const ::testing::TestParamInfo<transport_case>& info) {
    return to_string(info.param.kind) + "_v" + version_flag(info.param.version);
}

class PubSubTransport : public ::testing::TestWithParam<transport_case> {};

TEST_P(PubSubTransport, PubReachesMosquittoSub) {
    const auto& b = shared_pub_sub_broker();
    const auto [kind, version] = GetParam();
    const std::string topic = "pubsub/pub/" + case_name({GetParam(), 0});
    auto sub = mosquitto("mosquitto_sub",
                         join(b.mosquitto_target(), {"-d", "-V", mosquitto_version(version), "-t",
                                                     topic, "-C", "1", "-q", "1"}));
    wait_subscribed(*sub);
    auto pub = harness(
        join(join({"pub"}, b.harness_target(kind)), {"-V", version_flag(version), "-t", topic, "-m",
                                                     "hello over " + to_string(kind), "-q", "1"}));
    EXPECT_EQ(finish(*pub), 0) << pub->errors();
    EXPECT_EQ(finish(*sub), 0);
    EXPECT_NE(sub->output().find("hello over " + to_string(kind)), std::string::npos)
        << sub->output();
}

TEST_P(PubSubTransport, MosquittoPubReachesSub) {
    const auto& b = shared_pub_sub_broker();
    const auto [kind, version] = GetParam();
    const std::string topic = "pubsub/sub/" + case_name({GetParam(), 0});
    auto sub = harness(join(join({"sub"}, b.harness_target(kind)),
                            {"-d", "-V", version_flag(version), "-t", topic, "-C", "1", "-v"}));
    wait_subscribed(*sub);
    auto pub = mosquitto("mosquitto_pub",
                         join(b.mosquitto_target(), {"-V", mosquitto_version(version), "-t", topic,
                                                     "-m", "from mosquitto_pub"}));
    EXPECT_EQ(finish(*pub), 0);
    EXPECT_EQ(finish(*sub), 0) << sub->errors();
    EXPECT_NE(sub->output().find(topic + " from mosquitto_pub"), std::string::npos)
        << sub->output();
}

INSTANTIATE_TEST_SUITE_P(AllTransports, PubSubTransport,
                         ::testing::Values(transport_case{transport_kind::tcp, 4},
                                           transport_case{transport_kind::tcp, 5},
                                           transport_case{transport_kind::ws, 4},
                                           transport_case{transport_kind::ws, 5},
                                           transport_case{transport_kind::tls, 4},
                                           transport_case{transport_kind::tls, 5},
                                           transport_case{transport_kind::wss, 4},
                                           transport_case{transport_kind::wss, 5}),
                         case_name);

TEST(PubSub, Qos2FlowAndRetainedMessage) {
    const auto& b = shared_pub_sub_broker();
    const std::string topic = "pubsub/retained/qos2";
    auto pub = harness(join(join({"pub"}, b.harness_target(transport_kind::tcp)),
                            {"-d", "-t", topic, "-m", "kept", "-q", "2", "-r"}));
    ASSERT_EQ(finish(*pub), 0) << pub->errors();
    for (const char* step_name :
         {"sending PUBLISH (d0, q2, r1", "received PUBREC", "sending PUBREL", "received PUBCOMP"}) {
        EXPECT_NE(pub->output().find(step_name), std::string::npos) << step_name << "\n"
                                                                    << pub->output();
    }
    auto sub = harness(join(join({"sub"}, b.harness_target(transport_kind::tcp)),
                            {"-t", topic, "-C", "1", "-q", "2", "--json"}));
    ASSERT_EQ(finish(*sub), 0) << sub->errors();
    const auto message = json::parse(sub->output()).as_object();
    EXPECT_EQ(message.at("payload"), "kept");
    EXPECT_EQ(message.at("retain"), true);
    EXPECT_EQ(message.at("qos"), 2);
    // Clean up: an empty retained message deletes it.
    auto clear = harness(
        join(join({"pub"}, b.harness_target(transport_kind::tcp)), {"-t", topic, "-n", "-r"}));
    EXPECT_EQ(finish(*clear), 0);
}

TEST(PubSub, WillIsDeliveredWhenTheClientDiesAbruptly) {
    const auto& b = shared_pub_sub_broker();
    auto watcher = mosquitto(
        "mosquitto_sub", join(b.mosquitto_target(), {"-d", "-t", "pubsub/will", "-C", "1", "-v"}));
    wait_subscribed(*watcher);
    auto dying = harness(join(join({"sub"}, b.harness_target(transport_kind::tcp)),
                              {"-d", "-t", "pubsub/nothing", "--will-topic", "pubsub/will",
                               "--will-payload", "client gone", "--will-qos", "1"}));
    wait_subscribed(*dying);
    dying->stop(0ms);  // no DISCONNECT: the broker must send the will
    EXPECT_EQ(finish(*watcher), 0);
    EXPECT_NE(watcher->output().find("pubsub/will client gone"), std::string::npos)
        << watcher->output();
}

TEST(PubSub, V5PropertiesRoundTrip) {
    const auto& b = shared_pub_sub_broker();
    const std::string topic = "pubsub/properties";
    auto sub = harness(join(join({"sub"}, b.harness_target(transport_kind::tcp)),
                            {"-d", "-t", topic, "-C", "1", "--json"}));
    wait_subscribed(*sub);
    auto pub = harness(
        join(join({"pub"}, b.harness_target(transport_kind::ws)), {"-t",
                                                                   topic,
                                                                   "-m",
                                                                   "{\"t\":21.5}",
                                                                   "-q",
                                                                   "1",
                                                                   "-D",
                                                                   "publish",
                                                                   "user-property",
                                                                   "first",
                                                                   "1",
                                                                   "-D",
                                                                   "publish",
                                                                   "user-property",
                                                                   "second",
                                                                   "2",
                                                                   "-D",
                                                                   "publish",
                                                                   "user-property",
                                                                   "first",
                                                                   "3",
                                                                   "-D",
                                                                   "publish",
                                                                   "correlation-data",
                                                                   "req-42",
                                                                   "-D",
                                                                   "publish",
                                                                   "response-topic",
                                                                   "pubsub/replies",
                                                                   "-D",
                                                                   "publish",
                                                                   "content-type",
                                                                   "application/json",
                                                                   "-D",
                                                                   "publish",
                                                                   "message-expiry-interval",
                                                                   "120"}));
    ASSERT_EQ(finish(*pub), 0) << pub->errors();
    ASSERT_EQ(finish(*sub), 0) << sub->errors();
    const auto out = sub->output();
    const auto start = out.find('{');
    ASSERT_NE(start, std::string::npos) << out;
    const auto line = out.substr(start, out.find('\n', start) - start);
    const auto message = json::parse(line).as_object();
    const auto& props = message.at("properties").as_object();
    EXPECT_EQ(props.at("user_property"),
              json::parse(R"([["first","1"],["second","2"],["first","3"]])"));
    EXPECT_EQ(props.at("correlation_data"), "7265712d3432");  // "req-42"
    EXPECT_EQ(props.at("response_topic"), "pubsub/replies");
    EXPECT_EQ(props.at("content_type"), "application/json");
    const auto expiry = props.at("message_expiry_interval").as_int64();
    EXPECT_GT(expiry, 100);
    EXPECT_LE(expiry, 120);
    EXPECT_EQ(message.at("payload"), "{\"t\":21.5}");
}

TEST(PubSub, SessionResumesWithMessagesPublishedWhileAway) {
    const auto& b = shared_pub_sub_broker();
    const std::vector<std::string> session = {"-i", "resume-client", "-c", "-x", "300", "-q", "1",
                                              "-t", "pubsub/resume"};
    auto first =
        harness(join(join({"sub"}, b.harness_target(transport_kind::tcp)), join(session, {"-E"})));
    ASSERT_EQ(finish(*first), 0) << first->errors();
    auto pub = mosquitto("mosquitto_pub", join(b.mosquitto_target(), {"-t", "pubsub/resume", "-q",
                                                                      "1", "-m", "while away"}));
    ASSERT_EQ(finish(*pub), 0);
    auto second = harness(
        join(join({"sub"}, b.harness_target(transport_kind::tcp)), join(session, {"-C", "1"})));
    ASSERT_EQ(finish(*second), 0) << second->errors();
    EXPECT_EQ(second->output(), "while away\n");
}

TEST(PubSub, WrongPasswordGivesTheBrokersReasonCodeAsExitStatus) {
    const auto& b = shared_pub_sub_broker();
    const auto port = std::to_string(b.secured->port());
    for (const char* version : {"mqttv311", "mqttv5"}) {
        auto peer = mosquitto("mosquitto_pub", {"-h", "127.0.0.1", "-p", port, "-V", version, "-u",
                                                "alice", "-P", "wrong", "-t", "x", "-m", "y"});
        const int expected = finish(*peer);
        ASSERT_NE(expected, 0);
        auto ours = harness({"pub", "-h", "127.0.0.1", "-p", port, "-V",
                             std::string(version) == "mqttv5" ? "5" : "311", "-u", "alice", "-P",
                             "wrong", "-t", "x", "-m", "y"});
        EXPECT_EQ(finish(*ours), expected) << version << ": " << ours->errors();
        EXPECT_NE(ours->errors().find("refused"), std::string::npos) << ours->errors();
    }
    auto right = harness({"pub", "-h", "127.0.0.1", "-p", port, "-u", "alice", "-P", alice_password,
                          "-t", "x", "-m", "y"});
    EXPECT_EQ(finish(*right), 0) << right->errors();
}

TEST(PubSub, UnreachableBrokerFailsClearlyWithinTheTimeout) {
    const auto start = std::chrono::steady_clock::now();
    auto pub =
        harness({"pub", "-h", "127.0.0.1", "-p", "1", "--timeout", "3", "-t", "x", "-m", "y"});
    EXPECT_EQ(finish(*pub), 1);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_NE(pub->errors().find("refused"), std::string::npos) << pub->errors();
}

TEST(PubSub, TlsVerificationFailureIsNamed) {
    const auto& b = shared_pub_sub_broker();
    auto pub = harness({"pub", "-L", "mqtts://localhost:" + std::to_string(b.open->port(2)),
                        "--cafile", b.certs.other_ca, "--timeout", "3", "-t", "x", "-m", "y"});
    EXPECT_EQ(finish(*pub), 1);
    EXPECT_NE(pub->errors().find("verif"), std::string::npos) << pub->errors();
}

TEST(PubSub, SubTimeoutExitsWith27) {
    const auto& b = shared_pub_sub_broker();
    auto sub = harness(join(join({"sub"}, b.harness_target(transport_kind::tcp)),
                            {"-t", "pubsub/silence", "-W", "1"}));
    EXPECT_EQ(finish(*sub), 27);
}

TEST(PubSub, BadOptionsExit2WithAMessage) {
    auto a = harness({"pub", "-t", "x", "-m", "y", "-q", "3"});
    EXPECT_EQ(finish(*a), 2);
    auto c =
        harness({"pub", "-t", "x", "-m", "y", "-D", "publish", "session-expiry-interval", "5"});
    EXPECT_EQ(finish(*c), 2);
    EXPECT_NE(c->errors().find("not allowed in PUBLISH"), std::string::npos) << c->errors();
    auto d = harness({"pub", "-t", "x"});
    EXPECT_EQ(finish(*d), 2);
    EXPECT_NE(d->errors().find("exactly one of -m"), std::string::npos) << d->errors();
}

TEST(PubSub, PayloadTemplateCountAndRate) {
    const auto& b = shared_pub_sub_broker();
    auto sub = harness(join(join({"sub"}, b.harness_target(transport_kind::tcp)),
                            {"-d", "-t", "pubsub/seq", "-C", "3"}));
    wait_subscribed(*sub);
    auto pub = harness(join(join({"pub"}, b.harness_target(transport_kind::tcp)),
                            {"-t", "pubsub/seq", "--count", "3", "--rate", "50",
                             "--payload-template", "n={seq}", "-q", "1"}));
    ASSERT_EQ(finish(*pub), 0) << pub->errors();
    ASSERT_EQ(finish(*sub), 0);
    const auto out = sub->output();
    const auto a = out.find("n=0\n"), c = out.find("n=1\n"), d = out.find("n=2\n");
    EXPECT_TRUE(a != std::string::npos && c != std::string::npos && d != std::string::npos &&
                a < c && c < d)
        << out;
}

}  // namespace
}  // namespace harness::cli::testing
