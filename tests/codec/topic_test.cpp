// Topic names, filters and matching (MQTT section 4.7), including $-topics and $share.
#include "harness/codec/topic.hpp"

#include <gtest/gtest.h>

namespace harness::codec {
namespace {

struct match_case {
    const char* filter;
    const char* name;
    bool matches;
};

class TopicMatch : public ::testing::TestWithParam<match_case> {};

TEST_P(TopicMatch, FilterAgainstName) {
    const auto& c = GetParam();
    EXPECT_EQ(topic_matches(c.filter, c.name), c.matches) << c.filter << " vs " << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Spec, TopicMatch,
    ::testing::Values(
        // 4.7.1.2: multi-level wildcard, including the parent level.
        match_case{"sport/tennis/player1/#", "sport/tennis/player1", true},
        match_case{"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
        match_case{"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
        match_case{"sport/#", "sport", true}, match_case{"#", "sport/tennis", true},
        match_case{"#", "/", true},
        // 4.7.1.3: single-level wildcard.
        match_case{"sport/tennis/+", "sport/tennis/player1", true},
        match_case{"sport/tennis/+", "sport/tennis/player2", true},
        match_case{"sport/tennis/+", "sport/tennis/player1/ranking", false},
        match_case{"sport/+", "sport", false}, match_case{"sport/+", "sport/", true},
        match_case{"+/+", "/finance", true}, match_case{"/+", "/finance", true},
        match_case{"+", "/finance", false}, match_case{"+", "finance", true},
        match_case{"a/+/c", "a//c", true}, match_case{"+/b/#", "a/b", true},
        // Exact levels, case and empty levels are significant (4.7.3).
        match_case{"a/b", "a/b", true}, match_case{"a/b", "a/c", false},
        match_case{"a/b", "a/b/c", false}, match_case{"a/b/c", "a/b", false},
        match_case{"ACCOUNTS", "Accounts", false}, match_case{"a//b", "a//b", true},
        match_case{"a/b/", "a/b", false},
        // 4.7.2: topics starting with $ are not matched by a leading wildcard ([MQTT-4.7.2-1]).
        match_case{"#", "$SYS/broker/uptime", false},
        match_case{"+/monitor/Clients", "$SYS/monitor/Clients", false},
        match_case{"$SYS/#", "$SYS/monitor/Clients", true},
        match_case{"$SYS/monitor/+", "$SYS/monitor/Clients", true}, match_case{"+", "$SYS", false},
        match_case{"a/#", "a/$b", true}));

TEST(TopicName, Validation) {
    EXPECT_EQ(validate_topic_name("sport/tennis"), topic_error::none);
    EXPECT_EQ(validate_topic_name("/"), topic_error::none);
    EXPECT_EQ(validate_topic_name("$SYS/x"), topic_error::none);
    EXPECT_EQ(validate_topic_name(""), topic_error::empty);
    EXPECT_EQ(validate_topic_name("a/+"), topic_error::wildcard_in_name);
    EXPECT_EQ(validate_topic_name("a/#"), topic_error::wildcard_in_name);
    EXPECT_EQ(validate_topic_name(std::string_view("a\0b", 3)), topic_error::null_character);
    EXPECT_EQ(validate_topic_name(std::string(65536, 'a')), topic_error::too_long);
    EXPECT_EQ(validate_topic_name(std::string(65535, 'a')), topic_error::none);
}

TEST(TopicFilter, Validation) {
    for (const char* valid : {"#", "+", "sport/#", "sport/+/x", "+/+", "/", "+/", "a//b", "$SYS/#",
                              "$share/g/a/#", "$share/g/+", "$share/g/#"}) {
        EXPECT_EQ(validate_topic_filter(valid), topic_error::none) << valid;
    }
    for (const char* bad :
         {"sport/tennis#", "sport/tennis/#/ranking", "sport+", "a/+b", "#/a", "##"}) {
        EXPECT_EQ(validate_topic_filter(bad), topic_error::misplaced_wildcard) << bad;
    }
    EXPECT_EQ(validate_topic_filter(""), topic_error::empty);
    for (const char* bad : {"$share/g", "$share//a", "$share/g+/a", "$share/#/a", "$share/g/"}) {
        EXPECT_EQ(validate_topic_filter(bad), topic_error::invalid_share) << bad;
    }
    EXPECT_EQ(validate_topic_filter("$share/g/a+"), topic_error::misplaced_wildcard);
}

TEST(SharedSubscription, SplitsGroupAndFilter) {
    const auto shared = parse_shared_subscription("$share/consumers/sensors/+/temp");
    ASSERT_TRUE(shared);
    EXPECT_EQ(shared->group, "consumers");
    EXPECT_EQ(shared->filter, "sensors/+/temp");
    EXPECT_FALSE(parse_shared_subscription("sensors/#"));
    EXPECT_FALSE(parse_shared_subscription("$SYS/#"));
}

}  // namespace
}  // namespace harness::codec
