// Stand-ins and background publishers.
#include "stand_ins.hpp"
#include "harness/packet_json/json_text.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "clients.hpp"
#include "harness/scenario/match.hpp"
#include "messages.hpp"
#include "steps.hpp"

namespace harness::runner {

namespace {

std::string as_string(const codec::binary& b) {
    return std::string(b.begin(), b.end());
}

asio::awaitable<void> react(scenario_context& ctx, const scenario::stand_in_spec& spec,
                            client_actor& c, codec::publish trigger) {
    if (spec.delay.count() > 0)
        co_await ctx.wait_until([] { return false; }, clock::now() + spec.delay);
    if (ctx.aborted || ctx.finishing)
        co_return;
    auto resolve = ctx.resolver([&trigger](std::string_view name) -> std::optional<std::string> {
        if (name.starts_with("trigger."))
            return trigger_value(trigger, name);
        return std::nullopt;
    });
    for (const auto& reply : spec.replies) {
        auto p = build_publish(ctx, reply, spec.where, resolve);
        if (!p)
            co_return;
        if (!reply.properties.correlation_data) {
            if (auto* cd = trigger.properties.binary_data(codec::property_id::correlation_data))
                p->properties.add(codec::property_id::correlation_data, *cd);
        }
        ctx.trace(spec.name, fmt::format("stand-in reacts to \"{}\": publishes to \"{}\"",
                                         trigger.topic, *ctx.from_wire_topic(p->topic)));
        auto out = co_await c.client->publish(std::move(*p));
        if (!out && !ctx.finishing)
            ctx.trace(spec.name, "reply failed: " + out.message);
    }
}

}  // namespace

std::optional<std::string> trigger_value(const codec::publish& trigger, std::string_view name) {
    name.remove_prefix(std::string_view("trigger.").size());
    if (name == "topic")
        return trigger.topic;
    if (name == "payload")
        return as_string(trigger.payload);
    if (name == "correlation_data") {
        auto* cd = trigger.properties.binary_data(codec::property_id::correlation_data);
        return cd ? as_string(*cd) : std::string();
    }
    if (name == "response_topic") {
        auto* rt = trigger.properties.string(codec::property_id::response_topic);
        return rt ? *rt : std::string();
    }
    if (name.starts_with("levels[") && name.ends_with(']')) {
        const auto n = std::stoul(std::string(name.substr(7, name.size() - 8)));
        std::size_t level = 0, begin = 0;
        const std::string& t = trigger.topic;
        for (std::size_t i = 0; i <= t.size(); ++i) {
            if (i == t.size() || t[i] == '/') {
                if (level++ == n)
                    return t.substr(begin, i - begin);
                begin = i + 1;
            }
        }
        return std::string();
    }
    if (name.starts_with("json")) {
        boost::system::error_code ec;
        auto doc = boost::json::parse(as_string(trigger.payload), ec);
        if (ec)
            return std::string();
        auto path = "$" + std::string(name.substr(4));
        const auto* v = scenario::find_json_path(doc, path);
        if (!v)
            return std::string();
        if (v->is_string())
            return std::string(v->get_string());
        return packet_json::json_text(*v);
    }
    return std::nullopt;
}

asio::awaitable<std::optional<failure>> start_stand_ins(scenario_context& ctx) {
    for (const auto& spec : ctx.spec.stand_ins) {
        client_actor* c = nullptr;
        if (!spec.client.empty()) {
            c = ctx.find_client(spec.client);
        } else {
            c = &add_internal_client(ctx, "stand-in-" + spec.name);
            if (auto err = co_await connect_client(ctx, *c, std::nullopt, std::nullopt)) {
                ctx.setup_error = true;
                co_return make_failure(fmt::format("stand-in {}: {}", spec.name, *err), "stand_in",
                                       spec.where.to_string());
            }
        }
        auto filter = ctx.expand(spec.trigger.topic_filter, spec.where, ctx.resolver());
        if (!filter)
            co_return std::nullopt;
        codec::subscription sub;
        sub.topic_filter = ctx.to_wire_filter(*filter);
        sub.max_qos = static_cast<codec::qos>(spec.subscribe_qos);
        auto out = co_await c->client->subscribe(std::vector<codec::subscription>(1, sub));
        if (!out || out.reason_codes.empty() || static_cast<int>(out.reason_codes[0]) >= 0x80)
            co_return make_failure(fmt::format("stand-in {}: subscription to \"{}\" failed{}",
                                               spec.name, *filter, out ? "" : ": " + out.message),
                                   "stand_in", spec.where.to_string());
        auto reactions = std::make_shared<std::uint32_t>(0);
        c->listeners.push_back([&ctx, &spec, c, reactions](const codec::publish& m) {
            if (ctx.finishing || ctx.aborted || (spec.count && *reactions >= spec.count))
                return;
            if (!scenario::match_message(spec.trigger, m, ctx.resolver()).matched)
                return;
            ++*reactions;
            asio::co_spawn(ctx.io, react(ctx, spec, *c, m), asio::detached);
        });
    }
    co_return std::nullopt;
}

void start_background(scenario_context& ctx) {
    for (const auto& spec : ctx.spec.background) {
        auto* c = ctx.find_client(spec.client);
        if (!c)
            continue;
        const auto count = spec.count;
        const double rate = spec.rate;
        asio::co_spawn(ctx.io,
                       publish_repeated(ctx, *c, spec.message, spec.where, count, rate,
                                        std::nullopt, &ctx.finishing),
                       [&ctx, &spec](std::exception_ptr, std::string problem) {
                           if (!problem.empty() && !ctx.finishing)
                               ctx.abort(make_failure(
                                   fmt::format("background publisher {}: {}", spec.name, problem),
                                   "background", spec.where.to_string()));
                       });
    }
}

}  // namespace harness::runner
