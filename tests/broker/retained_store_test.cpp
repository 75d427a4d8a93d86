// The broker's retained messages: storing, replacing and deleting them (MQTT 3.3.1.3), lookups
// by wildcard filter (4.7) and message expiry.
#include "harness/broker/retained_store.hpp"

#include "harness/codec/topic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace harness::broker {
namespace {

using namespace std::chrono_literals;
using strings = std::vector<std::string>;
using clock = std::chrono::steady_clock;

retained_message message(std::string topic, std::string payload,
                         std::optional<clock::time_point> expires_at = std::nullopt) {
    retained_message m;
    m.topic = std::move(topic);
    m.payload.assign(payload.begin(), payload.end());
    m.qos = codec::qos::at_least_once;
    m.expires_at = expires_at;
    return m;
}

/// Topics of the messages the filter finds, sorted.
strings lookup(retained_store& store, std::string_view filter, clock::time_point now = {}) {
    strings out;
    store.match(filter, now, [&](const retained_message& m) { out.push_back(m.topic); });
    std::sort(out.begin(), out.end());
    return out;
}

TEST(RetainedStore, StoresOneMessagePerTopicAndReplacesIt_MQTT_3_3_1_5) {
    retained_store store;
    store.store(message("a/b", "one"));
    store.store(message("a/c", "two"));
    EXPECT_EQ(store.size(), 2u);
    EXPECT_EQ(store.bytes(), 3u + 3 + 3 + 3);
    store.store(message("a/b", "three"));
    EXPECT_EQ(store.size(), 2u);
    EXPECT_EQ(store.bytes(), 3u + 5 + 3 + 3);
    const retained_message* m = store.find("a/b");
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(std::string(m->payload.begin(), m->payload.end()), "three");
    EXPECT_EQ(m->qos, codec::qos::at_least_once);
    EXPECT_EQ(store.find("a"), nullptr);
    EXPECT_EQ(store.find("a/b/c"), nullptr);
}

TEST(RetainedStore, EmptyPayloadDeletesTheTopicsMessage_MQTT_3_3_1_6) {
    // 5.0 [MQTT-3.3.1-6/7], 3.1.1 [MQTT-3.3.1-10/11]: removed, and not stored itself.
    retained_store store;
    store.store(message("a/b", "one"));
    store.store(message("a/b/c", "two"));
    store.store(message("a/b", ""));
    EXPECT_EQ(store.find("a/b"), nullptr);
    EXPECT_EQ(store.size(), 1u);
    EXPECT_EQ(store.bytes(), 5u + 3);
    EXPECT_EQ(lookup(store, "a/#"), strings{"a/b/c"});
    store.store(message("x", ""));  // nothing to delete: nothing stored either
    EXPECT_EQ(store.size(), 1u);
    EXPECT_EQ(store.find("x"), nullptr);
    EXPECT_EQ(store.node_count(), 3u);
}

TEST(RetainedStore, DeletingPrunesEmptyNodes) {
    retained_store store;
    store.store(message("a/b/c/d", "1"));
    store.store(message("a/b", "2"));
    store.store(message("a/x", "3"));
    EXPECT_EQ(store.node_count(), 5u);
    EXPECT_TRUE(store.erase("a/b/c/d"));
    EXPECT_EQ(store.node_count(), 3u);  // "a", "a/b", "a/x"
    EXPECT_FALSE(store.erase("a/b/c/d"));
    EXPECT_FALSE(store.erase("a"));  // a node without a message
    EXPECT_TRUE(store.erase("a/b"));
    EXPECT_EQ(store.node_count(), 2u);
    // A view of the message's own topic is a valid argument.
    EXPECT_TRUE(store.erase(store.find("a/x")->topic));
    EXPECT_EQ(store.node_count(), 0u);
    EXPECT_EQ(store.size(), 0u);
    EXPECT_EQ(store.bytes(), 0u);
}

TEST(RetainedStore, WildcardFiltersFindTheMatchingTopics) {
    retained_store store;
    for (const char* topic :
         {"sport", "sport/tennis", "sport/tennis/player1", "sport/tennis/player1/ranking",
          "sport/golf", "sport/", "/finance", "a//c", "a/b/c"}) {
        store.store(message(topic, "x"));
    }
    EXPECT_EQ(lookup(store, "sport/tennis"), strings{"sport/tennis"});
    EXPECT_EQ(lookup(store, "sport/+"), (strings{"sport/", "sport/golf", "sport/tennis"}));
    EXPECT_EQ(lookup(store, "sport/#"),
              (strings{"sport", "sport/", "sport/golf", "sport/tennis", "sport/tennis/player1",
                       "sport/tennis/player1/ranking"}));
    EXPECT_EQ(lookup(store, "sport/tennis/player1/#"),
              (strings{"sport/tennis/player1", "sport/tennis/player1/ranking"}));
    EXPECT_EQ(lookup(store, "sport/tennis/+/ranking"), strings{"sport/tennis/player1/ranking"});
    EXPECT_EQ(lookup(store, "+"), strings{"sport"});
    EXPECT_EQ(lookup(store, "+/+"), (strings{"/finance", "sport/", "sport/golf", "sport/tennis"}));
    EXPECT_EQ(lookup(store, "a/+/c"), (strings{"a//c", "a/b/c"}));
    EXPECT_EQ(lookup(store, "+/+/c"), (strings{"a//c", "a/b/c"}));
    EXPECT_EQ(lookup(store, "#").size(), 9u);
    EXPECT_TRUE(lookup(store, "sport/tennis/player2").empty());
    EXPECT_TRUE(lookup(store, "golf/#").empty());
}

TEST(RetainedStore, DollarTopicsAreNotMatchedByALeadingWildcard_MQTT_4_7_2_1) {
    retained_store store;
    store.store(message("$SYS/broker/uptime", "1"));
    store.store(message("$SYS", "2"));
    store.store(message("a/$b", "3"));
    EXPECT_EQ(lookup(store, "#"), strings{"a/$b"});
    EXPECT_TRUE(lookup(store, "+").empty());
    EXPECT_TRUE(lookup(store, "+/broker/uptime").empty());
    EXPECT_EQ(lookup(store, "$SYS/#"), (strings{"$SYS", "$SYS/broker/uptime"}));
    EXPECT_EQ(lookup(store, "$SYS/+/uptime"), strings{"$SYS/broker/uptime"});
    EXPECT_EQ(lookup(store, "a/+"), strings{"a/$b"});  // only the first level counts
}

TEST(RetainedStore, ExpiredMessagesAreSkippedAndErased) {
    const clock::time_point now = clock::now();
    retained_store store;
    store.store(message("a/old", "1", now - 1s));
    store.store(message("a/due", "2", now));  // expires at `now`: gone
    store.store(message("a/fresh", "3", now + 1s));
    store.store(message("a/forever", "4"));
    store.store(message("b/old", "5", now - 1s));
    EXPECT_EQ(lookup(store, "a/+", now), (strings{"a/forever", "a/fresh"}));
    EXPECT_EQ(store.size(), 3u);
    EXPECT_EQ(store.find("a/old"), nullptr);
    EXPECT_EQ(store.find("a/due"), nullptr);
    EXPECT_NE(store.find("b/old"), nullptr);  // erased when a lookup comes across it
    EXPECT_EQ(store.bytes(), 7u + 1 + 9 + 1 + 5 + 1);
    EXPECT_EQ(lookup(store, "#", now + 2s), strings{"a/forever"});
    EXPECT_EQ(store.size(), 1u);
    EXPECT_EQ(store.node_count(), 2u);
}

TEST(RetainedStore, AgreesWithTopicMatchesOnRandomFiltersAndTopics) {
    // Levels from a small alphabet so that filters and topics collide often.
    std::mt19937 rng(11);
    const auto random_path = [&rng](bool filter) {
        static const char* const levels[] = {"a", "b", "", "$s", "+", "#"};
        std::string out;
        const unsigned depth = 1 + rng() % 4;
        for (unsigned i = 0; i < depth; ++i) {
            const char* level = levels[rng() % (filter ? 6 : 4)];
            out += (i == 0 ? "" : "/") + std::string(level);
            if (level[0] == '#')
                break;
        }
        return out.empty() ? std::string("b") : out;  // "" is neither a filter nor a topic
    };
    retained_store store;
    std::set<std::string> topics;  // what the store should hold
    for (int i = 0; i < 600; ++i) {
        const std::string topic = random_path(false);
        const bool remove = i % 3 == 2;  // an empty payload deletes
        store.store(message(topic, remove ? "" : "x"));
        if (remove)
            topics.erase(topic);
        else
            topics.insert(topic);
    }
    ASSERT_EQ(store.size(), topics.size());
    for (int i = 0; i < 500; ++i) {
        const std::string filter = random_path(true);
        strings expected;
        for (const std::string& topic : topics) {
            if (codec::topic_matches(filter, topic))
                expected.push_back(topic);
        }
        ASSERT_EQ(lookup(store, filter), expected) << filter;
    }
}

TEST(RetainedStore, DeepTopicsDoNotRecurse) {
    std::string topic = "x";
    for (int i = 1; i < 32767; ++i)
        topic += "/x";
    auto store = std::make_unique<retained_store>();
    store->store(message(topic, "deep"));
    store->store(message("x", "shallow"));
    EXPECT_EQ(lookup(*store, "#").size(), 2u);
    EXPECT_EQ(store->node_count(), 32767u);
    retained_store moved = std::move(*store);
    EXPECT_EQ(store->size(), 0u);
    store.reset();
    EXPECT_TRUE(moved.erase(topic));
    EXPECT_EQ(moved.node_count(), 1u);
    moved.store(message(topic, "deep"));  // and destroyed with the store
}

TEST(RetainedStore, AVisitReturningFalseEndsTheWalk) {
    // A receiver that is full stops the walk: the cost is what it took, not the store's size.
    retained_store store;
    for (int i = 0; i < 1000; ++i)
        store.store(message("t/" + std::to_string(i), "x"));
    int visited = 0;
    store.match("#", {}, [&](const retained_message&) { return ++visited < 10; });
    EXPECT_EQ(visited, 10);
    visited = 0;
    store.match("t/+", {}, [&](const retained_message&) { return ++visited < 1; });
    EXPECT_EQ(visited, 1);
    EXPECT_EQ(lookup(store, "#").size(), 1000u);  // a void visit still sees every message
}

}  // namespace
}  // namespace harness::broker
