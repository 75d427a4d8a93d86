// The retained-message trie: storing, replacing and deleting messages, pruning empty nodes.
// Filter lookups are a template in the header.
#include "harness/broker/retained_store.hpp"

namespace harness::broker {

retained_store& retained_store::operator=(retained_store&& other) noexcept {
    if (this == &other)
        return *this;
    destroy();
    root_ = std::move(other.root_);
    other.root_ = node{};
    size_ = std::exchange(other.size_, 0);
    bytes_ = std::exchange(other.bytes_, 0);
    nodes_ = std::exchange(other.nodes_, 0);
    return *this;
}

void retained_store::destroy() noexcept {
    detail::free_children(root_, [](node& n, std::vector<std::unique_ptr<node>>& pending) {
        for (auto& child : n.children)
            pending.push_back(std::move(child.second));
        n.children.clear();
    });
    root_ = node{};
    size_ = 0;
    bytes_ = 0;
    nodes_ = 0;
}

void retained_store::store(retained_message m) {
    if (m.payload.empty()) {
        erase(m.topic);
        return;
    }
    node* n = &root_;
    for (std::size_t pos = 0; pos != std::string_view::npos;) {
        const std::string_view level = detail::topic_level(m.topic, pos, pos);
        std::unique_ptr<node>& slot = n->children.try_emplace(std::string(level)).first->second;
        if (!slot) {
            slot = std::make_unique<node>();
            ++nodes_;
        }
        n = slot.get();
    }
    if (n->message) {
        bytes_ -= weight(*n->message);
    } else {
        ++size_;
    }
    bytes_ += weight(m);
    n->message = std::move(m);
}

bool retained_store::erase(std::string_view topic) {
    std::vector<std::pair<node*, std::string_view>> path;
    node* n = &root_;
    for (std::size_t pos = 0; pos != std::string_view::npos;) {
        const std::string_view level = detail::topic_level(topic, pos, pos);
        const auto it = n->children.find(level);
        if (it == n->children.end())
            return false;
        path.emplace_back(n, level);
        n = it->second.get();
    }
    if (!n->message)
        return false;
    --size_;
    bytes_ -= weight(*n->message);
    if (!n->children.empty()) {
        n->message.reset();
        return true;
    }
    // Unlink the nodes this leaves empty, deepest first, and free them only on return: `topic`
    // may view the message's own topic. Each is freed childless, so no deep recursion either.
    std::vector<std::unique_ptr<node>> unlinked;
    for (auto step = path.rbegin(); step != path.rend(); ++step) {
        node& parent = *step->first;
        const auto it = parent.children.find(step->second);
        unlinked.push_back(std::move(it->second));
        parent.children.erase(it);
        --nodes_;
        if (!parent.children.empty() || parent.message)
            break;
    }
    return true;
}

const retained_message* retained_store::find(std::string_view topic) const {
    const node* n = &root_;
    for (std::size_t pos = 0; pos != std::string_view::npos;) {
        const auto it = n->children.find(detail::topic_level(topic, pos, pos));
        if (it == n->children.end())
            return nullptr;
        n = it->second.get();
    }
    return n->message ? &*n->message : nullptr;
}

}  // namespace harness::broker
