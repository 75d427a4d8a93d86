// The JUnit XML report: valid against reports/schema/junit.xsd (checked with xmllint, which is
// also shown to reject broken documents), suites and counts, failure detail, escaping, removal of
// characters XML 1.0 forbids, and locale-independent times.
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include <chrono>
#include <clocale>
#include <filesystem>
#include <locale>
#include <string>

#include "harness/reports/junit.hpp"
#include "sample_run.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace harness::reports::testing {
namespace {

using namespace std::chrono_literals;
using test_support::child_process;
using test_support::temp_dir;

struct lint_result {
    int status = -1;
    std::string messages;
};

/// xmllint --noout --schema junit.xsd on `xml`, written to a temporary file.
lint_result validate(const std::string& xml) {
    temp_dir dir("junit-test");
    const auto file = dir.write("report.xml", xml);
    child_process lint("xmllint", {"--noout", "--schema", JUNIT_XSD, file});
    const auto status = lint.wait_for(30s);
    if (!status)
        return {-1, "xmllint did not finish"};
    return {*status, lint.errors()};
}

pugi::xml_document parse(const std::string& xml) {
    pugi::xml_document doc;
    const auto result = doc.load_string(xml.c_str());
    EXPECT_TRUE(result) << result.description() << "\n" << xml;
    return doc;
}

/// Replaces the first `from` in `text` by `to` (a test failure when there is none).
std::string replace_once(std::string text, const std::string& from, const std::string& to) {
    const auto pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << "no " << from << " in the report";
    if (pos != std::string::npos)
        text.replace(pos, from.size(), to);
    return text;
}

TEST(JunitReport, ValidatesAgainstTheShippedSchema) {
    const auto result = validate(junit_xml(sample_run()));
    EXPECT_EQ(result.status, 0) << result.messages;
}

TEST(JunitReport, EmptyRunValidatesAgainstTheSchema) {
    const auto result = validate(junit_xml(run_result{}));
    EXPECT_EQ(result.status, 0) << result.messages;
}

TEST(JunitSchema, RejectsDocumentsThatBreakTheFormat) {
    const std::string good = junit_xml(sample_run());
    const std::string broken[] = {
        replace_once(good, "time=\"0.040\"", "time=\"4e-02\""),
        replace_once(good, "time=\"0.040\"", "time=\"0,040\""),
        replace_once(good, "classname=\"scenarios.examples.tutorial\"", ""),
        replace_once(good, "type=\"expect\"", ""),
        replace_once(good, "timestamp=\"2024-05-01T12:34:56\"", "timestamp=\"yesterday\""),
        replace_once(good, "<properties>",
                     "<testcase name=\"x\" classname=\"y\" time=\"1\"/><properties>"),
        replace_once(good, "<testsuite ",
                     "<testcase name=\"x\" classname=\"y\" time=\"1\"/><testsuite "),
    };
    for (const auto& doc : broken) {
        const auto result = validate(doc);
        // 3 is xmllint's "validation failed"; a schema that does not compile would give 5.
        EXPECT_EQ(result.status, 3) << result.messages << "\n" << doc;
    }
}

TEST(JunitReport, HasOneSuitePerScenarioFileWithItsCounts) {
    const auto doc = parse(junit_xml(sample_run()));
    const auto root = doc.child("testsuites");
    EXPECT_STREQ(root.attribute("tests").value(), "4");
    EXPECT_STREQ(root.attribute("failures").value(), "1");
    EXPECT_STREQ(root.attribute("errors").value(), "1");
    EXPECT_STREQ(root.attribute("skipped").value(), "1");
    EXPECT_STREQ(root.attribute("time").value(), "4.750");

    const auto first = root.child("testsuite");
    const auto second = first.next_sibling("testsuite");
    ASSERT_TRUE(first && second);
    EXPECT_FALSE(second.next_sibling("testsuite"));
    EXPECT_STREQ(first.attribute("name").value(), "tutorial");
    EXPECT_STREQ(first.attribute("tests").value(), "2");
    EXPECT_STREQ(first.attribute("failures").value(), "1");
    EXPECT_STREQ(first.attribute("errors").value(), "0");
    EXPECT_STREQ(first.attribute("skipped").value(), "0");
    EXPECT_STREQ(first.attribute("id").value(), "0");
    EXPECT_STREQ(first.attribute("package").value(), "scenarios.examples");
    EXPECT_STREQ(first.attribute("hostname").value(), "ci-runner-7");
    EXPECT_STREQ(first.attribute("timestamp").value(), "2024-05-01T12:34:56");
    EXPECT_STREQ(second.attribute("name").value(), "faults");
    EXPECT_STREQ(second.attribute("tests").value(), "2");
    EXPECT_STREQ(second.attribute("failures").value(), "0");
    EXPECT_STREQ(second.attribute("errors").value(), "1");
    EXPECT_STREQ(second.attribute("skipped").value(), "1");
    EXPECT_STREQ(second.attribute("id").value(), "1");
    EXPECT_STREQ(second.attribute("timestamp").value(), "2024-05-01T12:35:00");
}

TEST(JunitReport, SuitePropertiesNameBrokerToolVersionAndSeed) {
    const auto doc = parse(junit_xml(sample_run()));
    const auto properties = doc.child("testsuites").child("testsuite").child("properties");
    auto value = [&](const char* name) {
        return std::string(properties.find_child_by_attribute("property", "name", name)
                               .attribute("value")
                               .value());
    };
    EXPECT_EQ(value("broker"), "embedded");
    EXPECT_EQ(value("tool.version"), "0.1.0");
    EXPECT_EQ(value("seed"), "1234567");
}

TEST(JunitReport, TestcaseClassnameComesFromThePathAndNameCarriesTheAttempt) {
    const auto doc = parse(junit_xml(sample_run()));
    const auto suite = doc.child("testsuites").child("testsuite");
    const auto first = suite.child("testcase");
    const auto second = first.next_sibling("testcase");
    EXPECT_STREQ(first.attribute("classname").value(), "scenarios.examples.tutorial");
    EXPECT_STREQ(first.attribute("name").value(), "coffee time");
    EXPECT_STREQ(first.attribute("time").value(), "0.040");
    EXPECT_EQ(std::string(second.attribute("name").value()),
              "retained <last> & \"quoted\" 'value' (attempt 2)");
}

TEST(JunitReport, FailureHasOneLineMessageTypeAndExpectedVersusSeen) {
    const auto doc = parse(junit_xml(sample_run()));
    const auto failure = doc.child("testsuites")
                             .child("testsuite")
                             .find_child([](auto node) { return node.child("failure"); })
                             .child("failure");
    ASSERT_TRUE(failure);
    EXPECT_STREQ(failure.attribute("message").value(),
                 "step 4 (expect at tutorial.yaml:23:7): no message on t/1 within 2 s");
    EXPECT_STREQ(failure.attribute("type").value(), "expect");
    const std::string text = failure.text().get();
    EXPECT_NE(text.find("at tutorial.yaml:23:7 (expect step)"), std::string::npos) << text;
    EXPECT_NE(text.find("expected:\n  a message on t/1\n  with payload \"on\""), std::string::npos)
        << text;
    EXPECT_NE(text.find("+1.234 s  t/1  \"off\"  qos 1  retain  (payload differs)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("+1.500 s  t/1  hex:00ff10  qos 0"), std::string::npos) << text;
    EXPECT_NE(text.find("bob: <- SUBACK granted=1"), std::string::npos) << text;
}

TEST(JunitReport, ErrorAndSkipAreTheirOwnElements) {
    const auto doc = parse(junit_xml(sample_run()));
    const auto suite = doc.child("testsuites").child("testsuite").next_sibling("testsuite");
    const auto errored = suite.child("testcase");
    const auto skipped = errored.next_sibling("testcase");
    EXPECT_FALSE(errored.child("failure"));
    EXPECT_STREQ(errored.child("error").attribute("message").value(),
                 "connect to tcp://127.0.0.1:1 refused");
    EXPECT_STREQ(errored.child("error").attribute("type").value(), "connect");
    EXPECT_STREQ(skipped.child("skipped").attribute("message").value(),
                 "fault injection needs the embedded broker");
}

TEST(JunitReport, SystemOutHoldsTraceAndLogsAndSystemErrTheFailedComponentsTail) {
    const auto doc = parse(junit_xml(sample_run()));
    const auto failed = doc.child("testsuites").child("testsuite").child("testcase").next_sibling();
    const std::string out = failed.child("system-out").text().get();
    EXPECT_NE(out.find("+1.234 s  bob  <- PUBLISH q1 r1 topic=t/1"), std::string::npos) << out;
    EXPECT_NE(out.find("component broker: mosquitto -c b.conf (exit status 1)"), std::string::npos);
    EXPECT_NE(out.find("broker line 1\n"), std::string::npos);
    EXPECT_NE(out.find("broker line 30\n"), std::string::npos);
    const std::string err = failed.child("system-err").text().get();
    EXPECT_NE(err.find("broker line 30"), std::string::npos) << err;
    EXPECT_NE(err.find("broker line 11\n"), std::string::npos) << err;
    EXPECT_EQ(err.find("broker line 10\n"), std::string::npos) << err;
    const auto passed = doc.child("testsuites").child("testsuite").child("testcase");
    EXPECT_FALSE(passed.child("system-err"));
}

TEST(JunitReport, EscapesMarkupAndQuotes) {
    auto run = sample_run();
    run.scenarios[1].fail->message = "wanted <a> & \"b\"";
    const std::string xml = junit_xml(run);
    EXPECT_NE(xml.find("&lt;last"), std::string::npos) << xml;
    EXPECT_NE(xml.find("&amp; &quot;quoted&quot;"), std::string::npos) << xml;
    EXPECT_EQ(xml.find("<last>"), std::string::npos);
    EXPECT_EQ(xml.find("<a>"), std::string::npos);
    const auto doc = parse(xml);
    const auto failure =
        doc.child("testsuites").child("testsuite").child("testcase").next_sibling();
    EXPECT_STREQ(failure.child("failure").attribute("message").value(), "wanted <a> & \"b\"");
}

TEST(JunitReport, RemovesCharactersIllegalInXmlAndKeepsTheRest) {
    auto run = sample_run();
    const std::string illegal[] = {std::string("\0", 1),
                                   "\x01",
                                   "\x1b",
                                   "\x7f\x08",
                                   "\xEF\xBF\xBE",  // U+FFFE
                                   "\xEF\xBF\xBF",  // U+FFFF
                                   "\xED\xA0\x80",  // a lone surrogate, encoded
                                   "\xFF",
                                   "\xC0\xAF",
                                   "\xE2\x82"};
    std::string dirty = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\tend";
    for (const auto& bad : illegal)
        dirty += "[" + bad + "]";
    run.scenarios[1].name = dirty;
    run.scenarios[1].fail->seen[0].payload = dirty;
    run.scenarios[1].trace[0].what = dirty;
    run.scenarios[1].components[0].output = dirty + "\n";
    const std::string xml = junit_xml(run);
    for (const auto& bad : illegal) {
        if (bad == "\x7f\x08")
            continue;
        EXPECT_EQ(xml.find("[" + bad + "]"), std::string::npos) << "kept " << bad;
    }
    EXPECT_EQ(xml.find('\x08'), std::string::npos);
    EXPECT_NE(xml.find("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), std::string::npos);
    EXPECT_NE(xml.find("[\x7f]"), std::string::npos) << "DEL is legal in XML 1.0";
    const auto result = validate(xml);
    EXPECT_EQ(result.status, 0) << result.messages;
}

/// A C++ global locale that writes "1.234,5"; the C locale too when one is installed.
class comma_locale {
  public:
    comma_locale() : old_(std::locale::global(std::locale(std::locale::classic(), new facet))) {
        for (const char* name : {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", "fr_FR"})
            if (std::setlocale(LC_NUMERIC, name) != nullptr)
                break;
    }
    ~comma_locale() {
        std::locale::global(old_);
        std::setlocale(LC_NUMERIC, "C");
    }

  private:
    struct facet : std::numpunct<char> {
        char do_decimal_point() const override { return ','; }
        char do_thousands_sep() const override { return '.'; }
        std::string do_grouping() const override { return "\3"; }
    };
    std::locale old_;
};

TEST(JunitReport, TimesHaveADecimalPointUnderACommaLocaleAndNoExponent) {
    auto run = sample_run();
    run.seconds = 1234.5;
    run.scenarios[0].seconds = 1e-7;
    run.scenarios[2].seconds = 12345678.25;
    std::string xml;
    {
        comma_locale comma;
        xml = junit_xml(run);
    }
    const auto doc = parse(xml);
    const auto root = doc.child("testsuites");
    EXPECT_STREQ(root.attribute("time").value(), "1234.500");
    EXPECT_STREQ(root.child("testsuite").child("testcase").attribute("time").value(), "0.000");
    EXPECT_STREQ(root.child("testsuite").next_sibling().child("testcase").attribute("time").value(),
                 "12345678.250");
    const auto result = validate(xml);
    EXPECT_EQ(result.status, 0) << result.messages;
}

TEST(JunitReport, WriteJunitLeavesExactlyTheReportInTheDirectory) {
    temp_dir dir("junit-test");
    const auto run = sample_run();
    const auto target = dir.path() / "report.xml";
    dir.write("report.xml", "old");
    ASSERT_FALSE(write_junit(target, run));
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
        ++files;
    EXPECT_EQ(files, 1u);
    const auto result =
        child_process("xmllint", {"--noout", "--schema", JUNIT_XSD, target.string()}).wait_for(30s);
    EXPECT_EQ(result, 0);
}

}  // namespace
}  // namespace harness::reports::testing
