// The broker's subscription trie: wildcard matching (MQTT 4.7), shared subscriptions (4.8.2),
// replacement and removal of subscriptions, and pruning of empty nodes.
#include "harness/broker/topic_tree.hpp"

#include "harness/codec/topic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace harness::broker {
namespace {

using strings = std::vector<std::string>;

subscriber sub(session_key session, std::string filter,
               codec::qos max_qos = codec::qos::at_most_once,
               std::optional<std::uint32_t> identifier = std::nullopt) {
    subscriber s;
    s.session = session;
    s.options.topic_filter = std::move(filter);
    s.options.max_qos = max_qos;
    s.identifier = identifier;
    return s;
}

/// "session:filter" for each visit of match(topic), sorted.
strings matches(topic_tree& tree, std::string_view topic) {
    strings out;
    tree.match(topic, [&](const subscriber& s) {
        out.push_back(std::to_string(s.session) + ":" + s.options.topic_filter);
    });
    std::sort(out.begin(), out.end());
    return out;
}

/// Sessions chosen over `messages` publications on `topic`: session -> deliveries.
std::map<session_key, int> spread(topic_tree& tree, std::string_view topic, int messages,
                                  const std::vector<session_key>& offline = {}) {
    std::map<session_key, int> count;
    const auto eligible = [&](session_key s) {
        return std::find(offline.begin(), offline.end(), s) == offline.end();
    };
    for (int i = 0; i < messages; ++i)
        tree.match(
            topic, [&](const subscriber& s) { ++count[s.session]; }, eligible);
    return count;
}

TEST(TopicTree, ExactFilterMatchesOnlyItsOwnTopic) {
    topic_tree tree;
    tree.subscribe(sub(1, "sport/tennis"));
    EXPECT_EQ(matches(tree, "sport/tennis"), strings{"1:sport/tennis"});
    EXPECT_TRUE(matches(tree, "sport").empty());
    EXPECT_TRUE(matches(tree, "sport/tennis/player1").empty());
    EXPECT_TRUE(matches(tree, "sport/tennis/").empty());
    // No normalisation: case and spaces are significant ([MQTT-4.7.3-4]).
    EXPECT_TRUE(matches(tree, "Sport/tennis").empty());
    EXPECT_TRUE(matches(tree, "sport/tennis ").empty());
}

TEST(TopicTree, PlusMatchesExactlyOneLevelIncludingAnEmptyOne) {
    topic_tree tree;
    tree.subscribe(sub(1, "sport/tennis/+"));
    tree.subscribe(sub(2, "sport/+"));
    tree.subscribe(sub(3, "+/+"));
    tree.subscribe(sub(4, "+"));
    EXPECT_EQ(matches(tree, "sport/tennis/player1"), strings{"1:sport/tennis/+"});
    EXPECT_TRUE(matches(tree, "sport/tennis/player1/ranking").empty());
    EXPECT_EQ(matches(tree, "sport/tennis"), (strings{"2:sport/+", "3:+/+"}));
    EXPECT_EQ(matches(tree, "sport"), strings{"4:+"});  // "sport/+" needs a second level
    EXPECT_EQ(matches(tree, "sport/"), (strings{"2:sport/+", "3:+/+"}));  // ... an empty one
    EXPECT_EQ(matches(tree, "/finance"), strings{"3:+/+"});               // "+" is one level only
}

TEST(TopicTree, HashMatchesEveryLevelBelow) {
    topic_tree tree;
    tree.subscribe(sub(1, "sport/tennis/player1/#"));
    tree.subscribe(sub(2, "#"));
    EXPECT_EQ(matches(tree, "sport/tennis/player1/ranking"),
              (strings{"1:sport/tennis/player1/#", "2:#"}));
    EXPECT_EQ(matches(tree, "sport/tennis/player1/score/wimbledon"),
              (strings{"1:sport/tennis/player1/#", "2:#"}));
    EXPECT_EQ(matches(tree, "sport/tennis/player2"), strings{"2:#"});
    EXPECT_EQ(matches(tree, "/"), strings{"2:#"});
}

TEST(TopicTree, HashAlsoMatchesTheParentLevel) {
    topic_tree tree;
    tree.subscribe(sub(1, "sport/#"));
    tree.subscribe(sub(2, "sport/tennis/#"));
    tree.subscribe(sub(3, "+/#"));
    EXPECT_EQ(matches(tree, "sport"), (strings{"1:sport/#", "3:+/#"}));
    EXPECT_EQ(matches(tree, "sport/tennis"), (strings{"1:sport/#", "2:sport/tennis/#", "3:+/#"}));
}

TEST(TopicTree, EmptyLevelsAreLevelsOfTheirOwn) {
    topic_tree tree;
    tree.subscribe(sub(1, "a//b"));
    tree.subscribe(sub(2, "/a"));
    tree.subscribe(sub(3, "a/+/b"));
    tree.subscribe(sub(4, "a/"));
    EXPECT_EQ(matches(tree, "a//b"), (strings{"1:a//b", "3:a/+/b"}));
    EXPECT_TRUE(matches(tree, "a/b").empty());
    EXPECT_EQ(matches(tree, "/a"), strings{"2:/a"});
    EXPECT_TRUE(matches(tree, "a").empty());
    EXPECT_EQ(matches(tree, "a/"), strings{"4:a/"});
}

TEST(TopicTree, DollarTopicsAreNotMatchedByALeadingWildcard_MQTT_4_7_2_1) {
    topic_tree tree;
    tree.subscribe(sub(1, "#"));
    tree.subscribe(sub(2, "+/monitor/Clients"));
    tree.subscribe(sub(3, "+"));
    tree.subscribe(sub(4, "$SYS/#"));
    tree.subscribe(sub(5, "$SYS/monitor/+"));
    tree.subscribe(sub(6, "$share/g/#"));
    tree.subscribe(sub(7, "a/#"));
    EXPECT_EQ(matches(tree, "$SYS/monitor/Clients"), (strings{"4:$SYS/#", "5:$SYS/monitor/+"}));
    EXPECT_EQ(matches(tree, "$SYS"), strings{"4:$SYS/#"});
    EXPECT_TRUE(matches(tree, "$").empty());
    // Only the first level counts.
    EXPECT_EQ(matches(tree, "a/$b"), (strings{"1:#", "6:$share/g/#", "7:a/#"}));
    EXPECT_EQ(matches(tree, "x/monitor/Clients"),
              (strings{"1:#", "2:+/monitor/Clients", "6:$share/g/#"}));
}

TEST(TopicTree, OverlappingFiltersOfOneSessionAreVisitedOncePerFilter_MQTT_3_3_4_2) {
    topic_tree tree;
    tree.subscribe(sub(1, "a/b", codec::qos::at_most_once, 11));
    tree.subscribe(sub(1, "a/+", codec::qos::at_least_once, 12));
    tree.subscribe(sub(1, "a/#", codec::qos::exactly_once));
    tree.subscribe(sub(1, "#", codec::qos::at_most_once, 14));
    EXPECT_EQ(tree.size(), 4u);
    // The caller merges them: highest QoS, every identifier ([MQTT-3.3.4-3]).
    std::vector<std::optional<std::uint32_t>> ids;
    int max_qos = 0;
    tree.match("a/b", [&](const subscriber& s) {
        ids.push_back(s.identifier);
        max_qos = std::max(max_qos, static_cast<int>(s.options.max_qos));
    });
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, (std::vector<std::optional<std::uint32_t>>{std::nullopt, 11, 12, 14}));
    EXPECT_EQ(max_qos, 2);
}

