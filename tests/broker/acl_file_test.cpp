// Mosquitto ACL files: parsing (sections, access words, errors with their lines) and the access
// decisions (anonymous section, user sections, %c/%u patterns, deny, $SYS, subscribe filters).
#include "harness/broker/acl_file.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/temp_dir.hpp"

namespace harness::broker {
namespace {

using access = acl_access;

acl_file parse_ok(std::string_view text) {
    auto result = acl_file::parse(text);
    if (!result) {
        std::string all;
        for (const auto& error : result.error())
            all += std::to_string(error.line) + ": " + error.message + "\n";
        ADD_FAILURE() << all;
        return {};
    }
    return std::move(result).value();
}

std::vector<acl_file_error> parse_errors(std::string_view text) {
    auto result = acl_file::parse(text);
    if (result) {
        ADD_FAILURE() << "parsed without errors";
        return {};
    }
    return std::move(result).error();
}

TEST(AclFileParse, SectionsAndAccessWords) {
    const auto acl = parse_ok(
        "# anonymous clients\n"
        "topic read public/#\n"
        "\n"
        "  topic   status  \r\n"
        "user alice\n"
        "topic write alice/out\n"
        "topic deny alice/secret\n"
        "pattern readwrite devices/%c/#\n"
        "user bob smith\n"
        "topic read with spaces/in it\n"
        "user alice\n"
        "topic readwrite alice/more\n");
    ASSERT_EQ(acl.anonymous_rules().size(), 2u);
    EXPECT_EQ(acl.anonymous_rules()[0], (acl_rule{acl_permission::read, "public/#", 2}));
    EXPECT_EQ(acl.anonymous_rules()[1], (acl_rule{acl_permission::readwrite, "status", 4}));
    const auto* alice = acl.user_rules("alice");
    ASSERT_NE(alice, nullptr);
    ASSERT_EQ(alice->size(), 3u);  // both sections merged
    EXPECT_EQ((*alice)[0], (acl_rule{acl_permission::write, "alice/out", 6}));
    EXPECT_EQ((*alice)[1], (acl_rule{acl_permission::deny, "alice/secret", 7}));
    EXPECT_EQ((*alice)[2], (acl_rule{acl_permission::readwrite, "alice/more", 12}));
    const auto* bob = acl.user_rules("bob smith");
    ASSERT_NE(bob, nullptr);
    ASSERT_EQ(bob->size(), 1u);
    EXPECT_EQ((*bob)[0].topic, "with spaces/in it");
    EXPECT_EQ(acl.user_rules("carol"), nullptr);
    ASSERT_EQ(acl.patterns().size(), 1u);  // patterns are global wherever they stand
    EXPECT_EQ(acl.patterns()[0], (acl_rule{acl_permission::readwrite, "devices/%c/#", 8}));
}

TEST(AclFileParse, EveryErrorWithItsLine) {
    const auto errors = parse_errors(
        "topic read ok\n"
        "topics read a\n"       // 2: unknown keyword
        "topic\n"               // 3: missing topic
        "topic read\n"          // 4: missing topic after the access word
        "topic maybe a/b\n"     // 5: bad access word
        "topic read a/#/b\n"    // 6: bad filter
        "pattern write a+/b\n"  // 7: bad filter
        "user\n"                // 8: missing user name
        "topic write fine\n");
    ASSERT_EQ(errors.size(), 7u);
    EXPECT_EQ(errors[0].line, 2u);
    EXPECT_NE(errors[0].message.find("unknown keyword 'topics'"), std::string::npos);
    EXPECT_EQ(errors[1].line, 3u);
    EXPECT_NE(errors[1].message.find("needs a topic"), std::string::npos);
    EXPECT_EQ(errors[2].line, 4u);
    EXPECT_NE(errors[2].message.find("needs a topic"), std::string::npos);
    EXPECT_EQ(errors[3].line, 5u);
    EXPECT_NE(errors[3].message.find("unknown access 'maybe'"), std::string::npos);
    EXPECT_EQ(errors[4].line, 6u);
    EXPECT_NE(errors[4].message.find("invalid topic filter 'a/#/b'"), std::string::npos);
    EXPECT_EQ(errors[5].line, 7u);
    EXPECT_NE(errors[5].message.find("invalid topic filter 'a+/b'"), std::string::npos);
    EXPECT_EQ(errors[6].line, 8u);
    EXPECT_NE(errors[6].message.find("user name"), std::string::npos);
}

TEST(AclFileParse, EmptyFileRefusesEverything) {
    const auto acl = parse_ok("# nothing\n\n");
    EXPECT_FALSE(acl.allowed("c", std::nullopt, "a", access::read));
    EXPECT_FALSE(acl.allowed("c", "alice", "a", access::write));
    EXPECT_FALSE(acl_file{}.allowed("c", "alice", "a", access::subscribe));
}

TEST(AclFileLoad, ReadsAFileAndReportsAMissingOne) {
    test_support::temp_dir dir("acl-test");
    const auto path = dir.write("acl", "user alice\ntopic alice/#\n");
    const auto loaded = acl_file::load(path);
    ASSERT_TRUE(loaded);
    EXPECT_TRUE(loaded->allowed("c", "alice", "alice/x", access::write));

    const auto missing = acl_file::load(dir.file("none"));
    ASSERT_FALSE(missing);
    ASSERT_EQ(missing.error().size(), 1u);
    EXPECT_EQ(missing.error()[0].line, 0u);
    EXPECT_FALSE(acl_file::load(dir.path()));  // a directory is not a file
}

TEST(AclFileAllowed, PatternUserAllowsOwnTopicOnly) {
    const auto acl = parse_ok("pattern readwrite users/%u/#\n");
    EXPECT_TRUE(acl.allowed("c1", "alice", "users/alice/inbox", access::write));
    EXPECT_TRUE(acl.allowed("c1", "alice", "users/alice", access::read));
    EXPECT_FALSE(acl.allowed("c1", "alice", "users/bob/inbox", access::write));
    EXPECT_FALSE(acl.allowed("c1", "alice", "users/bob/inbox", access::read));
    EXPECT_TRUE(acl.allowed("c2", "bob", "users/bob/inbox", access::read));
    // No user name: a %u pattern never matches.
    EXPECT_FALSE(acl.allowed("c1", std::nullopt, "users//inbox", access::read));
}

TEST(AclFileAllowed, PatternClientId) {
    const auto acl = parse_ok("pattern write devices/%c/state\npattern read cmd/%c-%u\n");
    EXPECT_TRUE(acl.allowed("dev1", std::nullopt, "devices/dev1/state", access::write));
    EXPECT_FALSE(acl.allowed("dev1", std::nullopt, "devices/dev2/state", access::write));
    EXPECT_FALSE(acl.allowed("dev1", std::nullopt, "devices/dev1/state", access::read));
    // Substituted inside a level too.
    EXPECT_TRUE(acl.allowed("dev1", "ann", "cmd/dev1-ann", access::read));
}

TEST(AclFileAllowed, WildcardsOrSlashesInNamesNeverMatchPatterns) {
    const auto acl = parse_ok("pattern readwrite users/%u/#\npattern readwrite dev/%c\n");
    // A user named "#" would otherwise get users/#, and "a/b" would reach into a's tree.
    EXPECT_FALSE(acl.allowed("c", "#", "users/anyone/x", access::read));
    EXPECT_FALSE(acl.allowed("c", "+", "users/anyone", access::write));
    EXPECT_FALSE(acl.allowed("c", "a/b", "users/a/b", access::write));
    EXPECT_FALSE(acl.allowed("c", "#", "users/#", access::subscribe));
    EXPECT_FALSE(acl.allowed("+", std::nullopt, "dev/x", access::write));
    EXPECT_FALSE(acl.allowed("x/y", std::nullopt, "dev/x/y", access::write));
    EXPECT_TRUE(acl.allowed("x", std::nullopt, "dev/x", access::write));
}

TEST(AclFileAllowed, DenyOverridesReadwrite) {
    const auto acl = parse_ok(
        "user alice\n"
        "topic readwrite home/#\n"
        "topic deny home/secret/#\n"
        "pattern deny home/%c\n");
    EXPECT_TRUE(acl.allowed("c", "alice", "home/kitchen", access::write));
    EXPECT_FALSE(acl.allowed("c", "alice", "home/secret", access::read));
    EXPECT_FALSE(acl.allowed("c", "alice", "home/secret/key", access::write));
    // A deny pattern overrides a user's readwrite rule too.
    EXPECT_FALSE(acl.allowed("kitchen", "alice", "home/kitchen", access::write));
    // The order of the lines does not matter.
    const auto reversed = parse_ok(
        "user alice\n"
        "topic deny home/secret/#\n"
        "topic readwrite home/#\n");
    EXPECT_FALSE(reversed.allowed("c", "alice", "home/secret/key", access::read));
    EXPECT_TRUE(reversed.allowed("c", "alice", "home/open", access::read));
}

TEST(AclFileAllowed, AnonymousSectionIsForAnonymousClientsOnly) {
    const auto acl = parse_ok(
        "topic read public/#\n"
        "user alice\n"
        "topic read alice/#\n");
    EXPECT_TRUE(acl.allowed("c", std::nullopt, "public/news", access::read));
    EXPECT_FALSE(acl.allowed("c", std::nullopt, "alice/news", access::read));
    EXPECT_FALSE(acl.allowed("c", "alice", "public/news", access::read));
    EXPECT_TRUE(acl.allowed("c", "alice", "alice/news", access::read));
    // A user without a section of their own gets neither.
    EXPECT_FALSE(acl.allowed("c", "bob", "public/news", access::read));
    EXPECT_FALSE(acl.allowed("c", "bob", "alice/news", access::read));
}

TEST(AclFileAllowed, ReadVersusWrite) {
    const auto acl = parse_ok(
        "topic read sensors/#\n"
        "topic write commands/#\n"
        "topic readwrite chat\n");
    EXPECT_TRUE(acl.allowed("c", std::nullopt, "sensors/t1", access::read));
    EXPECT_FALSE(acl.allowed("c", std::nullopt, "sensors/t1", access::write));
    EXPECT_TRUE(acl.allowed("c", std::nullopt, "commands/t1", access::write));
    EXPECT_FALSE(acl.allowed("c", std::nullopt, "commands/t1", access::read));
    EXPECT_FALSE(acl.allowed("c", std::nullopt, "commands/t1", access::subscribe));
    EXPECT_TRUE(acl.allowed("c", std::nullopt, "chat", access::read));
    EXPECT_TRUE(acl.allowed("c", std::nullopt, "chat", access::write));
    EXPECT_FALSE(acl.allowed("c", std::nullopt, "chat/room", access::write));
}

TEST(AclFileAllowed, SysTopics) {
    const auto acl = parse_ok("topic readwrite #\n");
    EXPECT_TRUE(acl.allowed("c", std::nullopt, "any/thing", access::write));
    // '#' does not reach $SYS ([MQTT-4.7.2-1]).
    EXPECT_FALSE(acl.allowed("c", std::nullopt, "$SYS/broker/uptime", access::read));
    EXPECT_FALSE(acl.allowed("c", std::nullopt, "$SYS/#", access::subscribe));

    const auto sys = parse_ok("topic readwrite $SYS/#\n");
    EXPECT_TRUE(sys.allowed("c", std::nullopt, "$SYS/broker/uptime", access::read));
    EXPECT_TRUE(sys.allowed("c", std::nullopt, "$SYS/broker/+", access::subscribe));
    // Clients never publish on $SYS, whatever the rules say.
    EXPECT_FALSE(sys.allowed("c", std::nullopt, "$SYS/broker/uptime", access::write));
}

TEST(AclFileAllowed, SubscribeFilterMustBeCoveredByAReadRule) {
    const auto acl = parse_ok(
        "topic read sensors/#\n"
        "topic readwrite rooms/+/temp\n"
        "topic deny sensors/private/#\n"
        "topic write out/#\n");
    const auto sub = [&](std::string_view filter) {
        return acl.allowed("c", std::nullopt, filter, access::subscribe);
    };
    EXPECT_TRUE(sub("sensors/#"));
    EXPECT_TRUE(sub("sensors"));  // "sensors/#" matches its parent level
    EXPECT_TRUE(sub("sensors/+/t"));
    EXPECT_TRUE(sub("rooms/kitchen/temp"));
    EXPECT_TRUE(sub("rooms/+/temp"));
    EXPECT_FALSE(sub("rooms/#"));    // wider than the rule
    EXPECT_FALSE(sub("rooms/+/#"));  // "+" does not cover "#"
    EXPECT_FALSE(sub("rooms/+/temp/x"));
    EXPECT_FALSE(sub("#"));
    EXPECT_FALSE(sub("+/kitchen/temp"));
    EXPECT_FALSE(sub("out/#"));  // write only
    // A deny rule covering the filter refuses it; one covering part of it does not (the broker
    // checks read for each message delivered).
    EXPECT_FALSE(sub("sensors/private/#"));
    EXPECT_FALSE(sub("sensors/private/x"));
    EXPECT_TRUE(sub("sensors/+"));
    // A shared subscription is checked by its filter.
    EXPECT_TRUE(sub("$share/g/sensors/#"));
    EXPECT_FALSE(sub("$share/g/rooms/#"));
    // "$share" is not a topic one publishes or reads on.
    const auto all = parse_ok("topic readwrite $share/#\n");
    EXPECT_FALSE(all.allowed("c", std::nullopt, "$share/g/x", access::write));
}

TEST(AclFilterCovers, LevelByLevel) {
    EXPECT_TRUE(acl_filter_covers("#", "a/b/#"));
    EXPECT_TRUE(acl_filter_covers("#", "+"));
    EXPECT_TRUE(acl_filter_covers("a/#", "a"));
    EXPECT_TRUE(acl_filter_covers("a/#", "a/+/#"));
    EXPECT_TRUE(acl_filter_covers("+/+", "a/+"));
    EXPECT_TRUE(acl_filter_covers("a/b", "a/b"));
    EXPECT_FALSE(acl_filter_covers("a/b", "a/+"));
    EXPECT_FALSE(acl_filter_covers("a/+", "a/#"));
    EXPECT_FALSE(acl_filter_covers("a/+", "a"));
    EXPECT_FALSE(acl_filter_covers("a/+", "a/b/c"));
    EXPECT_FALSE(acl_filter_covers("a/b/#", "a/+/#"));
    EXPECT_FALSE(acl_filter_covers("+", "$SYS"));
    EXPECT_FALSE(acl_filter_covers("#", "$SYS/#"));
    EXPECT_TRUE(acl_filter_covers("$SYS/#", "$SYS/broker/#"));
    EXPECT_FALSE(acl_filter_covers("a//b", "a/+/b"));
    EXPECT_TRUE(acl_filter_covers("a/+/b", "a//b"));
}

}  // namespace
}  // namespace harness::broker
