// The console reporter: a PASS/FAIL/ERROR/SKIP line per scenario, the summary, the detail of a
// failure (expected beside seen, step, last packets, log tail), colours only when asked, and no
// raw control characters from results on the terminal.
#include <gtest/gtest.h>

#include <locale>
#include <sstream>
#include <string>

#include "harness/reports/console.hpp"
#include "sample_run.hpp"

namespace harness::reports::testing {
namespace {

std::string progress(const scenario_result& s, bool color = false) {
    std::ostringstream out;
    print_progress(out, s, color);
    return out.str();
}

std::string failure_detail(const scenario_result& s, bool color = false) {
    std::ostringstream out;
    print_failure(out, s, color);
    return out.str();
}

std::string summary(const run_result& run, bool color = false) {
    std::ostringstream out;
    print_summary(out, run, color);
    return out.str();
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(ConsoleProgress, PassLineNamesFileScenarioAndTime) {
    EXPECT_EQ(progress(passed_scenario()),
              "PASS  scenarios/examples/tutorial.yaml \u203a coffee time  (0.04 s)\n");
}

TEST(ConsoleProgress, FailLineCarriesTheAttemptAndTheMessageBelow) {
    EXPECT_EQ(progress(failed_scenario()),
              "FAIL  scenarios/examples/tutorial.yaml \u203a retained <last> & \"quoted\" "
              "'value' (attempt 2)  (2.01 s)\n"
              "      step 4 (expect at tutorial.yaml:23:7): no message on t/1 within 2 s\n");
}

TEST(ConsoleProgress, ErrorAndSkipLines) {
    EXPECT_EQ(progress(error_scenario()),
              "ERROR scenarios/faults/kill.yaml \u203a unreachable broker  (0.50 s)\n"
              "      connect to tcp://127.0.0.1:1 refused\n");
    EXPECT_EQ(progress(skipped_scenario()),
              "SKIP  scenarios/faults/kill.yaml \u203a kill broker  "
              "(fault injection needs the embedded broker)\n");
}

TEST(ConsoleProgress, ColoursOnlyWhenAsked) {
    EXPECT_FALSE(contains(progress(passed_scenario(), false), "\x1b"));
    const auto coloured = progress(passed_scenario(), true);
    EXPECT_TRUE(contains(coloured, "\x1b[32mPASS \x1b[0m")) << coloured;
    EXPECT_TRUE(contains(progress(failed_scenario(), true), "\x1b[31mFAIL "));
}

TEST(ConsoleSummary, CountsEachVerdictAndTotalTime) {
    const auto text = summary(sample_run());
    EXPECT_TRUE(contains(text, "4 scenarios: 1 passed, 1 failed, 1 error, 1 skipped in 4.75 s\n"))
        << text;
    EXPECT_TRUE(contains(text, "seed 1234567, broker embedded\n")) << text;
    EXPECT_FALSE(contains(text, "interrupted"));
    EXPECT_FALSE(contains(text, "\x1b"));
}

TEST(ConsoleSummary, SaysWhenTheRunWasInterrupted) {
    auto run = sample_run();
    run.interrupted = true;
    EXPECT_TRUE(contains(summary(run), "interrupted"));
}

TEST(ConsoleSummary, NumbersIgnoreTheStreamLocale) {
    struct grouping : std::numpunct<char> {
        char do_decimal_point() const override { return ','; }
        char do_thousands_sep() const override { return '.'; }
        std::string do_grouping() const override { return "\3"; }
    };
    auto run = sample_run();
    run.seconds = 1234.5;
    std::ostringstream out;
    out.imbue(std::locale(std::locale::classic(), new grouping));
    print_summary(out, run, false);
    EXPECT_TRUE(contains(out.str(), " in 1234.50 s")) << out.str();
    EXPECT_TRUE(contains(out.str(), "seed 1234567")) << out.str();
}

TEST(ConsoleFailure, ShowsMessageStepExpectedAndEachSeenMessage) {
    const auto text = failure_detail(failed_scenario());
    EXPECT_TRUE(contains(text, "=== FAIL  scenarios/examples/tutorial.yaml \u203a retained"))
        << text;
    EXPECT_TRUE(contains(text, "\n  step 4 (expect at tutorial.yaml:23:7): no message on t/1"));
    EXPECT_TRUE(contains(text, "\n  at tutorial.yaml:23:7, expect step\n")) << text;
    EXPECT_TRUE(contains(text, "  expected:\n    a message on t/1\n    with payload \"on\"\n"))
        << text;
    EXPECT_TRUE(contains(text,
                         "  seen:\n"
                         "    +1.234 s  t/1  \"off\"  qos 1  retain  (payload differs)\n"
                         "    +1.500 s  t/1  hex:00ff10  qos 0\n"))
        << text;
}

TEST(ConsoleFailure, ShowsTheLastPacketsAndTheTailOfComponentLogs) {
    const auto text = failure_detail(failed_scenario());
    EXPECT_TRUE(contains(text,
                         "  last packets:\n"
                         "    bob: -> SUBSCRIBE t/1 q1\n"
                         "    bob: <- SUBACK granted=1\n"))
        << text;
    EXPECT_TRUE(
        contains(text, "component broker: mosquitto -c b.conf (exit status 1), last lines:"))
        << text;
    EXPECT_TRUE(contains(text, "    broker line 11\n"));
    EXPECT_TRUE(contains(text, "    broker line 30\n"));
    EXPECT_FALSE(contains(text, "broker line 10\n")) << "only the last 20 lines";
    EXPECT_TRUE(contains(text, "component logger: ./logger, no output\n")) << text;
}

TEST(ConsoleFailure, SaysNothingWasSeenWhenNothingArrived) {
    auto s = failed_scenario();
    s.fail->seen.clear();
    EXPECT_TRUE(contains(failure_detail(s), "  seen:\n    nothing\n"));
}

TEST(ConsoleFailure, NothingForPassedOrSkippedScenarios) {
    EXPECT_EQ(failure_detail(passed_scenario()), "");
    EXPECT_EQ(failure_detail(skipped_scenario()), "");
}

TEST(ConsoleFailure, ErrorWithoutDetailSaysSo) {
    auto s = error_scenario();
    s.fail.reset();
    EXPECT_TRUE(contains(failure_detail(s), "=== ERROR scenarios/faults/kill.yaml"));
    EXPECT_TRUE(contains(failure_detail(s), "(no detail recorded)"));
}

TEST(ConsoleFailure, ControlCharactersFromResultsAreShownEscaped) {
    auto s = failed_scenario();
    s.fail->seen[0].payload = "\x1b[2Jwiped";
    s.components[0].output = "\x1b]0;title\x07\r\n";
    const auto text = failure_detail(s, false);
    EXPECT_FALSE(contains(text, "\x1b")) << text;
    EXPECT_FALSE(contains(text, "\x07"));
    EXPECT_TRUE(contains(text, "\\x1b[2Jwiped")) << text;
    EXPECT_TRUE(contains(text, "    \\x1b]0;title\\x07\n")) << text;
}

TEST(ConsoleReport, PrintsEveryFailureThenTheSummary) {
    std::ostringstream out;
    print_report(out, sample_run(), false);
    const auto text = out.str();
    const auto fail = text.find("=== FAIL ");
    const auto error = text.find("=== ERROR ");
    const auto total = text.find("4 scenarios:");
    EXPECT_NE(fail, std::string::npos) << text;
    EXPECT_NE(error, std::string::npos) << text;
    EXPECT_LT(fail, error);
    EXPECT_LT(error, total);
    EXPECT_FALSE(contains(text, "coffee time")) << "passed scenarios have no detail";
}

}  // namespace
}  // namespace harness::reports::testing