TEST(TopicTree, SubscribingAgainToTheSameFilterReplacesTheSubscription_MQTT_3_8_4_3) {
    topic_tree tree;
    EXPECT_FALSE(tree.subscribe(sub(1, "a/+", codec::qos::at_most_once, 1)));
    EXPECT_TRUE(tree.subscribe(sub(1, "a/+", codec::qos::exactly_once, 2)));
    EXPECT_FALSE(tree.subscribe(sub(2, "a/+")));  // another session's: a subscription of its own
    EXPECT_EQ(tree.size(), 2u);
    int visits = 0;
    tree.match("a/b", [&](const subscriber& s) {
        if (s.session != 1)
            return;
        ++visits;
        EXPECT_EQ(s.options.max_qos, codec::qos::exactly_once);
        EXPECT_EQ(s.identifier, 2u);
    });
    EXPECT_EQ(visits, 1);
    ASSERT_NE(tree.find("a/+", 1), nullptr);
    EXPECT_EQ(tree.find("a/+", 1)->identifier, 2u);
    EXPECT_EQ(tree.find("a/+", 3), nullptr);
}

TEST(TopicTree, UnsubscribeComparesFiltersCharacterByCharacter_MQTT_3_10_4_1) {
    topic_tree tree;
    tree.subscribe(sub(1, "a/b/c"));
    tree.subscribe(sub(2, "a/#"));
    EXPECT_FALSE(tree.unsubscribe("a/+/c", 1));  // matches the topics, but is not the filter
    EXPECT_FALSE(tree.unsubscribe("a/b", 1));    // a prefix of the filter
    EXPECT_FALSE(tree.unsubscribe("a/#", 1));    // another session's filter
    EXPECT_FALSE(tree.unsubscribe("x", 3));      // a session without subscriptions
    EXPECT_EQ(tree.size(), 2u);
    EXPECT_TRUE(tree.unsubscribe("a/b/c", 1));
    EXPECT_FALSE(tree.unsubscribe("a/b/c", 1));
    EXPECT_EQ(matches(tree, "a/b/c"), strings{"2:a/#"});
    EXPECT_EQ(tree.size(), 1u);
    // A view of the stored filter is a valid argument.
    EXPECT_TRUE(tree.unsubscribe(tree.find("a/#", 2)->options.topic_filter, 2));
    EXPECT_EQ(tree.node_count(), 0u);
}

