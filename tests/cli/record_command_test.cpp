// `mqtt-harness record` against a running system: the embedded broker (`broker -p 0`) and a
// stand-in that answers demo/cmd with a JSON reply (a timestamp and a UUID in it) and a binary
// one. The recorder is started, a retained message and $SYS traffic are around, a trigger is
// injected with `mqtt-harness pub`; the written scenario validates, holds the trigger publish and
// the expectations (JSON subset, hex), no $SYS, and replays green against the running system
// and red once the system is stopped. Synchronised on output lines only.
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "scenario_cli.hpp"
#include "support/temp_dir.hpp"

namespace harness::cli::testing {
namespace {

using namespace std::chrono_literals;
using test_support::temp_dir;

const char* const system_scenario = R"(name: demo system
stand_ins:
  - name: device
    on: {topic: demo/cmd}
    publish:
      - topic: demo/reply
        qos: 1
        payload:
          json: {status: ok, echo: "{{trigger.json.cmd}}", at: "{{now_iso}}", id: "{{uuid}}"}
      - topic: demo/blob
        payload: {hex: "de ad be ef 00"}
steps:
  - sleep: 10ms
)";

/// The embedded broker on a free port, and the system (a stand-in) reacting on it.
class RecordCommand : public ::testing::Test {
  protected:
    void SetUp() override {
        broker_ = start_harness({"broker", "-p", "0", "--sys-interval", "1"});
        ASSERT_TRUE(broker_->wait_for_output("listening on mqtt://", line_bound))
            << broker_->errors();
        ASSERT_TRUE(broker_->wait_for_output("\n", line_bound)) << broker_->errors();
        const auto out = broker_->output();
        const auto at = out.find("mqtt://");
        url_ = out.substr(at, out.find('\n', at) - at);
        system_ = start_harness(
            {"stand-in", dir_.write("system.yaml", system_scenario), "--broker", url_});
        ASSERT_TRUE(system_->wait_for_output("listening", line_bound))
            << system_->output() << system_->errors();
    }

    /// Records while a retained message is present and a trigger is injected.
    command_result record(std::vector<std::string> extra) {
        const auto retained = run_harness(
            {"pub", "-L", url_, "-t", "demo/config", "-m", "mode=auto", "-r", "-q", "1"});
        EXPECT_EQ(retained.status, 0) << retained;
        // Everything under # and $SYS/# (to be left out); a generous floor for loaded CI hosts.
        std::vector<std::string> args = {"record", "--broker", url_, "-t", "#", "-t", "$SYS/#"};
        for (const auto& more : {"-C", "3", "--duration", "60s", "--floor", "2s", "--name", "demo"})
            args.emplace_back(more);
        args.insert(args.end(), {"-o", file_});
        args.insert(args.end(), extra.begin(), extra.end());
        auto recorder = start_harness(args);
        EXPECT_TRUE(recorder->wait_for_output("subscribed to", line_bound))
            << recorder->output() << recorder->errors();
        const auto trigger = run_harness(
            {"pub", "-L", url_, "-t", "demo/cmd", "-q", "1", "-m", R"({"cmd":"start","n":1})"});
        EXPECT_EQ(trigger.status, 0) << trigger;
        return finish(*recorder);
    }

    temp_dir dir_{"record-cli"};
    std::string file_ = dir_.file("recorded.yaml");
    std::unique_ptr<child_process> broker_;
    std::unique_ptr<child_process> system_;
    std::string url_;
};

TEST_F(RecordCommand, WritesAScenarioThatValidatesAndReplaysGreenAndRedWithoutTheSystem) {
    const auto r = record({"--trigger", "demo/cmd"});
    ASSERT_EQ(r.status, 0) << r;
    const auto text = read_text(file_);
    EXPECT_NE(text.find("name: demo"), std::string::npos) << text;
    // The retained message is set up, the trigger published, the reactions expected.
    EXPECT_NE(text.find("topic: demo/config\n      payload: mode=auto"), std::string::npos) << text;
    EXPECT_NE(text.find("client: publisher\n      topic: demo/cmd\n      payload: {json: "
                        "{cmd: start, n: 1}}"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("json: {status: ok, echo: start}}"), std::string::npos) << text;
    EXPECT_NE(text.find("$.at (ISO timestamp), $.id (UUID)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"(hex: "de ad be ef 00")"), std::string::npos) << text;
    EXPECT_EQ(count_of(text, "- expect:"), 1u) << text;
    EXPECT_EQ(text.find("$SYS"), std::string::npos) << text;

    const auto valid = run_harness({"validate", file_});
    EXPECT_EQ(valid.status, 0) << valid << "\n" << text;

    const auto green = run_harness({"run", file_, "--broker", url_, "--no-topic-prefix"});
    EXPECT_EQ(green.status, 0) << green << "\n" << text;

    system_->send_signal(SIGINT);
    EXPECT_EQ(finish(*system_, 10s).status, 0);
    const auto red = run_harness({"run", file_, "--broker", url_, "--no-topic-prefix"});
    EXPECT_EQ(red.status, 1) << red << "\n" << text;
}

TEST_F(RecordCommand, WithoutTriggerFiltersTheFirstMessageOfABurstIsTheTrigger) {
    const auto r = record({"--retained", "ignore"});
    ASSERT_EQ(r.status, 0) << r;
    const auto text = read_text(file_);
    EXPECT_EQ(text.find("demo/config"), std::string::npos) << text;
    EXPECT_NE(text.find("topic: demo/cmd"), std::string::npos) << text;
    EXPECT_NE(text.find("topic: demo/reply"), std::string::npos) << text;
    const auto green = run_harness({"run", file_, "--broker", url_, "--no-topic-prefix"});
    EXPECT_EQ(green.status, 0) << green << "\n" << text;
}

TEST(RecordCommandErrors, AnUnreachableBrokerExitsTwoAndWritesNothing) {
    temp_dir dir("record-cli");
    const auto file = dir.file("none.yaml");
    const auto r = run_harness({"record", "--broker", "mqtt://127.0.0.1:1", "-t", "#", "--duration",
                                "1s", "-o", file, "--timeout", "5"});
    EXPECT_EQ(r.status, 2) << r;
    EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r;
    EXPECT_TRUE(read_text(file).empty());
}

TEST(RecordCommandErrors, AProtocolBelowFiveIsAUsageError) {
    const auto r =
        run_harness({"record", "--broker", "mqtt://127.0.0.1:1", "-t", "#", "-V", "311"});
    EXPECT_EQ(r.status, 2) << r;
    EXPECT_NE(r.err.find("MQTT 5.0"), std::string::npos) << r;
}

}  // namespace
}  // namespace harness::cli::testing
