// The broker's subscription store: a trie over topic levels that finds, for a published topic,
// every matching subscription and one member of each matching shared subscription group.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "harness/codec/packets.hpp"

namespace harness::broker {

using session_key = std::uint64_t;  // identifies a session in the broker

struct subscriber {
    session_key session = 0;
    /// topic_filter holds the filter as subscribed, "$share/{group}/" included when shared.
    codec::subscription options;
    std::optional<std::uint32_t> identifier;  // MQTT 5 subscription identifier
};

namespace detail {

/// Hash for string-keyed containers that look up by std::string_view without a copy.
/// Deliberately not noexcept: libstdc++ then caches each key's hash in its node, so a lookup
/// walking a bucket does not rehash the keys it passes (twice as fast on wide levels).
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <class T>
using string_map = std::unordered_map<std::string, T, string_hash, std::equal_to<>>;

/// The '/'-separated level of `topic` that starts at `pos`; `next` receives the start of the
/// following level, or npos when this level is the last one (so "a/" has levels "a" and "").
inline std::string_view topic_level(std::string_view topic, std::size_t pos,
                                    std::size_t& next) noexcept {
    const std::size_t slash = topic.find('/', pos);
    if (slash == std::string_view::npos) {
        next = std::string_view::npos;
        return topic.substr(pos);
    }
    next = slash + 1;
    return topic.substr(pos, slash - pos);
}

/// Frees a trie below `root` without recursion, so that a topic or filter of 32k levels does
/// not nest 32k destructors; `detach(node, pending)` moves a node's children into `pending`.
template <class Node, class Detach>
void free_children(Node& root, Detach detach) {
    std::vector<std::unique_ptr<Node>> pending;
    detach(root, pending);
    while (!pending.empty()) {
        std::unique_ptr<Node> n = std::move(pending.back());
        pending.pop_back();
        detach(*n, pending);
    }
}

}  // namespace detail

class topic_tree {
  public:
    topic_tree() = default;
    topic_tree(topic_tree&& other) noexcept { *this = std::move(other); }
    topic_tree& operator=(topic_tree&& other) noexcept;
    ~topic_tree() { destroy(); }

    /// Adds the subscription, or replaces the session's existing one for the same filter string
    /// (shared: same group + filter). Filter already validated by the caller; a "$share/" filter
    /// is always taken as shared. Returns true when it replaced one ([MQTT-3.8.4-3]).
    bool subscribe(const subscriber& s);
    /// Removes the session's subscription to `filter` (as subscribed, $share/... included);
    /// true if there was one. Nodes left empty are freed.
    bool unsubscribe(std::string_view filter, session_key session);
    /// Every subscription of one session, e.g. to drop them all when the session ends.
    void unsubscribe_all(session_key session);
    /// The session's subscription to `filter` (as subscribed), or nullptr.
    const subscriber* find(std::string_view filter, session_key session) const;

    /// Calls visit(const subscriber&) once for every non-shared subscription whose filter
    /// matches `topic` (once per matching filter: the caller merges a session's overlapping
    /// subscriptions, [MQTT-3.3.4-2]), and once per shared group (group name, filter) with a
    /// matching filter, for ONE member chosen round-robin among those for which
    /// eligible(session_key) is true, or among all members if none is. Neither callback may
    /// modify the tree. Allocation-free once warmed up.
    template <class Visit, class Eligible>
    void match(std::string_view topic, Visit&& visit, Eligible&& eligible);
    /// match() with every shared group member eligible.
    template <class Visit>
    void match(std::string_view topic, Visit&& visit) {
        match(topic, visit, [](session_key) { return true; });
    }

    std::size_t size() const noexcept { return size_; }  // number of subscriptions
    /// Trie nodes below the root: 0 once every subscription is gone.
    std::size_t node_count() const noexcept { return nodes_; }

  private:
    struct shared_group {
        std::string name;
        std::vector<subscriber> members;  // in subscription order
        std::size_t next = 0;             // round-robin cursor, < members.size()
    };

    struct node {
        detail::string_map<std::unique_ptr<node>> children;  // literal levels
        std::unique_ptr<node> plus;                          // '+' level
        std::unique_ptr<node> hash;                          // '#' level (a leaf)
        std::vector<subscriber> subscribers;                 // non-shared, in no order
        std::unordered_map<session_key, std::size_t> index;  // session -> its slot above
        std::vector<shared_group> groups;

        bool empty() const noexcept {
            return children.empty() && !plus && !hash && subscribers.empty() && groups.empty();
        }
    };

    struct frame {
        node* at;
        std::size_t pos;  // start of the topic level still to match, npos when none is left
    };

    static node* child(const node& parent, std::string_view level) noexcept;
    node& add_child(node& parent, std::string_view level);
    bool remove(std::string_view filter, session_key session);
    void destroy() noexcept;

    template <class Visit, class Eligible>
    static void deliver(node& n, Visit& visit, Eligible& eligible);

    node root_;
    std::size_t size_ = 0;
    std::size_t nodes_ = 0;
    /// session -> the filters it holds, as subscribed, for unsubscribe_all.
    std::unordered_map<session_key,
                       std::unordered_set<std::string, detail::string_hash, std::equal_to<>>>
        sessions_;
    std::vector<frame> stack_;                              // match()'s, kept for reuse
    std::vector<std::pair<node*, std::string_view>> path_;  // remove()'s, kept for reuse
};

template <class Visit, class Eligible>
void topic_tree::deliver(node& n, Visit& visit, Eligible& eligible) {
    for (const subscriber& s : n.subscribers)
        visit(s);
    for (shared_group& g : n.groups) {
        const std::size_t count = g.members.size();  // never 0: empty groups are removed
        std::size_t chosen = g.next;
        for (std::size_t i = 0; i < count; ++i) {
            std::size_t k = g.next + i;
            if (k >= count)
                k -= count;
            if (eligible(g.members[k].session)) {
                chosen = k;
                break;
            }
        }
        g.next = chosen + 1 == count ? 0 : chosen + 1;
        visit(static_cast<const subscriber&>(g.members[chosen]));
    }
}

template <class Visit, class Eligible>
void topic_tree::match(std::string_view topic, Visit&& visit, Eligible&& eligible) {
    // An explicit stack rather than recursion: a topic may have 32k levels. Taking the member
    // vector (not sharing it) keeps a nested match() from a callback safe.
    std::vector<frame> stack = std::move(stack_);
    stack.clear();
    const bool dollar = !topic.empty() && topic.front() == '$';
    stack.push_back({&root_, 0});
    while (!stack.empty()) {
        const frame f = stack.back();
        stack.pop_back();
        if (f.pos == std::string_view::npos) {
            deliver(*f.at, visit, eligible);
            if (f.at->hash)  // "sport/#" matches "sport" too
                deliver(*f.at->hash, visit, eligible);
            continue;
        }
        std::size_t next = 0;
        const std::string_view level = detail::topic_level(topic, f.pos, next);
        // [MQTT-4.7.2-1]: a topic starting with '$' is not matched by a leading '+' or '#'.
        if (!(dollar && f.pos == 0)) {
            if (f.at->hash)
                deliver(*f.at->hash, visit, eligible);
            if (f.at->plus)
                stack.push_back({f.at->plus.get(), next});
        }
        if (f.at->children.empty())
            continue;  // spares hashing the level at the leaves
        if (const auto it = f.at->children.find(level); it != f.at->children.end())
            stack.push_back({it->second.get(), next});
    }
    stack_ = std::move(stack);
}

}  // namespace harness::broker
