// expect and expect_none.
//
// A client keeps every message it received. An expect looks at the ones no earlier expect took,
// in arrival order, and takes what it needs: with `ordered`, the listed messages must come in
// list order (a message matching a later entry before the current one is a wrong-order
// failure); otherwise each message fills the first entry it matches. Messages matching no entry
// are left alone. Evaluation runs again whenever a message arrives, until satisfied or the
// deadline.
#include "expectations.hpp"
#include "harness/packet_json/json_text.hpp"

#include <fmt/format.h>
#include <boost/json/serialize.hpp>

#include "harness/scenario/match.hpp"

namespace harness::runner {

namespace {

std::string_view payload_text(const codec::publish& m) {
    return {reinterpret_cast<const char*>(m.payload.data()), m.payload.size()};
}

seen_message seen(const scenario_context& ctx, const received_message& r, std::string note) {
    return seen_message{ctx.since_start(r.at),
                        r.message.topic,
                        scenario::describe_payload(payload_text(r.message)),
                        static_cast<int>(r.message.qos),
                        r.message.retain,
                        std::move(note)};
}

std::string seconds_text(std::chrono::milliseconds d) {
    return fmt::format("{:g} s", std::chrono::duration<double>(d).count());
}

struct evaluation {
    bool satisfied = false;
    std::vector<std::size_t> taken;                                   // inbox indexes
    std::vector<std::pair<std::size_t, std::string>> near;            // right topic, wrong content
    std::optional<std::pair<std::size_t, std::size_t>> out_of_order;  // inbox index, entry
    std::vector<std::uint32_t> remaining;
};

evaluation evaluate(scenario_context& ctx, client_actor& c, const scenario::expect_step& e) {
    evaluation ev;
    ev.remaining = e.counts;
    const auto resolve = ctx.resolver();
    std::size_t current = 0;
    auto done = [&] {
        for (auto r : ev.remaining)
            if (r)
                return false;
        return true;
    };
    for (std::size_t i = 0; i < c.inbox.size() && !done(); ++i) {
        const auto& r = c.inbox[i];
        if (r.taken)
            continue;
        while (current < ev.remaining.size() && ev.remaining[current] == 0)
            ++current;
        std::optional<std::size_t> hit;
        std::string note;
        for (std::size_t j = 0; j < e.messages.size(); ++j) {
            if (ev.remaining[j] == 0)
                continue;
            auto m = scenario::match_message(e.messages[j], r.message, resolve);
            if (m.matched) {
                hit = j;
                break;
            }
            if (m.topic_matched && note.empty())
                note = m.mismatch;
        }
        if (!hit) {
            if (!note.empty())
                ev.near.emplace_back(i, note);
            continue;
        }
        if (e.ordered && *hit != current) {
            ev.out_of_order = std::pair{i, *hit};
            return ev;
        }
        --ev.remaining[*hit];
        ev.taken.push_back(i);
    }
    ev.satisfied = done();
    return ev;
}

std::string expected_text(const scenario::expect_step& e, std::chrono::milliseconds within) {
    std::string out = fmt::format(
        "on client {}, within {}{}:", e.client, seconds_text(within),
        e.messages.size() > 1 ? (e.ordered ? ", in this order" : ", in any order") : "");
    for (std::size_t j = 0; j < e.messages.size(); ++j)
        out += fmt::format("\n  {}× {}", e.counts[j], describe_match(e.messages[j]));
    if (e.latency)
        out += fmt::format("\n  each within {} of the triggering step", seconds_text(*e.latency));
    return out;
}

/// What the client received that the report shows: near misses first, then the rest.
std::vector<seen_message> seen_list(scenario_context& ctx, client_actor& c, const evaluation& ev) {
    std::vector<seen_message> out;
    for (const auto& [i, note] : ev.near)
        out.push_back(seen(ctx, c.inbox[i], note));
    for (std::size_t i = 0; i < c.inbox.size() && out.size() < 20; ++i) {
        bool listed = false;
        for (const auto& [j, n] : ev.near)
            listed = listed || j == i;
        if (!listed && !c.inbox[i].taken)
            out.push_back(seen(ctx, c.inbox[i], ""));
    }
    return out;
}

}  // namespace

std::string describe_match(const scenario::message_match& m) {
    using kind = scenario::payload_match::kind;
    std::string out = fmt::format("topic \"{}\"", m.topic_filter);
    switch (m.payload.how) {
        case kind::any:
            break;
        case kind::exact:
            out += fmt::format(" payload \"{}\"", m.payload.text);
            break;
        case kind::regex:
            out += fmt::format(" payload matching /{}/", m.payload.text);
            break;
        case kind::hex:
            out += fmt::format(" payload hex {}", m.payload.text);
            break;
        case kind::json_subset:
            out +=
                fmt::format(" JSON payload containing {}", packet_json::json_text(m.payload.json));
            break;
        case kind::json_path:
            out += m.payload.path_exists_only
                       ? fmt::format(" JSON payload with {}", m.payload.path)
                       : fmt::format(" JSON payload with {} = {}", m.payload.path,
                                     packet_json::json_text(m.payload.json));
            break;
    }
    if (m.qos)
        out += fmt::format(" qos {}", *m.qos);
    if (m.retain)
        out += *m.retain ? " retained" : " not retained";
    const auto& p = m.properties;
    if (p.content_type)
        out += fmt::format(" content_type \"{}\"", *p.content_type);
    if (p.response_topic)
        out += fmt::format(" response_topic \"{}\"", *p.response_topic);
    if (p.correlation_data)
        out += fmt::format(" correlation_data \"{}\"", *p.correlation_data);
    for (const auto& [k, v] : p.user_properties)
        out += fmt::format(" {}={}", k, v);
    return out;
}

asio::awaitable<std::optional<failure>> run_expect(scenario_context& ctx, const scenario::step& st,
                                                   std::size_t index,
                                                   const scenario::expect_step& e) {
    auto* c = ctx.find_client(e.client);
    const auto within = e.within.value_or(ctx.spec.defaults.timeout.value_or(ctx.options.timeout));
    const auto deadline = clock::now() + within;
    evaluation ev;
    co_await ctx.wait_until(
        [&] {
            ev = evaluate(ctx, *c, e);
            return ev.satisfied || ev.out_of_order.has_value();
        },
        deadline);
    if (ctx.aborted)
        co_return std::nullopt;  // the abort reason is the failure
    if (ev.satisfied) {
        for (auto i : ev.taken)
            c->inbox[i].taken = true;
        if (e.latency) {
            std::optional<time_point> from = ctx.last_publish_started;
            if (!e.after.empty())
                from = ctx.step_started[e.after];
            if (from) {
                for (auto i : ev.taken) {
                    const auto took = c->inbox[i].at - *from;
                    if (took > *e.latency) {
                        auto f = step_failure(
                            st, index,
                            fmt::format(
                                "latency {:.1f} ms of a message on {} exceeds {:.1f} ms",
                                std::chrono::duration<double, std::milli>(took).count(),
                                c->inbox[i].message.topic,
                                std::chrono::duration<double, std::milli>(*e.latency).count()));
                        f.expected = expected_text(e, within);
                        f.seen.push_back(seen(ctx, c->inbox[i], "too late"));
                        co_return f;
                    }
                }
            }
        }
        ctx.trace(e.client, fmt::format("expect satisfied ({} message{})", ev.taken.size(),
                                        ev.taken.size() == 1 ? "" : "s"));
        co_return std::nullopt;
    }
    failure f;
    if (ev.out_of_order) {
        const auto& [i, j] = *ev.out_of_order;
        std::size_t current = 0;
        while (current < ev.remaining.size() && ev.remaining[current] == 0)
            ++current;
        f = step_failure(st, index,
                         fmt::format("wrong order: a message matching entry {} ({}) arrived "
                                     "before entry {} ({})",
                                     j + 1, describe_match(e.messages[j]), current + 1,
                                     describe_match(e.messages[current])));
        f.seen.push_back(seen(ctx, c->inbox[i], fmt::format("matches entry {}", j + 1)));
    } else {
        std::string missing;
        for (std::size_t j = 0; j < e.messages.size(); ++j) {
            if (ev.remaining[j] == 0)
                continue;
            missing = fmt::format("{} of {} {} did not arrive", ev.remaining[j], e.counts[j],
                                  describe_match(e.messages[j]));
            break;
        }
        f = step_failure(st, index,
                         fmt::format("{} within {}{}", missing, seconds_text(within),
                                     ev.near.empty() ? "" : " (messages on the topic differed)"));
    }
    f.expected = expected_text(e, within);
    auto rest = seen_list(ctx, *c, ev);
    f.seen.insert(f.seen.end(), rest.begin(), rest.end());
    co_return f;
}

asio::awaitable<std::optional<failure>> run_expect_none(scenario_context& ctx,
                                                        const scenario::step& st, std::size_t index,
                                                        const scenario::expect_none_step& e) {
    auto* c = ctx.find_client(e.client);
    const auto resolve = ctx.resolver();
    std::optional<std::size_t> hit;
    co_await ctx.wait_until(
        [&] {
            for (std::size_t i = 0; i < c->inbox.size(); ++i) {
                if (!c->inbox[i].taken &&
                    scenario::match_message(e.message, c->inbox[i].message, resolve).matched) {
                    hit = i;
                    return true;
                }
            }
            return false;
        },
        clock::now() + e.duration);
    if (!hit || ctx.aborted)
        co_return std::nullopt;
    auto f = step_failure(st, index,
                          fmt::format("a message matching {} arrived, none expected for {}",
                                      describe_match(e.message), seconds_text(e.duration)));
    f.expected = fmt::format("on client {}: no message matching {} for {}", e.client,
                             describe_match(e.message), seconds_text(e.duration));
    f.seen.push_back(seen(ctx, c->inbox[*hit], "unexpected"));
    co_return f;
}

}  // namespace harness::runner
