// The recording model without sockets: which observed messages are triggers (explicit filters,
// the quiet-gap rule), how reactions become expectations (grouped by topic, order kept per
// topic, counts, timing bound with a margin), payload forms and retained messages.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "record_model.hpp"

namespace harness::cli::record {
namespace {

using namespace std::chrono_literals;

observed_message message(std::string topic, std::string payload, milliseconds at, int qos = 0) {
    observed_message m;
    m.topic = std::move(topic);
    m.payload.assign(payload.begin(), payload.end());
    m.at = at;
    m.qos = qos;
    return m;
}

recording of(std::vector<observed_message> live) {
    recording r;
    r.live = std::move(live);
    r.broker = "mqtt://127.0.0.1:1883";
    r.window = {1'764'178'200'000, 1'764'178'260'000};
    return r;
}

TEST(RecordModel, MessagesOnTriggerFiltersAreTriggersAndTheRestReactions) {
    record_settings s;
    s.trigger_filters = {"cmd/#"};
    const auto t = classify_triggers(
        {message("cmd/a", "x", 0ms), message("state", "y", 5ms), message("cmd/b", "z", 6ms)}, s);
    EXPECT_EQ(t, (std::vector<bool>{true, false, true}));
}

TEST(RecordModel, WithoutTriggerFiltersAMessageAfterAQuietGapStartsABurst) {
    record_settings s;  // gap 1s
    const auto t = classify_triggers(
        {message("a", "1", 0ms), message("b", "2", 100ms), message("c", "3", 900ms),
         message("a", "4", 1900ms), message("b", "5", 2000ms)},
        s);
    EXPECT_EQ(t, (std::vector<bool>{true, false, false, true, false}));
}

TEST(RecordModel, WithinIsTwiceTheDelayPlusTheFloorRoundedUpTo100ms) {
    record_settings s;
    EXPECT_EQ(within_bound(0ms, s), 500ms);
    EXPECT_EQ(within_bound(120ms, s), 800ms);  // 740 ms rounded up
    EXPECT_EQ(within_bound(1000ms, s), 2500ms);
}

TEST(RecordModel, ReactionsOnDistinctTopicsMakeOneUnorderedExpect) {
    record_settings s;
    s.trigger_filters = {"cmd"};
    const auto doc = build_scenario(
        of({message("cmd", R"({"go":1})", 0ms, 1), message("out/json", R"({"ok":true})", 40ms, 1),
            message("out/bin", std::string("\xde\xad\xbe\xef\x00", 5), 120ms),
            message("out/text", "done", 60ms)}),
        s);
    ASSERT_EQ(doc.episodes.size(), 1u);
    const auto& e = doc.episodes.front();
    EXPECT_EQ(e.trigger.topic, "cmd");
    EXPECT_EQ(e.trigger.qos, 1);
    EXPECT_EQ(e.trigger.payload.form, payload_doc::kind::json);
    ASSERT_EQ(e.expects.size(), 1u);
    const auto& x = e.expects.front();
    EXPECT_FALSE(x.ordered);
    EXPECT_EQ(x.within, 800ms);
    ASSERT_EQ(x.messages.size(), 3u);
    EXPECT_EQ(x.messages[0].payload.form, payload_doc::kind::json);
    EXPECT_EQ(x.messages[0].payload.json, boost::json::parse(R"({"ok":true})"));
    EXPECT_EQ(x.messages[0].qos, 1);
    EXPECT_EQ(x.messages[1].payload.form, payload_doc::kind::hex);
    EXPECT_EQ(x.messages[1].payload.text, "de ad be ef 00");
    EXPECT_EQ(x.messages[2].payload.form, payload_doc::kind::text);
    EXPECT_EQ(x.messages[2].payload.text, "done");
    EXPECT_EQ(doc.observe, (std::vector<std::string>{"out/json", "out/bin", "out/text"}));
}

TEST(RecordModel, SeveralMessagesOnATopicKeepTheirOrderAndEqualOnesBecomeACount) {
    record_settings s;
    s.trigger_filters = {"cmd"};
    const auto doc = build_scenario(
        of({message("cmd", "go", 0ms), message("log", "a", 10ms), message("log", "a", 20ms),
            message("log", "b", 30ms), message("state", "on", 40ms)}),
        s);
    ASSERT_EQ(doc.episodes.size(), 1u);
    const auto& expects = doc.episodes.front().expects;
    ASSERT_EQ(expects.size(), 2u);
    EXPECT_TRUE(expects[0].ordered);
    ASSERT_EQ(expects[0].messages.size(), 2u);
    EXPECT_EQ(expects[0].messages[0].payload.text, "a");
    EXPECT_EQ(expects[0].messages[0].count, 2u);
    EXPECT_EQ(expects[0].messages[1].payload.text, "b");
    EXPECT_EQ(expects[0].within, 600ms);  // 2 × 30 + 500, rounded up
    ASSERT_EQ(expects[1].messages.size(), 1u);
    EXPECT_EQ(expects[1].messages[0].topic, "state");
}

TEST(RecordModel, ReactionsBeforeTheFirstTriggerAreLeftOutAndSaidSo) {
    record_settings s;
    s.trigger_filters = {"cmd"};
    const auto doc =
        build_scenario(of({message("noise", "x", 0ms), message("cmd", "go", 10ms)}), s);
    ASSERT_EQ(doc.episodes.size(), 1u);
    EXPECT_TRUE(doc.episodes.front().expects.empty());
    EXPECT_TRUE(doc.observe.empty());
    EXPECT_NE(doc.description.find("1 message(s) before the first trigger left out"),
              std::string::npos)
        << doc.description;
}

TEST(RecordModel, VaryingValuesOfReactionsAreLeftOutOfTheMatch) {
    record_settings s;
    s.trigger_filters = {"cmd"};
    const auto doc =
        build_scenario(of({message("cmd", "go", 0ms),
                           message("out", R"({"status":"ok","at":"2026-11-26T17:30:00Z"})", 10ms)}),
                       s);
    const auto& m = doc.episodes.at(0).expects.at(0).messages.at(0);
    EXPECT_EQ(m.payload.json, boost::json::parse(R"({"status":"ok"})"));
    EXPECT_EQ(m.payload.notes, (std::vector<std::string>{"$.at (ISO timestamp)"}));
}

TEST(RecordModel, ABareNumberThatKeepsIncreasingIsMatchedAsAnyNumber) {
    record_settings s;
    s.trigger_filters = {"cmd"};
    const auto doc =
        build_scenario(of({message("cmd", "go", 0ms), message("count", "7", 10ms),
                           message("cmd", "go", 2000ms), message("count", "8", 2010ms),
                           message("cmd", "go", 4000ms), message("count", "9", 4010ms)}),
                       s);
    ASSERT_EQ(doc.episodes.size(), 3u);
    for (const auto& e : doc.episodes) {
        const auto& m = e.expects.at(0).messages.at(0);
        EXPECT_EQ(m.payload.form, payload_doc::kind::regex);
        EXPECT_EQ(m.payload.text, R"(^-?\d+$)");
    }
}

TEST(RecordModel, RetainedMessagesArePublishedFirstOrExpectedOnSubscribing) {
    auto r = of({});
    auto kept = message("config/mode", "auto", 0ms, 1);
    kept.retain = true;
    r.retained = {kept};
    record_settings s;
    auto doc = build_scenario(r, s);
    ASSERT_EQ(doc.setup.size(), 1u);
    EXPECT_TRUE(doc.setup[0].retain);
    EXPECT_EQ(doc.setup[0].qos, 1);
    EXPECT_FALSE(doc.retained.has_value());
    EXPECT_FALSE(doc.observer_gets_retained);

    s.retained = retained_mode::expect;
    doc = build_scenario(r, s);
    EXPECT_TRUE(doc.setup.empty());
    ASSERT_TRUE(doc.retained.has_value());
    EXPECT_TRUE(doc.retained->messages.at(0).retain);
    EXPECT_TRUE(doc.observer_gets_retained);
    EXPECT_EQ(doc.observe, (std::vector<std::string>{"config/mode"}));

    s.retained = retained_mode::ignore;
    doc = build_scenario(r, s);
    EXPECT_TRUE(doc.setup.empty());
    EXPECT_FALSE(doc.retained.has_value());
}

}  // namespace
}  // namespace harness::cli::record
