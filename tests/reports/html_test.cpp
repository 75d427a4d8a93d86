// The HTML report: a well-formed, self-contained page (nothing fetched), the run's summary,
// failures listed first, a sequence diagram per scenario with an arrow per traced packet, a
// lifeline per actor and the failure marked where it happened, escaping of everything that comes
// from a run, collapsible component logs, and long traces cut with a note.
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harness/reports/html.hpp"
#include "sample_run.hpp"
#include "support/temp_dir.hpp"

namespace harness::reports::testing {
namespace {

/// A run as the runner traces it: request/response with a stand-in and a component, failing at
/// step 3 with a near miss, then the clients' DISCONNECTs.
run_result traced_run() {
    scenario_result s;
    s.file = "scenarios/rr.yaml";
    s.name = "request <reply>";
    s.outcome = verdict::failed;
    s.seconds = 1.05;
    s.trace = {
        {0.001, "svc", "started: ./svc"},
        {0.005, "app", "-> CONNECT v5 id=\"app-1\" clean=true keep_alive=60"},
        {0.006, "app", "<- CONNACK Success session_present=false"},
        {0.008, "stand-in-clock", "-> CONNECT v5 id=\"stand-in-clock-1\" clean=true keep_alive=60"},
        {0.009, "stand-in-clock", "<- CONNACK Success session_present=false"},
        {0.011, "steps", "step 1: subscribe (scenarios/rr.yaml:30:5)"},
        {0.011, "app", "-> SUBSCRIBE id=1 \"replies/app\" q1"},
        {0.012, "app", "<- SUBACK id=1 [Granted QoS 1]"},
        {0.012, "steps", "step 2: publish (scenarios/rr.yaml:31:5)"},
        {0.013, "app",
         "-> PUBLISH q1 id=2 \"service/req\" \"{\"q\":\"time\"}\" "
         "content_type=\"application/json\""},
        {0.014, "stand-in-clock", "<- PUBLISH q1 id=1 \"service/req\" \"{\"q\":\"time\"}\""},
        {0.015, "clock", "stand-in reacts to \"service/req\": publishes to \"replies/app\""},
        {0.016, "steps", "step 3: expect (scenarios/rr.yaml:40:5)"},
        {1.016, "steps", "step 3 failed"},
        {1.017, "app", "-> DISCONNECT Normal disconnection"},
        {1.018, "stand-in-clock", "-> DISCONNECT Normal disconnection"},
    };
    runner::failure f;
    f.message = "step 3 (expect at scenarios/rr.yaml:40:5): no reply within 1 s";
    f.expected = "on client app, within 1 s:\n  1× topic \"replies/app\"";
    f.seen = {{0.5, "replies/other", "late", 0, false, "topic differs"}};
    f.step = "expect";
    f.where = "scenarios/rr.yaml:40:5";
    s.fail = f;
    s.components = {{"svc", "./svc", 0, "[stdout] up\n"}};
    run_result run;
    run.scenarios = {s};
    run.broker = "embedded";
    return run;
}

pugi::xml_document parsed(const std::string& html) {
    pugi::xml_document doc;
    const auto r = doc.load_string(html.c_str(), pugi::parse_default | pugi::parse_doctype);
    EXPECT_TRUE(r) << r.description() << " at offset " << r.offset;
    return doc;
}

/// XPath predicate: the element has CSS class `c`.
std::string has_class(const std::string& c) {
    return "contains(concat(' ', normalize-space(@class), ' '), ' " + c + " ')";
}

pugi::xpath_node_set select(const pugi::xml_node& node, const std::string& xpath) {
    return node.select_nodes(xpath.c_str());
}

TEST(HtmlReport, IsAWellFormedHtml5DocumentWithItsStyleInline) {
    const auto html = html_report(sample_run());
    EXPECT_TRUE(html.starts_with("<!DOCTYPE html>")) << html.substr(0, 80);
    const auto doc = parsed(html);
    EXPECT_TRUE(doc.select_node("/html/head/meta[@charset='utf-8']"));
    EXPECT_TRUE(doc.select_node("/html/head/style"));
    EXPECT_NE(html.find("<meta charset=\"utf-8\" />"), std::string::npos);  // void element
}

TEST(HtmlReport, FetchesNothing) {
    const auto html = html_report(sample_run());
    const auto doc = parsed(html);
    EXPECT_TRUE(select(doc, "//*[@src]").empty());
    EXPECT_TRUE(select(doc, "//script | //link | //img | //iframe | //object").empty());
    for (const auto& n : select(doc, "//*[@href]"))
        EXPECT_TRUE(std::string(n.node().attribute("href").value()).starts_with("#"));
    EXPECT_EQ(html.find("http://"), std::string::npos);
    EXPECT_EQ(html.find("https://"), std::string::npos);
    EXPECT_EQ(html.find("url("), std::string::npos);
}

TEST(HtmlReport, SummarisesTheRun) {
    const auto doc = parsed(html_report(sample_run()));
    std::string all;
    for (const auto& td : select(doc, "//table[@id='summary']//td"))
        all += std::string(td.node().text().get()) + "|";
    EXPECT_NE(all.find("4: 1 passed, 1 failed, 1 error, 1 skipped"), std::string::npos) << all;
    for (const char* part : {"embedded", "1234567", "0.1.0", "ci-runner-7", "4.75 s"})
        EXPECT_NE(all.find(part), std::string::npos) << part << " not in " << all;
    EXPECT_STREQ(doc.select_node("//p[@id='status']").node().text().get(), "Failed");
}

TEST(HtmlReport, ListsFailuresAndErrorsFirst) {
    const auto doc = parsed(html_report(sample_run()));
    std::vector<std::string> outcomes;
    for (const auto& tr : select(doc, "//table[@id='verdicts']/tr"))
        outcomes.emplace_back(tr.node().attribute("data-outcome").value());
    EXPECT_EQ(outcomes, (std::vector<std::string>{"failed", "error", "passed", "skipped"}));
    const auto first = doc.select_node(("//details[" + has_class("scenario") + "]").c_str());
    EXPECT_STREQ(first.node().attribute("id").value(), "scenario-1");  // ids follow run order
    EXPECT_STREQ(first.node().attribute("open").value(), "open");
    EXPECT_FALSE(doc.select_node("//details[@id='scenario-0']").node().attribute("open"));
}

TEST(HtmlReport, DrawsAnArrowForEveryTracedPacket) {
    const auto run = traced_run();
    const auto doc = parsed(html_report(run));
    const auto arrows = select(doc, "//svg[@id='sequence-0']//g[@class='arrow']");
    std::vector<std::string> types;
    for (const auto& a : arrows)
        types.emplace_back(a.node().attribute("data-type").value());
    EXPECT_EQ(types, (std::vector<std::string>{"CONNECT", "CONNACK", "CONNECT", "CONNACK",
                                               "SUBSCRIBE", "SUBACK", "PUBLISH", "PUBLISH",
                                               "DISCONNECT", "DISCONNECT"}));
    const auto sent = doc.select_node("//g[@data-type='PUBLISH'][@data-direction='sent']").node();
    EXPECT_STREQ(sent.attribute("data-actor").value(), "app");
    EXPECT_STREQ(sent.select_node("text[@class='label']").node().text().get(),
                 "PUBLISH q1 id=2 service/req");
    EXPECT_STREQ(sent.select_node("text[@class='payload']").node().text().get(),
                 "\"{\"q\":\"time\"}\"");
    EXPECT_STREQ(sent.select_node("text[@class='time']").node().text().get(), "+0.013");
    EXPECT_TRUE(
        doc.select_node("//g[@data-type='PUBLISH'][@data-direction='received']"
                        "[@data-actor='stand-in-clock']"));
    // The sample's trace is of another form: still an arrow each, nothing made up.
    const auto sample = parsed(html_report(sample_run()));
    EXPECT_EQ(select(sample, "//svg[@id='sequence-0']//g[@class='arrow']").size(), 2u);
    EXPECT_FALSE(sample.select_node("//svg[@id='sequence-0']//text[@class='payload']"));
}

TEST(HtmlReport, DrawsALifelinePerActorWithTheBrokerLast) {
    const auto doc = parsed(html_report(traced_run()));
    std::vector<std::string> actors, kinds;
    for (const auto& l : select(doc, "//svg[@id='sequence-0']/g[@class='lifeline']")) {
        actors.emplace_back(l.node().attribute("data-actor").value());
        kinds.emplace_back(l.node().attribute("data-kind").value());
    }
    // The stand-in's event ("clock") is drawn on its client's lifeline, not a lifeline of its own.
    EXPECT_EQ(actors, (std::vector<std::string>{"app", "stand-in-clock", "svc", "broker"}));
    EXPECT_EQ(kinds, (std::vector<std::string>{"client", "stand-in", "component", "broker"}));
    EXPECT_EQ(select(doc, "//g[@class='step']").size(), 3u);
}

TEST(HtmlReport, MarksTheFailureWhereTheStepFailed) {
    const auto doc = parsed(html_report(traced_run()));
    const auto svg = doc.select_node("//svg[@id='sequence-0']").node();
    const auto mark = svg.select_node("g[@class='failure-mark']").node();
    ASSERT_TRUE(mark);
    EXPECT_STREQ(mark.attribute("data-step").value(), "3");
    std::string text;
    for (const auto& t : mark.children("text"))
        text += std::string(t.text().get()) + "\n";
    EXPECT_NE(text.find("no reply within 1 s"), std::string::npos) << text;
    EXPECT_NE(text.find("expected: on client app, within 1 s:"), std::string::npos) << text;
    EXPECT_NE(text.find("seen:     +0.500 s  replies/other"), std::string::npos) << text;
    // In trace order: after the step's start, before the DISCONNECTs.
    std::vector<std::string> order;
    for (const auto& g : svg.children("g"))
        if (std::string(g.attribute("class").value()) != "lifeline")
            order.emplace_back(g.attribute("class").value() + std::string(":") +
                               g.attribute("data-type").value());
    const std::vector<std::string> tail(order.end() - 4, order.end());
    EXPECT_EQ(tail, (std::vector<std::string>{"step:", "failure-mark:", "arrow:DISCONNECT",
                                              "arrow:DISCONNECT"}));
}

TEST(HtmlReport, MarksFailuresWithoutAStepLineAtTheEndAndNoneOnPasses) {
    const auto doc = parsed(html_report(sample_run()));
    EXPECT_TRUE(doc.select_node("//svg[@id='sequence-1']/g[@class='failure-mark']"));
    // An error before anything was traced: the diagram holds the broker and the mark.
    EXPECT_TRUE(doc.select_node("//svg[@id='sequence-2']/g[@class='failure-mark']"));
    EXPECT_FALSE(doc.select_node("//svg[@id='sequence-0']//g[@class='failure-mark']"));
    EXPECT_FALSE(doc.select_node("//svg[@id='sequence-3']"));  // skipped, nothing traced
    EXPECT_TRUE(doc.select_node("//details[@id='scenario-3']//p[@class='no-trace']"));
}

TEST(HtmlReport, EscapesMarkupControlCharactersAndBadUtf8) {
    auto run = traced_run();
    auto& s = run.scenarios[0];
    s.trace[9].what = "-> PUBLISH q0 \"a/<b>\" \"<script>alert(1)</script>\x01\x1b[31m\xff\"";
    s.components[0].output = "<img src=x onerror=alert(1)>\ttab\r\nnext\x07\n";
    const auto html = html_report(run);
    EXPECT_EQ(html.find("<script>"), std::string::npos);
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_EQ(html.find('\x01'), std::string::npos);
    EXPECT_EQ(html.find('\x1b'), std::string::npos);
    EXPECT_NE(html.find("request &lt;reply&gt;"), std::string::npos);
    const auto doc = parsed(html);
    const auto publish = doc.select_node("//g[@data-type='PUBLISH'][@data-direction='sent']");
    EXPECT_STREQ(publish.node().select_node("text[@class='payload']").node().text().get(),
                 "\"<script>alert(1)</script>\\x01\\x1b[31m\xEF\xBF\xBD\"");
    EXPECT_STREQ(doc.select_node("//details[@data-component='svc']/pre").node().text().get(),
                 "<img src=x onerror=alert(1)>\ttab\nnext\\x07\n");
    EXPECT_NE(std::string(publish.node().child("title").text().get()).find("a/<b>"),
              std::string::npos);
}

TEST(HtmlReport, KeepsComponentLogsInCollapsedDetails) {
    const auto doc = parsed(html_report(sample_run()));
    const auto log = doc.select_node("//details[@data-component='sensor']").node();
    ASSERT_TRUE(log);
    EXPECT_FALSE(log.attribute("open"));
    EXPECT_STREQ(log.child("pre").text().get(), "out| started\nout| done\n");
    EXPECT_NE(std::string(log.child("summary").text().get()).find("(exit status 0)"),
              std::string::npos);
}

TEST(HtmlReport, DrawsALongTraceUpToItsBoundWithANote) {
    run_result run;
    run.scenarios = {passed_scenario()};
    auto& trace = run.scenarios[0].trace;
    trace.clear();
    for (std::size_t i = 0; i < html_max_trace_rows + 5; ++i)
        trace.push_back({0.001 * static_cast<double>(i), "c", "-> PINGREQ"});
    const auto doc = parsed(html_report(run));
    EXPECT_EQ(select(doc, "//g[@data-type='PINGREQ']").size(), html_max_trace_rows);
    const std::string note = doc.select_node("//p[@class='truncated']").node().text().get();
    EXPECT_TRUE(note.starts_with("5 more trace entries are not drawn")) << note;
}

TEST(HtmlReport, WritesTheFileWhole) {
    test_support::temp_dir dir("html-test");
    const auto file = dir.path() / "report.html";
    ASSERT_FALSE(write_html_report(file, sample_run()));
    std::ifstream in(file);
    std::stringstream content;
    content << in.rdbuf();
    EXPECT_EQ(content.str(), html_report(sample_run()));
    EXPECT_TRUE(write_html_report(dir.path() / "missing" / "report.html", sample_run()));
}

}  // namespace
}  // namespace harness::reports::testing
