// The subscription trie: adding, replacing and removing subscriptions, pruning empty nodes.
// Matching is a template in the header.
#include "harness/broker/topic_tree.hpp"

#include <algorithm>

#include "harness/codec/topic.hpp"

namespace harness::broker {
namespace {

struct parsed_filter {
    std::string_view group;  // empty when not shared
    std::string_view filter;
};

parsed_filter parse(std::string_view filter) noexcept {
    if (const auto shared = codec::parse_shared_subscription(filter))
        return {shared->group, shared->filter};
    return {{}, filter};
}

}  // namespace

topic_tree& topic_tree::operator=(topic_tree&& other) noexcept {
    if (this == &other)
        return *this;
    destroy();
    root_ = std::move(other.root_);
    other.root_ = node{};
    size_ = std::exchange(other.size_, 0);
    nodes_ = std::exchange(other.nodes_, 0);
    sessions_ = std::move(other.sessions_);
    other.sessions_.clear();
    return *this;
}

void topic_tree::destroy() noexcept {
    detail::free_children(root_, [](node& n, std::vector<std::unique_ptr<node>>& pending) {
        for (auto& child : n.children)
            pending.push_back(std::move(child.second));
        n.children.clear();
        if (n.plus)
            pending.push_back(std::move(n.plus));
        if (n.hash)
            pending.push_back(std::move(n.hash));
    });
    root_ = node{};
    size_ = 0;
    nodes_ = 0;
    sessions_.clear();
}

topic_tree::node* topic_tree::child(const node& parent, std::string_view level) noexcept {
    if (level == "+")
        return parent.plus.get();
    if (level == "#")
        return parent.hash.get();
    const auto it = parent.children.find(level);
    return it == parent.children.end() ? nullptr : it->second.get();
}

topic_tree::node& topic_tree::add_child(node& parent, std::string_view level) {
    std::unique_ptr<node>* slot = nullptr;
    if (level == "+")
        slot = &parent.plus;
    else if (level == "#")
        slot = &parent.hash;
    else
        slot = &parent.children.try_emplace(std::string(level)).first->second;
    if (!*slot) {
        *slot = std::make_unique<node>();
        ++nodes_;
    }
    return **slot;
}

bool topic_tree::subscribe(const subscriber& s) {
    const parsed_filter f = parse(s.options.topic_filter);
    node* n = &root_;
    for (std::size_t pos = 0; pos != std::string_view::npos;)
        n = &add_child(*n, detail::topic_level(f.filter, pos, pos));

    bool replaced = false;
    if (f.group.empty()) {
        const auto [it, added] = n->index.try_emplace(s.session, n->subscribers.size());
        if (added)
            n->subscribers.push_back(s);
        else
            n->subscribers[it->second] = s;
        replaced = !added;
    } else {
        auto g = std::find_if(n->groups.begin(), n->groups.end(),
                              [&](const shared_group& x) { return x.name == f.group; });
        if (g == n->groups.end())
            g = n->groups.insert(n->groups.end(), shared_group{std::string(f.group), {}, 0});
        const auto m = std::find_if(g->members.begin(), g->members.end(),
                                    [&](const subscriber& x) { return x.session == s.session; });
        replaced = m != g->members.end();
        if (replaced)
            *m = s;
        else
            g->members.push_back(s);
    }
    if (!replaced) {
        ++size_;
        sessions_[s.session].emplace(s.options.topic_filter);
    }
    return replaced;
}

bool topic_tree::remove(std::string_view filter, session_key session) {
    const parsed_filter f = parse(filter);
    path_.clear();
    node* n = &root_;
    for (std::size_t pos = 0; pos != std::string_view::npos;) {
        const std::string_view level = detail::topic_level(f.filter, pos, pos);
        node* const next = child(*n, level);
        if (next == nullptr)
            return false;
        path_.emplace_back(n, level);
        n = next;
    }

    if (f.group.empty()) {
        const auto it = n->index.find(session);
        if (it == n->index.end())
            return false;
        const std::size_t slot = it->second;
        n->index.erase(it);
        if (slot + 1 != n->subscribers.size()) {
            n->subscribers[slot] = std::move(n->subscribers.back());
            n->index[n->subscribers[slot].session] = slot;
        }
        n->subscribers.pop_back();
    } else {
        const auto g = std::find_if(n->groups.begin(), n->groups.end(),
                                    [&](const shared_group& x) { return x.name == f.group; });
        if (g == n->groups.end())
            return false;
        const auto m = std::find_if(g->members.begin(), g->members.end(),
                                    [&](const subscriber& x) { return x.session == session; });
        if (m == g->members.end())
            return false;
        // Keep the cursor on the member that was next, so the rotation stays fair.
        const auto slot = static_cast<std::size_t>(m - g->members.begin());
        g->members.erase(m);
        if (slot < g->next)
            --g->next;
        if (g->next >= g->members.size())
            g->next = 0;
        if (g->members.empty())
            n->groups.erase(g);
    }
    --size_;

    // Free the nodes this left empty, deepest first.
    for (auto step = path_.rbegin(); step != path_.rend() && n->empty(); ++step) {
        node& parent = *step->first;
        if (step->second == "+")
            parent.plus.reset();
        else if (step->second == "#")
            parent.hash.reset();
        else
            parent.children.erase(parent.children.find(step->second));
        --nodes_;
        n = &parent;
    }
    return true;
}

bool topic_tree::unsubscribe(std::string_view filter, session_key session) {
    const auto s = sessions_.find(session);
    if (s == sessions_.end())
        return false;
    const auto f = s->second.find(filter);
    if (f == s->second.end())
        return false;
    // Walk with the index's own copy: `filter` may view the subscriber that is being removed.
    remove(*f, session);
    s->second.erase(f);
    if (s->second.empty())
        sessions_.erase(s);
    return true;
}

void topic_tree::unsubscribe_all(session_key session) {
    const auto s = sessions_.find(session);
    if (s == sessions_.end())
        return;
    const auto filters = std::move(s->second);
    sessions_.erase(s);
    for (const std::string& filter : filters)
        remove(filter, session);
}

const subscriber* topic_tree::find(std::string_view filter, session_key session) const {
    const parsed_filter f = parse(filter);
    const node* n = &root_;
    for (std::size_t pos = 0; n != nullptr && pos != std::string_view::npos;)
        n = child(*n, detail::topic_level(f.filter, pos, pos));
    if (n == nullptr)
        return nullptr;
    if (f.group.empty()) {
        const auto it = n->index.find(session);
        return it == n->index.end() ? nullptr : &n->subscribers[it->second];
    }
    for (const shared_group& g : n->groups) {
        if (g.name != f.group)
            continue;
        for (const subscriber& m : g.members) {
            if (m.session == session)
                return &m;
        }
    }
    return nullptr;
}

}  // namespace harness::broker
