// The HTML report as a browser shows it: `mqtt-harness run --html` on real scenarios (one that
// passes, one that fails on purpose), the page loaded by headless Chromium (Debian's `chromium`)
// and the DOM it built checked for the sequence diagrams: an svg per scenario, a lifeline per
// client and the broker's, an arrow per traced PUBLISH, the failure marked. Skipped, saying so,
// only when chromium is not installed. And `report FILE.json --html` drawing the same page later.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include "harness/reports/json_report.hpp"
#include "harness/reports/trace_line.hpp"
#include "scenario_cli.hpp"
#include "support/temp_dir.hpp"

namespace harness::cli::testing {
namespace {

using test_support::temp_dir;

/// How many times `pattern` matches in `text`.
std::size_t matches(const std::string& text, const std::string& pattern) {
    const std::regex re(pattern);
    return static_cast<std::size_t>(
        std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

/// The part of `dom` from the scenario's <details id="scenario-N"> to the next one.
std::string scenario_part(const std::string& dom, std::size_t index) {
    const auto start = dom.find("id=\"scenario-" + std::to_string(index) + "\"");
    if (start == std::string::npos)
        return {};
    const auto end = dom.find("<details class=\"scenario", start);
    return dom.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

TEST(HtmlReportInBrowser, ChromiumRendersTheSequenceDiagramsOfARun) {
    const auto chromium = test_support::find_executable("chromium");
    if (!chromium)
        GTEST_SKIP() << "chromium is not installed (ci/install-deps.sh installs it): the HTML "
                        "report is not checked in a browser";
    temp_dir dir("html-browser-test");
    const auto html = dir.file("report.html");
    const auto json = dir.file("report.json");
    const auto run = run_harness({"run", source_path("scenarios/examples/tutorial.yaml"),
                                  source_path("scenarios/failing-examples/wrong_payload.yaml"),
                                  "--html", html, "--json", json, "--no-color"});
    ASSERT_EQ(run.status, 1) << run;  // wrong_payload fails on purpose
    const auto result = reports::read_json_report(read_text(json));
    ASSERT_EQ(result.scenarios.size(), 2u) << run;

    const auto browser = run_program(
        *chromium, {"--headless", "--no-sandbox", "--disable-gpu",
                    "--user-data-dir=" + dir.file("profile"), "--dump-dom", "file://" + html});
    ASSERT_EQ(browser.status, 0) << browser;
    const std::string& dom = browser.out;
    ASSERT_NE(dom.find("<svg class=\"sequence\""), std::string::npos) << dom.substr(0, 2000);

    for (std::size_t i = 0; i < result.scenarios.size(); ++i) {
        const auto& s = result.scenarios[i];
        SCOPED_TRACE(s.name);
        const auto part = scenario_part(dom, i);
        ASSERT_FALSE(part.empty()) << "no scenario-" << i << " in the rendered page";
        EXPECT_EQ(matches(part, "<svg class=\"sequence\""), 1u);
        std::size_t publishes = 0;
        for (const auto& e : s.trace) {
            const auto line = reports::parse_trace_line(e.actor, e.what);
            if (line.what != reports::trace_line::kind::packet)
                continue;
            EXPECT_NE(part.find("<g class=\"lifeline\" data-actor=\"" + e.actor + "\""),
                      std::string::npos)
                << "no lifeline for " << e.actor;
            publishes += line.type == "PUBLISH";
        }
        EXPECT_GE(publishes, 2u);  // each scenario publishes once and receives it
        EXPECT_EQ(matches(part, "<g class=\"arrow\" data-type=\"PUBLISH\""), publishes);
        EXPECT_EQ(matches(part, "<g class=\"lifeline\" data-actor=\"broker\""), 1u);
        const bool failed = s.outcome == runner::verdict::failed;
        // Where the failure happened: at the expect step, step 3 of wrong_payload.yaml.
        EXPECT_EQ(matches(part, "<g class=\"failure-mark\" data-step=\"3\""), failed ? 1u : 0u);
        EXPECT_EQ(matches(part, "<g class=\"failure-mark\""), failed ? 1u : 0u);
    }
    // And it paints: a screenshot of the page is an image of some size.
    const auto shot = dir.file("page.png");
    const auto painted =
        run_program(*chromium, {"--headless", "--no-sandbox", "--disable-gpu",
                                "--user-data-dir=" + dir.file("profile"), "--window-size=1200,1600",
                                "--screenshot=" + shot, "file://" + html});
    ASSERT_EQ(painted.status, 0) << painted;
    EXPECT_TRUE(read_text(shot).starts_with("\x89PNG"));
    EXPECT_GT(std::filesystem::file_size(shot), 20000u);
    // The clients the scenarios name have their lifelines.
    for (const char* client : {"subscriber", "publisher", "sensor", "display"})
        EXPECT_NE(dom.find("<g class=\"lifeline\" data-actor=\"" + std::string(client) + "\""),
                  std::string::npos)
            << client;
}

TEST(HtmlReportFromJson, ReportCommandDrawsTheSamePageFromASavedResult) {
    temp_dir dir("html-report-test");
    const auto run =
        run_harness({"run", source_path("scenarios/failing-examples/wrong_payload.yaml"), "--html",
                     dir.file("run.html"), "--json", dir.file("run.json"), "--no-color"});
    ASSERT_EQ(run.status, 1) << run;
    const auto again = run_harness(
        {"report", dir.file("run.json"), "--html", dir.file("again.html"), "--no-color"});
    EXPECT_EQ(again.status, 1) << again;  // the verdict of the saved run
    const auto page = read_text(dir.file("again.html"));
    EXPECT_NE(page.find("<g class=\"failure-mark\" data-step=\"3\""), std::string::npos);
    EXPECT_EQ(page, read_text(dir.file("run.html")));
}

}  // namespace
}  // namespace harness::cli::testing
