// Tests of template.hpp: finding "{{name}}" references, telling known names from unknown ones
// (built-ins, variables, trigger values only in stand-ins) and expanding them.
#include "harness/scenario/template.hpp"

#include <gtest/gtest.h>

#include <map>

namespace harness::scenario {
namespace {

template_resolver resolver(std::map<std::string, std::string> values) {
    return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
        const auto found = values.find(std::string(name));
        if (found == values.end())
            return std::nullopt;
        return found->second;
    };
}

TEST(Template, ParseFindsEachReferenceTrimmedWithItsOffset) {
    std::vector<template_reference> references;
    std::string error;
    ASSERT_TRUE(parse_template("a/{{ seq }}/{{trigger.json.id}}", references, error));
    ASSERT_EQ(references.size(), 2u);
    EXPECT_EQ(references[0].name, "seq");
    EXPECT_EQ(references[0].offset, 2u);
    EXPECT_EQ(references[1].name, "trigger.json.id");
    EXPECT_EQ(references[1].offset, 12u);
}

TEST(Template, ParseOfPlainTextHasNoReferences) {
    std::vector<template_reference> references;
    std::string error;
    ASSERT_TRUE(parse_template("plain/topic", references, error));
    EXPECT_TRUE(references.empty());
}

TEST(Template, ParseTreatsFourBracesAsLiteral) {
    std::vector<template_reference> references;
    std::string error;
    ASSERT_TRUE(parse_template("{{{{not a reference}}", references, error));
    EXPECT_TRUE(references.empty());
}

TEST(Template, ParseReportsAnUnclosedReference) {
    std::vector<template_reference> references;
    std::string error;
    EXPECT_FALSE(parse_template("x {{seq", references, error));
    EXPECT_NE(error.find("unclosed `{{`"), std::string::npos) << error;
}

TEST(Template, ParseReportsAnEmptyReference) {
    std::vector<template_reference> references;
    std::string error;
    EXPECT_FALSE(parse_template("x {{ }}", references, error));
    EXPECT_NE(error.find("empty"), std::string::npos) << error;
}

TEST(Template, BuiltInsAndVariablesAreKnownEverywhere) {
    const std::vector<std::string> variables = {"device"};
    for (const char* name : {"seq", "now", "now_iso", "random", "uuid", "broker.url", "broker.host",
                             "broker.port", "run.id", "run.prefix", "scenario.name", "device"}) {
        EXPECT_TRUE(is_known_reference(name, variables, false)) << name;
    }
    EXPECT_FALSE(is_known_reference("devices", variables, false));
    EXPECT_FALSE(is_known_reference("broker", variables, false));
}

TEST(Template, TriggerValuesAreKnownOnlyInStandIns) {
    const std::vector<std::string> none;
    for (const char* name : {"trigger.topic", "trigger.payload", "trigger.correlation_data",
                             "trigger.response_topic", "trigger.levels[2]", "trigger.json.a.b",
                             "trigger.json.items[0]", "trigger.json.items[0].id"}) {
        EXPECT_TRUE(is_known_reference(name, none, true)) << name;
        EXPECT_FALSE(is_known_reference(name, none, false)) << name;
    }
}

TEST(Template, MalformedTriggerReferencesAreUnknown) {
    const std::vector<std::string> none;
    for (const char* name : {"trigger.levels", "trigger.levels[x]", "trigger.levels[1]x",
                             "trigger.json", "trigger.json.", "trigger.json[", "trigger.other"}) {
        EXPECT_FALSE(is_known_reference(name, none, true)) << name;
    }
}

TEST(Template, ExpandReplacesEachReference) {
    std::string error;
    const auto text =
        expand_template("{{run.prefix}}sensors/{{ id }}/{{seq}}",
                        resolver({{"run.prefix", "p/"}, {"id", "7"}, {"seq", "3"}}), error);
    ASSERT_TRUE(text) << error;
    EXPECT_EQ(*text, "p/sensors/7/3");
}

TEST(Template, ExpandWritesFourBracesAsTwo) {
    std::string error;
    const auto text = expand_template("{{{{x}} {{v}}", resolver({{"v", "1"}}), error);
    ASSERT_TRUE(text) << error;
    EXPECT_EQ(*text, "{{x}} 1");
}

TEST(Template, ExpandFailsOnAnUnknownNameAndSaysWhich) {
    std::string error;
    EXPECT_FALSE(expand_template("a {{missing}}", resolver({}), error));
    EXPECT_EQ(error, "unknown template name `missing`");
}

TEST(Template, ExpandFailsOnAnUnclosedReference) {
    std::string error;
    EXPECT_FALSE(expand_template("a {{seq", resolver({{"seq", "1"}}), error));
    EXPECT_NE(error.find("unclosed"), std::string::npos);
}

}  // namespace
}  // namespace harness::scenario
