// Differential fuzz target: the broker's subscription trie (broker-under-test topic_tree)
// against the codec's plain matcher (codec::topic_matches), on subscriptions, unsubscriptions
// and publications written as lines of the input:
//   S<n><filter>  session n (a digit) subscribes to filter      U<n><filter>  unsubscribes
//   P<topic>      a publication: the trie must deliver exactly what the plain matcher says
// Only valid filters and names go in, as the broker validates first. Every non-shared
// subscription matching a topic must be visited exactly once; every shared group
// ($share/{group}/{filter}) with a matching filter exactly once, to one of its members.
// When every subscription is gone, the trie must have freed every node.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "harness/broker/topic_tree.hpp"
#include "harness/codec/topic.hpp"

namespace {

using harness::broker::session_key;
using harness::broker::subscriber;
using harness::broker::topic_tree;
namespace codec = harness::codec;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "topic_match oracle: %s\n", what);
    std::abort();
}

/// Subscriptions as the model keeps them: (session, filter as subscribed).
using model = std::set<std::pair<session_key, std::string>>;

void check_publication(topic_tree& tree, const model& subscriptions, std::string_view topic) {
    // What the plain matcher says must arrive.
    std::multiset<std::pair<session_key, std::string>> expected_plain;
    std::map<std::pair<std::string, std::string>, std::set<session_key>> expected_groups;
    for (const auto& [session, filter] : subscriptions) {
        if (const auto shared = codec::parse_shared_subscription(filter)) {
            if (codec::topic_matches(shared->filter, topic))
                expected_groups[{std::string(shared->group), std::string(shared->filter)}].insert(
                    session);
        } else if (codec::topic_matches(filter, topic)) {
            expected_plain.emplace(session, filter);
        }
    }
    std::multiset<std::pair<session_key, std::string>> got_plain;
    std::map<std::pair<std::string, std::string>, int> got_groups;
    tree.match(topic, [&](const subscriber& s) {
        const std::string& filter = s.options.topic_filter;
        if (const auto shared = codec::parse_shared_subscription(filter)) {
            const std::pair<std::string, std::string> group{std::string(shared->group),
                                                            std::string(shared->filter)};
            ++got_groups[group];
            const auto it = expected_groups.find(group);
            if (it == expected_groups.end() || !it->second.contains(s.session))
                fail("a shared subscription delivered to a member that does not match");
        } else {
            got_plain.emplace(s.session, filter);
        }
    });
    if (got_plain != expected_plain)
        fail("the trie and the plain matcher disagree on a non-shared subscription");
    if (got_groups.size() != expected_groups.size())
        fail("a matching shared group got nothing, or a non-matching one got a message");
    for (const auto& [group, count] : got_groups) {
        if (count != 1)
            fail("a shared group got the message more than once");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    topic_tree tree;
    model subscriptions;
    std::size_t pos = 0;
    while (pos <= input.size()) {
        const std::size_t end = std::min(input.find('\n', pos), input.size());
        const std::string_view line = input.substr(pos, end - pos);
        pos = end + 1;
        if (line.size() < 2)
            continue;
        const char op = line[0];
        if (op == 'P') {
            const std::string_view topic = line.substr(1);
            if (codec::validate_topic_name(topic) == codec::topic_error::none)
                check_publication(tree, subscriptions, topic);
            continue;
        }
        if ((op != 'S' && op != 'U') || line.size() < 3 || line[1] < '0' || line[1] > '9')
            continue;
        const session_key session = static_cast<session_key>(line[1] - '0') + 1;
        const std::string filter(line.substr(2));
        if (codec::validate_topic_filter(filter) != codec::topic_error::none)
            continue;
        if (op == 'S') {
            subscriber s;
            s.session = session;
            s.options.topic_filter = filter;
            const bool replaced = tree.subscribe(s);
            const bool was_there = !subscriptions.emplace(session, filter).second;
            if (replaced != was_there)
                fail("subscribe says it replaced a subscription the model does not have");
        } else {
            const bool removed = tree.unsubscribe(filter, session);
            if (removed != (subscriptions.erase({session, filter}) == 1))
                fail("unsubscribe disagrees with the model");
        }
        if (tree.size() != subscriptions.size())
            fail("the trie counts a different number of subscriptions");
    }
    for (const auto& [session, filter] : subscriptions)
        tree.unsubscribe(filter, session);
    if (tree.size() != 0 || tree.node_count() != 0)
        fail("nodes left after every subscription is gone");
    return 0;
}
