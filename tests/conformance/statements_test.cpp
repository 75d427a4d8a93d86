// The statement lists of MQTT 3.1.1 and 5.0: both load without a problem and hold every id once
// (3.1.1's Appendix B prints two ids misspelt, normalised in the data: 141 ids; 5.0: 251); the
// loader derives sections from ids and names file, line and column for each mistake.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "harness/conformance/statements.hpp"

namespace harness::conformance {
namespace {

std::string all(const std::vector<std::string>& errors) {
    std::string text;
    for (const auto& e : errors)
        text += e + "\n";
    return text;
}

statement_list load(const std::string& name) {
    auto r = load_statements(std::string(STATEMENTS_DIR) + "/" + name);
    EXPECT_TRUE(r.errors.empty()) << all(r.errors);
    return r.list.value_or(statement_list{});
}

std::size_t observable(const statement_list& l) {
    return static_cast<std::size_t>(std::count_if(l.statements.begin(), l.statements.end(),
                                                  [](const statement& s) { return s.observable; }));
}

TEST(Statements, Mqtt311ListHoldsEveryIdOfAppendixB) {
    const auto l = load("mqtt-3.1.1.yaml");
    EXPECT_EQ(l.spec, "3.1.1");
    EXPECT_EQ(l.statements.size(), 141u);
    ASSERT_NE(l.find("MQTT-3.1.2-7"), nullptr) << "printed MQTT-3.1.2.7 in the standard";
    ASSERT_NE(l.find("MQTT-3.8.3-4"), nullptr) << "printed MQTT-3-8.3-4 in the standard";
    EXPECT_EQ(l.find("MQTT-3.1.0-1")->section, "3.1");
    EXPECT_GT(observable(l), 0u);
}

TEST(Statements, Mqtt5ListHoldsEveryIdOfAppendixB) {
    const auto l = load("mqtt-5.0.yaml");
    EXPECT_EQ(l.spec, "5.0");
    EXPECT_EQ(l.statements.size(), 251u);
    ASSERT_NE(l.find("MQTT-4.13.1-1"), nullptr);
    EXPECT_EQ(l.find("MQTT-6.0.0-1")->section, "6");
    EXPECT_GT(observable(l), 0u);
}

TEST(Statements, SectionComesFromTheId) {
    EXPECT_EQ(section_of("MQTT-3.1.2-4"), "3.1.2");
    EXPECT_EQ(section_of("MQTT-3.1.0-1"), "3.1");
    EXPECT_EQ(section_of("MQTT-4.12.0-1"), "4.12");
    EXPECT_EQ(section_of("MQTT-6.0.0-1"), "6");
    EXPECT_FALSE(section_of("MQTT-3.1.2.7"));
    EXPECT_FALSE(section_of("MQTT-3-8.3-4"));
    EXPECT_FALSE(section_of("MQTT-3..1-2"));
    EXPECT_FALSE(section_of("3.1.2-4"));
}

TEST(Statements, EveryMistakeIsReportedWithFileLineAndColumn) {
    const auto r = parse_statements(R"(spec: "5.0"
statements:
  - id: MQTT-3.1.2-4
    section: "3.1.2"
    summary: ok
    binds: server
    observable: true
  - id: MQTT-3.1.2-4
    section: "3.1.2"
    summary: again
    binds: server
    observable: true
  - id: MQTT-3.2.2-1
    section: "3.2"
    summary: wrong section
    binds: broker
    observable: false
)",
                                    "bad.yaml");
    EXPECT_FALSE(r.list);
    ASSERT_EQ(r.errors.size(), 4u) << all(r.errors);
    EXPECT_EQ(r.errors[0], "bad.yaml:8:9: error: duplicate id MQTT-3.1.2-4");
    EXPECT_NE(r.errors[1].find("bad.yaml:14:14: error: expected section \"3.2.2\""),
              std::string::npos)
        << r.errors[1];
    EXPECT_NE(r.errors[2].find("bad.yaml:16:12: error: expected binds: server, client or both"),
              std::string::npos)
        << r.errors[2];
    EXPECT_NE(r.errors[3].find("expected 'reason'"), std::string::npos) << r.errors[3];
}

TEST(Statements, UnreadableFileIsOneError) {
    const auto r = load_statements("/nonexistent/statements.yaml");
    EXPECT_FALSE(r.list);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_NE(r.errors[0].find("cannot read"), std::string::npos);
}

TEST(Statements, GapExplainsAnObservableStatementWithoutACheck) {
    const auto r = parse_statements(R"(spec: "5.0"
statements:
  - id: MQTT-3.15.1-1
    section: "3.15.1"
    summary: needs enhanced authentication
    binds: server
    observable: true
    gap: no authentication method to test with
  - id: MQTT-3.1.2-4
    section: "3.1.2"
    summary: not observable
    binds: server
    observable: false
    reason: internal
    gap: misplaced
)",
                                    "gap.yaml");
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_EQ(r.errors[0],
              "gap.yaml:15:10: error: a gap is for observable statements without a check");
    const auto ok = parse_statements(R"(spec: "5.0"
statements:
  - id: MQTT-3.15.1-1
    section: "3.15.1"
    summary: needs enhanced authentication
    binds: server
    observable: true
    gap: no authentication method to test with
)",
                                     "gap.yaml");
    ASSERT_TRUE(ok.list) << all(ok.errors);
    EXPECT_EQ(ok.list->statements[0].gap, "no authentication method to test with");
}

}  // namespace
}  // namespace harness::conformance
