// Action steps.
#include "steps.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "clients.hpp"
#include "harness/broker/server.hpp"
#include "messages.hpp"

namespace harness::runner {

namespace {

using std::chrono::milliseconds;

template <class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};

asio::awaitable<std::string> do_subscribe(scenario_context& ctx, client_actor& c,
                                          const scenario::subscribe_step& s,
                                          const scenario::position& where) {
    std::vector<codec::subscription> subs;
    codec::property_list props;
    for (const auto& spec : s.subscriptions) {
        auto filter = ctx.expand(spec.filter, where, ctx.resolver());
        if (!filter)
            co_return "";
        codec::subscription sub;
        sub.topic_filter = ctx.to_wire_filter(*filter);
        sub.max_qos = static_cast<codec::qos>(spec.qos);
        sub.no_local = spec.no_local;
        sub.retain_as_published = spec.retain_as_published;
        sub.retain_handling = static_cast<codec::retain_handling>(spec.retain_handling);
        if (spec.subscription_identifier)
            props.add(codec::property_id::subscription_identifier, *spec.subscription_identifier);
        subs.push_back(std::move(sub));
    }
    auto out = co_await c.client->subscribe(std::move(subs), std::move(props));
    if (!out)
        co_return fmt::format("subscribe of {} failed: {}", c.name, out.message);
    for (std::size_t i = 0; i < out.reason_codes.size() && i < s.subscriptions.size(); ++i) {
        const int got = static_cast<int>(out.reason_codes[i]);
        const auto& sub = s.subscriptions[i];
        const bool ok = s.expect_reasons
                            ? (i < s.expect_reasons->size() && (*s.expect_reasons)[i] == got)
                            : got <= sub.qos;
        if (!ok)
            co_return fmt::format(
                "SUBACK for \"{}\" was {} (0x{:02x}){}", sub.filter,
                codec::to_string(out.reason_codes[i]), got,
                s.expect_reasons ? " instead of the expected reason" : ", not a granted QoS");
    }
    co_return "";
}

asio::awaitable<std::string> do_unsubscribe(scenario_context& ctx, client_actor& c,
                                            const scenario::unsubscribe_step& s,
                                            const scenario::position& where) {
    std::vector<std::string> filters;
    for (const auto& raw : s.filters) {
        auto f = ctx.expand(raw, where, ctx.resolver());
        if (!f)
            co_return "";
        filters.push_back(ctx.to_wire_filter(*f));
    }
    auto out = co_await c.client->unsubscribe(std::move(filters));
    if (!out)
        co_return fmt::format("unsubscribe of {} failed: {}", c.name, out.message);
    co_return "";
}

std::optional<codec::packet_type> packet_type_of(std::optional<int> t) {
    if (!t)
        return std::nullopt;
    return static_cast<codec::packet_type>(*t);
}

std::string do_fault(scenario_context& ctx, const scenario::fault_step& f) {
    using action = scenario::fault_step::action;
    std::string client_id;
    if (!f.client.empty()) {
        auto* c = ctx.find_client(f.client);
        client_id = c ? c->client_id : f.client;
    }
    if (f.what == action::disconnect_client) {
        bool found = false;
        ctx.embedded->with_core([&](broker::broker& b) {
            found = b.disconnect_client(client_id, static_cast<codec::disconnect_reason>(f.reason),
                                        clock::now());
        });
        return found ? "" : fmt::format("client {} is not connected to the broker", f.client);
    }
    if (f.what == action::clear) {
        ctx.embedded->with_core([&](broker::broker& b) {
            for (auto id : ctx.fault_ids)
                b.remove_fault(id);
        });
        ctx.fault_ids.clear();
        return "";
    }
    broker::fault_rule rule;
    rule.what = f.what == action::drop    ? broker::fault_rule::action::drop
                : f.what == action::delay ? broker::fault_rule::action::delay
                                          : broker::fault_rule::action::duplicate;
    rule.on = f.inbound ? broker::direction::in : broker::direction::out;
    rule.type = packet_type_of(f.packet_type);
    rule.client_id = client_id;
    rule.topic_filter = f.topic_filter.empty() ? "" : ctx.to_wire_filter(f.topic_filter);
    rule.delay = f.delay;
    rule.count = f.count;
    ctx.embedded->with_core([&](broker::broker& b) { ctx.fault_ids.push_back(b.add_fault(rule)); });
    return "";
}

}  // namespace