TEST(TopicTree, UnsubscribeAllDropsEverySubscriptionOfOneSession) {
    topic_tree tree;
    tree.subscribe(sub(1, "a"));
    tree.subscribe(sub(1, "b/+"));
    tree.subscribe(sub(1, "$share/g/c"));
    tree.subscribe(sub(2, "a"));
    tree.subscribe(sub(2, "$share/g/c"));
    tree.unsubscribe_all(1);
    tree.unsubscribe_all(3);  // unknown session: nothing happens
    EXPECT_EQ(tree.size(), 2u);
    EXPECT_EQ(matches(tree, "a"), strings{"2:a"});
    EXPECT_TRUE(matches(tree, "b/x").empty());
    EXPECT_EQ(matches(tree, "c"), strings{"2:$share/g/c"});
    EXPECT_FALSE(tree.unsubscribe("a", 1));
    tree.unsubscribe_all(2);
    EXPECT_EQ(tree.size(), 0u);
    EXPECT_EQ(tree.node_count(), 0u);
}

TEST(TopicTree, EmptyNodesArePrunedSoChurnDoesNotGrowTheTree) {
    topic_tree tree;
    tree.subscribe(sub(1, "a/b"));
    tree.subscribe(sub(1, "a/b/c/+/#"));
    EXPECT_EQ(tree.node_count(), 5u);
    EXPECT_TRUE(tree.unsubscribe("a/b/c/+/#", 1));
    EXPECT_EQ(tree.node_count(), 2u);  // "a" and "a/b" remain
    EXPECT_TRUE(tree.unsubscribe("a/b", 1));
    EXPECT_EQ(tree.node_count(), 0u);

    for (session_key s = 0; s < 1000; ++s) {
        const std::string filter = "dev/" + std::to_string(s) + "/+/temp";
        tree.subscribe(sub(s, filter));
        tree.subscribe(sub(s + 1, "$share/g" + std::to_string(s) + "/" + filter));
        tree.subscribe(sub(s, "dev/#"));
        EXPECT_TRUE(tree.unsubscribe(filter, s));
        tree.unsubscribe_all(s + 1);
        tree.unsubscribe_all(s);
    }
    EXPECT_EQ(tree.size(), 0u);
    EXPECT_EQ(tree.node_count(), 0u);
}

TEST(TopicTree, SharedGroupRoundRobinSpreadsMessagesEvenly) {
    topic_tree tree;
    for (session_key s : {1, 2, 3})
        tree.subscribe(sub(s, "$share/workers/jobs/+"));
    EXPECT_EQ(tree.size(), 3u);
    // One member per message, each in turn.
    EXPECT_EQ(spread(tree, "jobs/x", 9), (std::map<session_key, int>{{1, 3}, {2, 3}, {3, 3}}));
    EXPECT_TRUE(matches(tree, "other").empty());
}

TEST(TopicTree, SharedGroupSkipsMembersThatAreNotEligible) {
    topic_tree tree;
    for (session_key s : {1, 2, 3})
        tree.subscribe(sub(s, "$share/g/jobs"));
    EXPECT_EQ(spread(tree, "jobs", 6, {2}), (std::map<session_key, int>{{1, 3}, {3, 3}}));
    // With no member eligible the message still goes to one of them, in turn.
    EXPECT_EQ(spread(tree, "jobs", 6, {1, 2, 3}),
              (std::map<session_key, int>{{1, 2}, {2, 2}, {3, 2}}));
}

TEST(TopicTree, SharedGroupKeepsRotatingWhenAMemberLeaves) {
    topic_tree tree;
    for (session_key s : {1, 2, 3})
        tree.subscribe(sub(s, "$share/g/jobs"));
    EXPECT_TRUE(tree.subscribe(sub(2, "$share/g/jobs", codec::qos::at_least_once)));
    EXPECT_EQ(tree.size(), 3u);
    EXPECT_EQ(spread(tree, "jobs", 2), (std::map<session_key, int>{{1, 1}, {2, 1}}));
    EXPECT_TRUE(tree.unsubscribe("$share/g/jobs", 2));
    EXPECT_FALSE(tree.unsubscribe("$share/other/jobs", 1));
    EXPECT_EQ(spread(tree, "jobs", 4), (std::map<session_key, int>{{1, 2}, {3, 2}}));
    tree.unsubscribe_all(1);
    tree.unsubscribe_all(3);
    EXPECT_TRUE(matches(tree, "jobs").empty());
    EXPECT_EQ(tree.node_count(), 0u);
}

