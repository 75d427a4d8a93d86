// The broker's retained messages: one per topic, in a trie over topic levels so that a
// subscription's filter walks only the branches it can match.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "harness/broker/topic_tree.hpp"  // detail::string_map, detail::topic_level
#include "harness/codec/packets.hpp"

namespace harness::broker {

struct retained_message {  // what the broker keeps for a topic
    std::string topic;
    std::vector<std::uint8_t> payload;
    codec::qos qos = codec::qos::at_most_once;
    codec::property_list properties;  // as published (the broker handles expiry separately)
    std::optional<std::chrono::steady_clock::time_point> expires_at;  // message expiry, if any
};

class retained_store {
  public:
    using time_point = std::chrono::steady_clock::time_point;

    retained_store() = default;
    retained_store(retained_store&& other) noexcept { *this = std::move(other); }
    retained_store& operator=(retained_store&& other) noexcept;
    ~retained_store() { destroy(); }

    /// Stores the message for its topic, replacing the old one ([MQTT-3.3.1-5]); an empty
    /// payload deletes the topic's message and is not stored (5.0: [MQTT-3.3.1-6/7];
    /// 3.1.1: [MQTT-3.3.1-10/11]).
    void store(retained_message m);
    /// Deletes the topic's message; true if there was one. Nodes left empty are freed.
    bool erase(std::string_view topic);
    /// The message stored for exactly this topic (expired or not), or nullptr.
    const retained_message* find(std::string_view topic) const;

    /// Calls visit(const retained_message&) for each stored message whose topic matches the
    /// (valid, non-shared) filter, skipping and erasing those expired at `now`. A leading '+' or
    /// '#' does not match topics starting with '$' ([MQTT-4.7.2-1]). visit must not modify the
    /// store. A visit returning bool ends the walk when it returns false (the receiver is full):
    /// what it costs is then bounded by what the receiver takes, not by the size of the store.
    template <class Visit>
    void match(std::string_view filter, time_point now, Visit&& visit);

    std::size_t size() const noexcept { return size_; }
    std::size_t bytes() const noexcept { return bytes_; }  // payload + topic bytes held
    /// Trie nodes below the root: 0 once every message is gone.
    std::size_t node_count() const noexcept { return nodes_; }

  private:
    struct node {
        detail::string_map<std::unique_ptr<node>> children;
        std::optional<retained_message> message;
    };

    struct frame {
        node* at;
        std::size_t pos;  // start of the filter level still to match, npos when none is left
        bool subtree;     // under a '#': this node and everything below it match
    };

    static std::size_t weight(const retained_message& m) noexcept {
        return m.topic.size() + m.payload.size();
    }
    void destroy() noexcept;

    node root_;
    std::size_t size_ = 0;
    std::size_t bytes_ = 0;
    std::size_t nodes_ = 0;
};

template <class Visit>
void retained_store::match(std::string_view filter, time_point now, Visit&& visit) {
    std::vector<std::string> expired;  // erased after the walk, which holds node pointers
    bool more = true;                  // false once a bool-returning visit said stop
    const auto offer = [&](const node& n) {
        if (!n.message)
            return;
        if (n.message->expires_at && *n.message->expires_at <= now) {
            expired.push_back(n.message->topic);
        } else if constexpr (std::is_same_v<std::invoke_result_t<Visit&, const retained_message&>,
                                            bool>) {
            more = visit(*n.message);
        } else {
            visit(*n.message);
        }
    };
    // An explicit stack rather than recursion: topics may be 32k levels deep.
    std::vector<frame> stack{{&root_, 0, false}};
    while (more && !stack.empty()) {
        const frame f = stack.back();
        stack.pop_back();
        if (f.subtree || f.pos == std::string_view::npos) {
            offer(*f.at);
            if (f.subtree) {
                for (const auto& [level, child] : f.at->children)
                    stack.push_back({child.get(), std::string_view::npos, true});
            }
            continue;
        }
        std::size_t next = 0;
        const std::string_view level = detail::topic_level(filter, f.pos, next);
        if (level == "#" || level == "+") {
            if (level == "#")
                offer(*f.at);  // "sport/#" matches "sport" too (the root holds no message)
            for (const auto& [name, child] : f.at->children) {
                if (f.pos == 0 && name.starts_with('$'))
                    continue;  // [MQTT-4.7.2-1]
                stack.push_back({child.get(), next, level == "#"});
            }
        } else if (const auto it = f.at->children.find(level); it != f.at->children.end()) {
            stack.push_back({it->second.get(), next, false});
        }
    }
    for (const std::string& topic : expired)
        erase(topic);
}

}  // namespace harness::broker