asio::awaitable<std::string> publish_repeated(scenario_context& ctx, client_actor& c,
                                              const scenario::message_spec& spec,
                                              const scenario::position& where, std::uint32_t repeat,
                                              std::optional<double> rate,
                                              std::optional<int> expect_reason, const bool* stop) {
    asio::steady_timer pace(ctx.io);
    const auto start = clock::now();
    for (std::uint32_t n = 1; repeat == 0 || n <= repeat; ++n) {
        if (ctx.aborted || (stop && *stop))
            co_return "";
        if (rate && *rate > 0 && n > 1) {
            pace.expires_at(start + std::chrono::duration_cast<clock::duration>(
                                        std::chrono::duration<double>((n - 1) / *rate)));
            co_await pace.async_wait(asio::as_tuple(asio::use_awaitable));
            if (ctx.aborted || (stop && *stop))
                co_return "";
        }
        const auto seq = std::to_string(n);
        auto resolve = ctx.resolver([&](std::string_view name) -> std::optional<std::string> {
            if (name == "seq")
                return seq;
            return std::nullopt;
        });
        auto p = build_publish(ctx, spec, where, resolve);
        if (!p)
            co_return "";
        auto out = co_await c.client->publish(std::move(*p));
        if (!out)
            co_return fmt::format("publish by {} failed: {}", c.name, out.message);
        // By default any success code (below 0x80, e.g. 0x10 no matching subscribers) will do.
        if (spec.qos > 0 &&
            (expect_reason ? out.reason_code != *expect_reason : out.reason_code >= 0x80))
            co_return fmt::format(
                "publish by {}: acknowledged with reason {} (0x{:02x}), expected {}", c.name,
                codec::to_string(static_cast<codec::puback_reason>(out.reason_code)),
                out.reason_code,
                expect_reason ? fmt::format("0x{:02x}", *expect_reason) : "a success code");
    }
    co_return "";
}

asio::awaitable<std::optional<failure>> run_action_step(scenario_context& ctx,
                                                        const scenario::step& st,
                                                        std::size_t index) {
    std::string problem;
    auto client_named = [&](const std::string& name) -> client_actor* {
        auto* c = ctx.find_client(name);
        if (!c)
            problem = fmt::format("no client named {}", name);
        return c;
    };
    if (auto* s = std::get_if<scenario::connect_step>(&st.body)) {
        if (auto* c = client_named(s->client)) {
            if (auto err = co_await connect_client(ctx, *c, s->clean_start, s->expect_reason))
                problem = *err;
        }
    } else if (auto* s = std::get_if<scenario::subscribe_step>(&st.body)) {
        if (auto* c = client_named(s->client))
            problem = co_await do_subscribe(ctx, *c, *s, st.where);
    } else if (auto* s = std::get_if<scenario::unsubscribe_step>(&st.body)) {
        if (auto* c = client_named(s->client))
            problem = co_await do_unsubscribe(ctx, *c, *s, st.where);
    } else if (auto* s = std::get_if<scenario::publish_step>(&st.body)) {
        ctx.last_publish_started = clock::now();
        if (auto* c = client_named(s->client))
            problem = co_await publish_repeated(ctx, *c, s->message, st.where, s->repeat, s->rate,
                                                s->expect_reason);
    } else if (auto* s = std::get_if<scenario::disconnect_step>(&st.body)) {
        if (auto* c = client_named(s->client)) {
            if (s->abrupt) {
                ctx.trace(c->name, "connection dropped without DISCONNECT");
                c->client->abort();
            } else {
                co_await c->client->disconnect(static_cast<codec::disconnect_reason>(s->reason));
            }
        }
    } else if (auto* s = std::get_if<scenario::sleep_step>(&st.body)) {
        co_await ctx.wait_until([] { return false; }, clock::now() + s->duration);
    } else if (auto* s = std::get_if<scenario::fault_step>(&st.body)) {
        problem = do_fault(ctx, *s);
    }
    if (problem.empty() || ctx.aborted)
        co_return std::nullopt;
    co_return step_failure(st, index, problem);
}

}  // namespace harness::runner
