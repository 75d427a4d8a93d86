// The recorded scenario as YAML: what the emitter writes loads back through the scenario loader
// without errors and means what was recorded (payload forms, QoS, retain, strings that look like
// numbers or booleans, template braces, comments for generalised values).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "harness/scenario/load.hpp"
#include "record_yaml.hpp"

namespace harness::cli::record {
namespace {

using namespace std::chrono_literals;

scenario_doc sample() {
    scenario_doc doc;
    doc.name = "recorded: 1 trigger";
    doc.description = "Recorded by a test";
    publish_doc setup;
    setup.topic = "config/mode";
    setup.payload = {payload_doc::kind::text, "true", {}, {}};
    setup.qos = 1;
    setup.retain = true;
    doc.setup.push_back(setup);
    doc.observe = {"out/json", "out/bin"};
    episode_doc e;
    e.trigger.topic = "cmd/{{{{x";
    e.trigger.payload.form = payload_doc::kind::json;
    e.trigger.payload.json =
        boost::json::parse(R"({"n":"12","b":"false","at":"{{now_iso}}","v":21.5,"w":3.0})");
    e.trigger.payload.notes = {"$.at (ISO timestamp)"};
    e.trigger.properties.response_topic = "out/json";
    e.trigger.properties.user_properties = {{"site", "berlin"}};
    expect_doc x;
    x.ordered = false;
    x.within = 800ms;
    match_doc json;
    json.topic = "out/json";
    json.qos = 1;
    json.payload.form = payload_doc::kind::json;
    json.payload.json = boost::json::parse(R"({"status":"ok","list":[1,"a"]})");
    json.payload.notes = {"$.id (UUID)"};
    match_doc bin;
    bin.topic = "out/bin";
    bin.payload = {payload_doc::kind::hex, "de ad be ef 00", {}, {}};
    bin.retain = true;
    bin.count = 2;
    x.messages = {json, bin};
    e.expects.push_back(x);
    expect_doc pattern;
    pattern.within = 2s;
    match_doc text;
    text.topic = "out/text";
    text.payload = {payload_doc::kind::regex, R"(^t=\d+ ok$)", {}, {"1764178230 (epoch seconds)"}};
    pattern.messages = {text};
    e.expects.push_back(pattern);
    doc.episodes.push_back(e);
    return doc;
}

TEST(RecordYaml, TheWrittenScenarioLoadsBackAndMeansWhatWasRecorded) {
    const auto text = to_yaml(sample());
    const auto loaded = scenario::load_text(text, "recorded.yaml");
    ASSERT_TRUE(loaded.ok()) << loaded.errors.front().to_string() << "\n" << text;
    ASSERT_EQ(loaded.file.scenarios.size(), 1u);
    const auto& s = loaded.file.scenarios.front();
    EXPECT_EQ(s.name, "recorded: 1 trigger");
    ASSERT_EQ(s.clients.size(), 2u);
    ASSERT_EQ(s.steps.size(), 5u) << text;

    const auto& setup = std::get<scenario::publish_step>(s.steps[0].body);
    EXPECT_EQ(setup.message.payload.text, "true");  // a string, not a boolean
    EXPECT_TRUE(setup.message.retain);
    EXPECT_EQ(setup.message.qos, 1);

    const auto& subscribe = std::get<scenario::subscribe_step>(s.steps[1].body);
    ASSERT_EQ(subscribe.subscriptions.size(), 2u);
    EXPECT_TRUE(subscribe.subscriptions[0].retain_as_published);
    EXPECT_EQ(subscribe.subscriptions[0].retain_handling, 2);

    const auto& trigger = std::get<scenario::publish_step>(s.steps[2].body);
    EXPECT_EQ(trigger.message.topic, "cmd/{{{{x");
    EXPECT_EQ(trigger.message.payload.form, scenario::payload_spec::kind::json);
    EXPECT_EQ(trigger.message.payload.json,
              boost::json::parse(R"({"n":"12","b":"false","at":"{{now_iso}}","v":21.5,"w":3.0})"));
    EXPECT_EQ(trigger.message.properties.response_topic, "out/json");
    ASSERT_EQ(trigger.message.properties.user_properties.size(), 1u);

    const auto& expect = std::get<scenario::expect_step>(s.steps[3].body);
    EXPECT_FALSE(expect.ordered);
    EXPECT_EQ(expect.within, 800ms);
    ASSERT_EQ(expect.messages.size(), 2u);
    EXPECT_EQ(expect.messages[0].payload.how, scenario::payload_match::kind::json_subset);
    EXPECT_EQ(expect.messages[0].qos, 1);
    EXPECT_EQ(expect.messages[1].payload.how, scenario::payload_match::kind::hex);
    EXPECT_EQ(expect.messages[1].retain, true);
    EXPECT_EQ(expect.counts, (std::vector<std::uint32_t>{1, 2}));

    const auto& regex = std::get<scenario::expect_step>(s.steps[4].body);
    EXPECT_EQ(regex.messages.at(0).payload.how, scenario::payload_match::kind::regex);
    EXPECT_EQ(regex.messages.at(0).payload.text, R"(^t=\d+ ok$)");
    EXPECT_EQ(regex.within, 2000ms);
}

TEST(RecordYaml, GeneralisedValuesAreNamedInComments) {
    const auto text = to_yaml(sample());
    EXPECT_NE(text.find("# varies between runs, not matched: $.id (UUID)"), std::string::npos)
        << text;
    EXPECT_NE(text.find("# made fresh at each run: $.at (ISO timestamp)"), std::string::npos)
        << text;
}

TEST(RecordYaml, DurationsAreWrittenInTheScenarioFormat) {
    EXPECT_EQ(duration_text(800ms), "800ms");
    EXPECT_EQ(duration_text(2000ms), "2s");
    EXPECT_EQ(duration_text(2500ms), "2500ms");
}

}  // namespace
}  // namespace harness::cli::record
