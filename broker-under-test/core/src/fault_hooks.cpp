// Fault hooks: rules that drop, delay or duplicate matching packets in either direction, and a
// window during which new connections are refused. Delayed packets wait in held_in/held_out
// until tick() reaches their time.
#include <algorithm>

#include "broker_impl.hpp"
#include "harness/codec/topic.hpp"

namespace harness::broker {

using namespace codec;

std::optional<fault_rule> broker::impl::take_fault(const connection& c, direction d,
                                                   const packet& p) {
    for (auto it = faults.begin(); it != faults.end(); ++it) {
        const auto& r = it->rule;
        if (r.on != d || (r.type && *r.type != type_of(p)))
            continue;
        if (!r.client_id.empty()) {
            const auto* con = std::get_if<connect>(&p);
            if ((con ? con->client_id : client_id_of(c)) != r.client_id)
                continue;
        }
        if (!r.topic_filter.empty()) {
            const auto* pub = std::get_if<publish>(&p);
            if (!pub || !topic_matches(r.topic_filter, pub->topic))
                continue;
        }
        auto rule = r;
        if (r.count != 0 && ++it->applied >= r.count)
            faults.erase(it);
        note("fault injected on " + name_of(c) + ": " + std::string(to_string(type_of(p))));
        return rule;
    }
    return std::nullopt;
}

bool broker::impl::fault_out(connection& c, const packet& p, std::size_t before, time_point now) {
    const auto rule = take_fault(c, direction::out, p);
    if (!rule)
        return true;
    switch (rule->what) {
        case fault_rule::action::drop:
            c.out.resize(before);
            return false;
        case fault_rule::action::duplicate: {
            const std::vector<std::uint8_t> copy(
                c.out.begin() + static_cast<std::ptrdiff_t>(before), c.out.end());
            c.out.insert(c.out.end(), copy.begin(), copy.end());
            return true;
        }
        case fault_rule::action::delay:
            held_out.push_back(
                {now + rule->delay, c.id,
                 std::vector<std::uint8_t>(c.out.begin() + static_cast<std::ptrdiff_t>(before),
                                           c.out.end())});
            c.out.resize(before);
            return false;
    }
    return true;
}

void broker::impl::run_delayed(time_point now) {
    // Take the due ones out first: handling a packet may add new delayed ones.
    std::vector<delayed_in> due_in;
    for (auto it = held_in.begin(); it != held_in.end();) {
        if (it->due <= now) {
            due_in.push_back(std::move(*it));
            it = held_in.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& d : due_in) {
        const auto c = connections.find(d.connection);
        if (c == connections.end() || c->second.state == connection::phase::closing)
            continue;
        handle(c->second, d.packet, now);
    }
    for (auto it = held_out.begin(); it != held_out.end();) {
        if (it->due > now) {
            ++it;
            continue;
        }
        if (const auto c = connections.find(it->connection); c != connections.end()) {
            c->second.out.insert(c->second.out.end(), it->bytes.begin(), it->bytes.end());
            mark_ready(c->second);
        }
        it = held_out.erase(it);
    }
}

std::optional<time_point> broker::impl::earliest_delayed() const {
    std::optional<time_point> t;
    for (const auto& d : held_in)
        t = std::min(t.value_or(d.due), d.due);
    for (const auto& d : held_out)
        t = std::min(t.value_or(d.due), d.due);
    return t;
}

fault_id broker::add_fault(fault_rule rule) {
    auto& i = *impl_;
    const auto id = ++i.last_fault;
    i.faults.push_back({id, std::move(rule), 0});
    return id;
}

bool broker::remove_fault(fault_id id) {
    return std::erase_if(impl_->faults, [&](const auto& f) { return f.id == id; }) > 0;
}

void broker::refuse_connections_until(time_point until) {
    impl_->refuse_until = until;
}

}  // namespace harness::broker
