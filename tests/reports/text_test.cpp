// The reporters' text helpers: fixed-point numbers, ISO 8601 times both ways, UTF-8 and XML 1.0
// clean-up, one-line and printable forms, classnames, log tails.
#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>

#include "harness/reports/text.hpp"
#include "sample_run.hpp"

namespace harness::reports::testing {
namespace {

TEST(FormatFixed, UsesAPointAndNeverAnExponent) {
    EXPECT_EQ(format_fixed(0.123, 3), "0.123");
    EXPECT_EQ(format_fixed(0.0004, 3), "0.000");
    EXPECT_EQ(format_fixed(1e-300, 3), "0.000");
    EXPECT_EQ(format_fixed(123456789.5, 1), "123456789.5");
    EXPECT_EQ(format_fixed(2.0, 2), "2.00");
    EXPECT_EQ(format_seconds(0.04), "0.040");
}

TEST(FormatFixed, NegativeNanAndHugeValuesStayPlainNumbers) {
    EXPECT_EQ(format_fixed(-1.5, 3), "0.000");
    EXPECT_EQ(format_fixed(std::numeric_limits<double>::quiet_NaN(), 3), "0.000");
    EXPECT_EQ(format_fixed(std::numeric_limits<double>::infinity(), 0), "1000000000000");
}

TEST(Iso8601, AntFormHasNoZoneAndNoFraction) {
    EXPECT_EQ(format_iso8601(at_ms(0), false), "2024-05-01T12:34:56");
    EXPECT_EQ(format_iso8601(at_ms(0), true), "2024-05-01T12:34:56.789Z");
    EXPECT_EQ(format_iso8601(std::chrono::system_clock::time_point{}, false),
              "1970-01-01T00:00:00");
}

TEST(Iso8601, ParsesWhatItWrites) {
    EXPECT_EQ(parse_iso8601("2024-05-01T12:34:56.789Z"), at_ms(0));
    EXPECT_EQ(parse_iso8601("2024-05-01T12:34:56"), at_ms(-789));
    EXPECT_EQ(parse_iso8601("2024-05-01T12:34:56.5"), at_ms(-289));
    EXPECT_FALSE(parse_iso8601("2024-05-01 12:34:56"));
    EXPECT_FALSE(parse_iso8601("2024-13-01T12:34:56"));
    EXPECT_FALSE(parse_iso8601("2024-05-01T12:34:56.Z"));
    EXPECT_FALSE(parse_iso8601("2024-05-01T12:34:56Zjunk"));
    EXPECT_FALSE(parse_iso8601(""));
}

TEST(ValidUtf8, ReplacesEachInvalidSequenceAndKeepsValidText) {
    EXPECT_EQ(valid_utf8("plain \xC3\xA9 \xF0\x9F\x98\x80"), "plain \xC3\xA9 \xF0\x9F\x98\x80");
    EXPECT_EQ(valid_utf8("a\xFF"
                         "b",
                         "?"),
              "a?b");
    EXPECT_EQ(valid_utf8("\xC0\xAF", "?"), "?");          // overlong '/'
    EXPECT_EQ(valid_utf8("\xED\xA0\x80", "?"), "?");      // surrogate
    EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80", "?"), "?");  // past U+10FFFF
    EXPECT_EQ(valid_utf8("x\xE2\x82", "?"), "x?");        // truncated
    EXPECT_EQ(valid_utf8("\xE2\x82y", "?"), "?y");
}

TEST(XmlSafe, RemovesWhatXml10ForbidsAndKeepsTabNewlineReturn) {
    EXPECT_EQ(xml_safe(std::string("a\0b\x01"
                                   "c\x1f"
                                   "d",
                                   7)),
              "abcd");
    EXPECT_EQ(xml_safe("tab\tnl\ncr\r"), "tab\tnl\ncr\r");
    EXPECT_EQ(xml_safe("x\xEF\xBF\xBEy\xEF\xBF\xBFz"), "xyz");
    EXPECT_EQ(xml_safe("\xEF\xBF\xBD"), "\xEF\xBF\xBD");  // U+FFFD itself is fine
    EXPECT_EQ(xml_safe("<&\"'>"), "<&\"'>") << "escaping is the XML writer's job";
    EXPECT_EQ(xml_safe("bad\xFF\xED\xA0\x80!"), "bad!");
}

TEST(OneLine, JoinsLinesWithSingleSpacesAndTrims) {
    EXPECT_EQ(one_line("  first\r\nsecond\n\nthird \n"), "first second third");
    EXPECT_EQ(one_line("\n\n"), "");
}

TEST(Printable, EscapesControlCharactersButNotTabOrUtf8) {
    EXPECT_EQ(printable("\x1b[31mred\x7f\tok \xC3\xA9"), "\\x1b[31mred\\x7f\tok \xC3\xA9");
    EXPECT_EQ(printable("a\nb"), "a\\x0ab");
}

TEST(Describe, SeenMessageShowsTimeTopicPayloadQosRetainAndNote) {
    EXPECT_EQ(describe({1.234, "t/1", "off", 1, true, "payload differs"}),
              "+1.234 s  t/1  \"off\"  qos 1  retain  (payload differs)");
    EXPECT_EQ(describe({0.5, "t/2", "hex:00ff", 2, false, ""}), "+0.500 s  t/2  hex:00ff  qos 2");
}

TEST(ClassnameOf, DropsTheExtensionAndTurnsSlashesIntoDots) {
    EXPECT_EQ(classname_of("scenarios/examples/tutorial.yaml"), "scenarios.examples.tutorial");
    EXPECT_EQ(classname_of("./a/b.c/d.yml"), "a.b.c.d");
    EXPECT_EQ(classname_of("/abs/x.yaml"), "abs.x");
    EXPECT_EQ(classname_of("noext"), "noext");
    EXPECT_EQ(classname_of("dir/.hidden"), "dir..hidden");
}

TEST(DisplayName, AddsTheAttemptFromTheSecondOn) {
    auto s = passed_scenario();
    EXPECT_EQ(display_name(s), "coffee time");
    s.attempt = 3;
    EXPECT_EQ(display_name(s), "coffee time (attempt 3)");
}

TEST(LastLines, KeepsTheLastNLines) {
    EXPECT_EQ(last_lines("a\nb\nc\n", 2), "b\nc");
    EXPECT_EQ(last_lines("a\nb\nc", 5), "a\nb\nc");
    EXPECT_EQ(last_lines("a\nb\nc", 0), "");
    EXPECT_EQ(last_lines("", 3), "");
    EXPECT_EQ(indented("x\ny", "  "), "  x\n  y\n");
}

}  // namespace
}  // namespace harness::reports::testing