TEST(TopicTree, TwoGroupsWithTheSameFilterEachGetOneCopy) {
    topic_tree tree;
    tree.subscribe(sub(1, "$share/g1/a/+"));
    tree.subscribe(sub(2, "$share/g1/a/+"));
    tree.subscribe(sub(3, "$share/g2/a/+"));
    tree.subscribe(sub(4, "$share/g2/a/+"));
    tree.subscribe(sub(5, "$share/g1/a/#"));  // same group name, other filter: another group
    for (int i = 0; i < 4; ++i) {
        const strings got = matches(tree, "a/b");
        ASSERT_EQ(got.size(), 3u);
        EXPECT_EQ(std::count_if(got.begin(), got.end(),
                                [](const std::string& m) { return m.ends_with("g1/a/+"); }),
                  1);
        EXPECT_EQ(std::count_if(got.begin(), got.end(),
                                [](const std::string& m) { return m.ends_with("g2/a/+"); }),
                  1);
        EXPECT_EQ(got.back(), "5:$share/g1/a/#");
    }
}

TEST(TopicTree, SharedAndNonSharedSubscriptionsAreBothDelivered) {
    topic_tree tree;
    tree.subscribe(sub(1, "$share/g/a"));
    tree.subscribe(sub(1, "a"));
    tree.subscribe(sub(2, "a"));
    EXPECT_EQ(matches(tree, "a"), (strings{"1:$share/g/a", "1:a", "2:a"}));
    ASSERT_NE(tree.find("$share/g/a", 1), nullptr);
    EXPECT_EQ(tree.find("$share/h/a", 1), nullptr);
    EXPECT_TRUE(tree.unsubscribe("a", 1));
    EXPECT_EQ(matches(tree, "a"), (strings{"1:$share/g/a", "2:a"}));
}

/// A filter (with wildcards) or a topic name of 1 to 4 levels from a small alphabet, so that
/// they collide often; "$s" tests the '$' rule wherever it lands.
std::string random_path(std::mt19937& rng, bool filter) {
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
}

TEST(TopicTree, AgreesWithTopicMatchesOnRandomFiltersAndTopics) {
    std::mt19937 rng(7);
    topic_tree tree;
    std::vector<std::string> filters;
    for (session_key s = 0; s < 300; ++s) {
        filters.push_back(random_path(rng, true));
        tree.subscribe(sub(s, filters.back()));
    }
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 500; ++i) {
            const std::string topic = random_path(rng, false);
            strings expected;
            for (session_key s = 0; s < filters.size(); ++s) {
                if (!filters[s].empty() && codec::topic_matches(filters[s], topic))
                    expected.push_back(std::to_string(s) + ":" + filters[s]);
            }
            std::sort(expected.begin(), expected.end());
            ASSERT_EQ(matches(tree, topic), expected) << topic;
        }
        for (session_key s = 0; s < filters.size(); s += 2) {  // then again with half of them
            if (!filters[s].empty()) {
                EXPECT_TRUE(tree.unsubscribe(std::exchange(filters[s], ""), s));
            }
        }
    }
    for (session_key s = 0; s < filters.size(); ++s)
        tree.unsubscribe_all(s);
    EXPECT_EQ(tree.size(), 0u);
    EXPECT_EQ(tree.node_count(), 0u);
}

TEST(TopicTree, DeepFiltersAndTopicsDoNotRecurse) {
    // 32k levels, as long as a topic may be; destroying the tree must not recurse either.
    std::string filter = "+";
    std::string topic = "x";
    for (int i = 1; i < 32767; ++i) {
        filter += "/+";
        topic += "/x";
    }
    auto tree = std::make_unique<topic_tree>();
    tree->subscribe(sub(1, filter));
    tree->subscribe(sub(2, topic));
    EXPECT_EQ(matches(*tree, topic), (strings{"1:" + filter, "2:" + topic}));
    EXPECT_TRUE(tree->unsubscribe(filter, 1));
    topic_tree moved = std::move(*tree);
    EXPECT_EQ(tree->size(), 0u);
    EXPECT_EQ(moved.size(), 1u);
    EXPECT_EQ(moved.node_count(), 32767u);
    tree.reset();
}

}  // namespace
}  // namespace harness::broker
