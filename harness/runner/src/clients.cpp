// Scenario clients over async_client.
#include "clients.hpp"

#include <fmt/format.h>

#include "harness/codec/reason_codes.hpp"
#include "messages.hpp"
#include "packet_text.hpp"

namespace harness::runner {

namespace {

client::client_options base_options(scenario_context& ctx) {
    client::client_options o;
    o.url = ctx.broker_url;
    o.timeout = ctx.options.timeout;
    o.tls = ctx.options.tls;
    return o;
}

void wire_up(scenario_context& ctx, client_actor& actor) {
    actor.client->observe([&ctx, &actor](client::direction d, const codec::packet& p) {
        ctx.trace(actor.name, (d == client::direction::sent ? "-> " : "<- ") + packet_text(p));
    });
    actor.client->on_message([&ctx, &actor](codec::publish&& m) {
        auto topic = ctx.from_wire_topic(m.topic);
        if (!topic)
            return;  // another run's message on a shared broker
        m.topic = std::move(*topic);
        if (auto* rt = m.properties.string(codec::property_id::response_topic)) {
            if (auto local = ctx.from_wire_topic(*rt)) {
                std::string value = *local;
                m.properties.erase(codec::property_id::response_topic);
                m.properties.add(codec::property_id::response_topic, std::move(value));
            }
        }
        for (auto& listener : actor.listeners)
            listener(m);
        actor.inbox.push_back(received_message{std::move(m), clock::now(), false});
        ctx.notify();
    });
}

std::string unique_suffix(scenario_context& ctx) {
    return fmt::format("{}-{}", ctx.options.run_id, ctx.options.scenario_index);
}

}  // namespace

client_actor& add_client(scenario_context& ctx, const scenario::client_spec& spec) {
    auto actor = std::make_unique<client_actor>();
    actor->name = spec.name;
    actor->spec = &spec;
    auto o = base_options(ctx);
    auto& c = o.session.connect;
    c.version = static_cast<codec::protocol_version>(spec.version);
    std::string id = spec.name + "-" + unique_suffix(ctx);
    if (spec.client_id) {
        if (auto v = ctx.expand(*spec.client_id, spec.where, ctx.resolver()))
            id = ctx.prefix.empty() ? *v : *v + "-" + unique_suffix(ctx);
    }
    c.client_id = id;
    actor->client_id = id;
    c.clean_start = spec.clean_start;
    c.keep_alive = spec.keep_alive;
    if (spec.session_expiry && spec.version == 5)
        c.properties.add(codec::property_id::session_expiry_interval, *spec.session_expiry);
    if (spec.username)
        c.username = ctx.expand(*spec.username, spec.where, ctx.resolver());
    if (spec.password) {
        if (auto v = ctx.expand(*spec.password, spec.where, ctx.resolver()))
            c.password = codec::binary(v->begin(), v->end());
    }
    if (!spec.username && !spec.password && ctx.options.username) {
        c.username = ctx.options.username;
        if (ctx.options.password)
            c.password = codec::binary(ctx.options.password->begin(), ctx.options.password->end());
    }
    if (spec.will) {
        if (auto p = build_publish(ctx, spec.will->message, spec.where, ctx.resolver())) {
            codec::will_message w;
            w.topic = p->topic;
            w.payload = std::move(p->payload);
            w.qos = p->qos;
            w.retain = p->retain;
            w.properties = std::move(p->properties);
            if (spec.will->delay_interval)
                w.properties.add(codec::property_id::will_delay_interval,
                                 spec.will->delay_interval);
            c.will = std::move(w);
        }
    }
    if (spec.tls) {
        o.tls = transport::tls_options();  // the client's own settings replace the run's
        o.tls.ca_file = spec.tls->ca_file;
        o.tls.cert_file = spec.tls->cert_file;
        o.tls.key_file = spec.tls->key_file;
        o.tls.server_name = spec.tls->server_name;
        o.tls.insecure = spec.tls->insecure;
    }
    actor->options = o;
    actor->client = std::make_unique<client::async_client>(ctx.io.get_executor(), std::move(o));
    wire_up(ctx, *actor);
    auto& ref = *actor;
    ctx.clients[spec.name] = std::move(actor);
    return ref;
}

client_actor& add_internal_client(scenario_context& ctx, const std::string& name) {
    auto actor = std::make_unique<client_actor>();
    actor->name = name;
    auto o = base_options(ctx);
    o.session.connect.client_id = name + "-" + unique_suffix(ctx);
    actor->client_id = o.session.connect.client_id;
    actor->client = std::make_unique<client::async_client>(ctx.io.get_executor(), std::move(o));
    wire_up(ctx, *actor);
    auto& ref = *actor;
    ctx.clients["\x01" + name] = std::move(actor);  // internal names cannot clash with the file's
    return ref;
}

asio::awaitable<std::optional<std::string>> connect_client(scenario_context& ctx,
                                                           client_actor& actor,
                                                           std::optional<bool> clean_start,
                                                           std::optional<int> expect_reason) {
    if (clean_start && *clean_start != actor.options.session.connect.clean_start &&
        !actor.client->connected()) {
        // The CONNECT is fixed per async_client: a different clean start needs a new one (the
        // broker keeps the session; unacknowledged messages of the old client are not resent).
        actor.options.session.connect.clean_start = *clean_start;
        actor.client = std::make_unique<client::async_client>(ctx.io.get_executor(), actor.options);
        wire_up(ctx, actor);
    }
    auto outcome = co_await actor.client->connect();
    const int want = expect_reason.value_or(0);
    int got = 0;
    if (outcome.connack)
        got = static_cast<int>(outcome.connack->reason_code);
    if (!outcome && !outcome.connack)
        co_return fmt::format("client {} could not connect to {}: {}", actor.name,
                              ctx.broker_url.to_string(), outcome.message);
    if (got != want)
        co_return fmt::format("client {}: CONNACK {} (0x{:02x}), expected {} (0x{:02x})",
                              actor.name, codec::to_string(static_cast<codec::connack_reason>(got)),
                              got, codec::to_string(static_cast<codec::connack_reason>(want)),
                              want);
    co_return std::nullopt;
}

asio::awaitable<void> disconnect_all(scenario_context& ctx) {
    for (auto& [name, actor] : ctx.clients) {
        if (actor->client->connected())
            co_await actor->client->disconnect();
    }
}

std::vector<std::string> last_packets(const scenario_context& ctx, std::size_t n) {
    std::vector<std::string> out;
    const auto add = [&](const std::string& name) {
        std::vector<const trace_entry*> lines;
        for (auto it = ctx.result.trace.rbegin(); it != ctx.result.trace.rend() && lines.size() < n;
             ++it) {
            if (it->actor == name)
                lines.push_back(&*it);
        }
        for (auto it = lines.rbegin(); it != lines.rend(); ++it)
            out.push_back(fmt::format("{} +{:.3f}s {}", name, (*it)->at, (*it)->what));
    };
    for (const auto& [key, actor] : ctx.clients)
        add(actor->name);
    for (const auto& [key, actor] : ctx.raw_clients)
        add(actor->name);
    return out;
}

}  // namespace harness::runner
