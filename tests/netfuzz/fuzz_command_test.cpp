// `mqtt-harness fuzz` as a user runs it: bad arguments and a broker that cannot start are exit
// status 2 with a message; a correct broker (Debian's mosquitto, started by --broker-cmd) fuzzed
// for a bounded number of cases gives no finding, a summary with sessions/s and a JUnit file
// with one passing test case; Ctrl-C ends a campaign with its summary and leaves no broker
// behind; `fuzz replay` of a harmless case says the broker survived.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "netfuzz_processes.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace {

using harness::test_support::child_process;
using harness::test_support::find_executable;
using harness::test_support::temp_dir;
using namespace std::chrono_literals;
using netfuzz_test::read_file;

netfuzz_test::outcome run_harness(std::vector<std::string> args,
                                  std::chrono::milliseconds limit = 120s) {
    return netfuzz_test::run_harness(std::move(args), limit);
}

TEST(FuzzCommand, WithoutABrokerIsAUsageError) {
    const auto r = run_harness({"fuzz", "--duration", "1s"});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("--broker"), std::string::npos) << r.err;
}

TEST(FuzzCommand, ABrokerCommandWithoutPortPlaceholderIsAUsageError) {
    const auto r = run_harness({"fuzz", "--broker-cmd", "mosquitto -p 1883"});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("{port}"), std::string::npos) << r.err;
}

TEST(FuzzCommand, ABrokerThatCannotStartIsReportedWithExitStatus2) {
    const auto r = run_harness(
        {"fuzz", "--broker-cmd", "echo no broker here {port}; exit 3", "--duration", "5s"});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("no broker here"), std::string::npos) << r.err;
}

TEST(FuzzCommand, AnUnreachableBrokerIsReportedWithExitStatus2) {
    const auto r = run_harness({"fuzz", "--broker", "mqtt://127.0.0.1:1", "--duration", "5s"});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("does not answer"), std::string::npos) << r.err;
}

TEST(FuzzCommand, MosquittoSurvivesABoundedCampaignAndTheJUnitSaysSo) {
    const auto mosquitto = find_executable("mosquitto");
    const auto sbin = std::filesystem::exists("/usr/sbin/mosquitto");
    if (!mosquitto && !sbin)
        GTEST_SKIP() << "mosquitto is not installed";
    temp_dir dir("fuzz-mosquitto");
    const auto program = mosquitto ? *mosquitto : std::string("/usr/sbin/mosquitto");
    const auto junit = (dir.path() / "fuzz.xml").string();
    const auto r = run_harness({"fuzz", "--broker-cmd", program + " -p {port}", "--max-sessions",
                                "3000", "--duration", "60s", "--seed", "5", "--out",
                                (dir.path() / "findings").string(), "--junit", junit});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("sessions in"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("; 0 finding(s)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("seed 5"), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "findings")) << "a finding was written";
    const auto xml = read_file(junit);
    EXPECT_NE(xml.find("no finding in"), std::string::npos) << xml;
    EXPECT_EQ(xml.find("<failure"), std::string::npos) << xml;
}

TEST(FuzzCommand, InterruptedItStopsWithASummaryAndNoBrokerLeftBehind) {
    temp_dir dir("fuzz-interrupt");
    const auto pid_file = (dir.path() / "broker.pid").string();
    // The broker writes its pid, so the test can see that it is gone afterwards.
    child_process p(
        MQTT_HARNESS_BINARY,
        {"fuzz", "--broker-cmd",
         std::string("echo $$ > ") + pid_file + "; exec " MQTT_HARNESS_BINARY " broker -p {port}",
         "--duration", "60s", "--out", (dir.path() / "findings").string()});
    // The campaign runs once the broker answers.
    ASSERT_TRUE(p.wait_for_output("the broker answers at", 30s)) << p.errors();
    p.send_signal(SIGINT);
    const auto status = p.wait_for(20s);
    ASSERT_TRUE(status.has_value()) << "still running after SIGINT";
    EXPECT_EQ(*status, 130) << p.errors();
    EXPECT_NE(p.output().find("sessions in"), std::string::npos) << p.output();
    const auto pid = std::stoi(read_file(pid_file));
    EXPECT_NE(::kill(pid, 0), 0) << "the broker " << pid << " outlived the fuzzer";
}

TEST(FuzzCommand, ReplayOfAHarmlessCaseSaysTheBrokerSurvived) {
    temp_dir dir("fuzz-replay");
    const auto file = dir.path() / "ok.case";
    {
        std::ofstream out(file);
        // CONNECT (3.1.1, client id "r"), PINGREQ.
        out << "# a harmless case\n0 101100044d5154540402003c000172  # CONNECT\n0 c000  # "
               "PINGREQ\n";
    }
    const auto r = run_harness(
        {"fuzz", "replay", file.string(), "--broker-cmd", MQTT_HARNESS_BINARY " broker -p {port}"});
    EXPECT_EQ(r.status, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("survived"), std::string::npos) << r.out;
}

TEST(FuzzCommand, ReplayOfAMissingFileIsAUsageError) {
    const auto r =
        run_harness({"fuzz", "replay", "/nonexistent.case", "--broker", "mqtt://127.0.0.1:1"});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("cannot read"), std::string::npos) << r.err;
}

}  // namespace
