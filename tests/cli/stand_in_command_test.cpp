// `mqtt-harness stand-in` against Debian's mosquitto: the request/response example's stand-in
// answers a 5.0 request sent with mosquitto_pub (no topic prefix in this mode) on the request's
// response topic with its correlation data, and Ctrl-C or the end of --duration stops it with
// status 0.
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "scenario_cli.hpp"
#include "support/mosquitto_broker.hpp"

namespace harness::cli::testing {
namespace {

using namespace std::chrono_literals;
using test_support::mosquitto_broker;

const std::string request_response = source_path("scenarios/examples/request_response.yaml");

std::string broker_url(const mosquitto_broker& b) {
    return "mqtt://127.0.0.1:" + std::to_string(b.port());
}

/// Debian's mosquitto_pub/_sub against `b`, line-buffered so -d output arrives as it happens.
std::unique_ptr<child_process> mosquitto_client(const std::string& tool, const mosquitto_broker& b,
                                                std::vector<std::string> args) {
    std::vector<std::string> all = {"-oL", tool, "-h", "127.0.0.1", "-p", std::to_string(b.port()),
                                    "-V",  "5"};
    all.insert(all.end(), args.begin(), args.end());
    return std::make_unique<child_process>("stdbuf", all);
}

TEST(StandInCommand, AnswersARequestOnItsResponseTopicAndStopsOnInterrupt) {
    mosquitto_broker broker;
    auto stand_in = start_harness(
        {"stand-in", request_response, "--broker", broker_url(broker), "--duration", "20s"});
    ASSERT_TRUE(stand_in->wait_for_output("listening", line_bound))
        << "stdout:\n"
        << stand_in->output() << "\nstderr:\n"
        << stand_in->errors();

    auto replies = mosquitto_client("mosquitto_sub", broker,
                                    {"-d", "-t", "replies/cli-test", "-C", "1", "-W", "30", "-F",
                                     "reply on %t: %p correlation=%D"});
    ASSERT_TRUE(replies->wait_for_output("received SUBACK", line_bound))
        << replies->output() << replies->errors();
    auto request =
        mosquitto_client("mosquitto_pub", broker,
                         {"-t", "service/clock/request", "-q", "1", "-m",
                          R"({"query":"time","id":7})", "-D", "publish", "response-topic",
                          "replies/cli-test", "-D", "publish", "correlation-data", "corr-42"});
    const auto sent = finish(*request);
    EXPECT_EQ(sent.status, 0) << sent;

    const auto reply = finish(*replies);
    EXPECT_EQ(reply.status, 0) << reply;
    EXPECT_NE(reply.out.find("reply on replies/cli-test: {"), std::string::npos) << reply;
    EXPECT_NE(reply.out.find(R"("service":"clock")"), std::string::npos) << reply;
    EXPECT_NE(reply.out.find(R"("echo":"time")"), std::string::npos) << reply;
    EXPECT_NE(reply.out.find(R"("status":"ok")"), std::string::npos) << reply;
    EXPECT_NE(reply.out.find("correlation=corr-42"), std::string::npos) << reply;
    EXPECT_TRUE(stand_in->wait_for_output(R"(reacts to "service/clock/request")", line_bound))
        << stand_in->output();

    stand_in->send_signal(SIGINT);
    const auto r = finish(*stand_in, 5s);
    EXPECT_EQ(r.status, 0) << r;
}

TEST(StandInCommand, EndsWithStatusZeroWhenTheDurationIsOver) {
    mosquitto_broker broker;
    const auto r = run_harness(
        {"stand-in", request_response, "--broker", broker_url(broker), "--duration", "500ms"});
    EXPECT_EQ(r.status, 0) << r;
    EXPECT_NE(r.out.find("listening"), std::string::npos) << r;
}

TEST(StandInCommand, FileWithoutStandInsExitsTwo) {
    const auto r = run_harness({"stand-in", source_path("scenarios/examples/tutorial.yaml"),
                                "--broker", "mqtt://127.0.0.1:1"});
    EXPECT_EQ(r.status, 2) << r;
    EXPECT_NE(r.err.find("no scenario with stand-ins selected"), std::string::npos) << r;
}

}  // namespace
}  // namespace harness::cli::testing
