// One scenario from start to verdict: broker, clients, stand-ins, components, background
// publishers, steps, then an orderly stop that keeps every log.
#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>

#include "clients.hpp"
#include "components.hpp"
#include "context.hpp"
#include "expectations.hpp"
#include "harness/broker/server.hpp"
#include "raw_clients.hpp"
#include "raw_steps.hpp"
#include "stand_ins.hpp"
#include "steps.hpp"

namespace harness::runner {

namespace {

// GCC 12 at -O1 (the asan preset) warns -Wmismatched-new-delete on this coroutine's frame: a
// false positive about Asio's class-specific operator new/delete for awaitable frames.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<std::optional<failure>> run_steps(scenario_context& ctx,
                                                  std::vector<running_component>& components) {
    for (std::size_t i = 0; i < ctx.spec.steps.size(); ++i) {
        if (ctx.aborted)
            co_return std::nullopt;
        const auto& st = ctx.spec.steps[i];
        const auto now = clock::now();
        if (!st.id.empty())
            ctx.step_started[st.id] = now;
        ctx.trace("steps", fmt::format("step {}: {} ({})", i + 1, scenario::step_kind(st.body),
                                       st.where.to_string()));
        std::optional<failure> f;
        raw_actor* raw = nullptr;
        std::visit(
            [&](const auto& body) {
                if constexpr (requires { body.client; }) {
                    if (auto it = ctx.raw_clients.find(body.client); it != ctx.raw_clients.end())
                        raw = it->second.get();
                }
            },
            st.body);
        if (raw != nullptr)
            f = co_await run_raw_step(ctx, st, i, *raw);
        else if (auto* e = std::get_if<scenario::expect_step>(&st.body))
            f = co_await run_expect(ctx, st, i, *e);
        else if (auto* n = std::get_if<scenario::expect_none_step>(&st.body))
            f = co_await run_expect_none(ctx, st, i, *n);
        else if (auto* w = std::get_if<scenario::wait_log_step>(&st.body))
            f = co_await run_wait_log(ctx, components, st, i, *w);
        else
            f = co_await run_action_step(ctx, st, i);
        if (f) {
            ctx.trace("steps", fmt::format("step {} failed", i + 1));  // when, for the reports
            co_return f;
        }
    }
    co_return std::nullopt;
}
#pragma GCC diagnostic pop

asio::awaitable<void> run_main(scenario_context& ctx) {
    std::vector<running_component> components;
    auto fail = [&ctx](failure f) {
        if (!ctx.aborted)
            ctx.aborted = std::move(f);
    };
    for (const auto& spec : ctx.spec.clients) {
        if (spec.raw)
            add_raw_client(ctx, spec);
        else
            add_client(ctx, spec);
    }
    for (const auto& spec : ctx.spec.clients) {
        if (!spec.auto_connect || ctx.aborted)
            continue;
        if (spec.raw) {
            if (auto err = co_await open_raw_client(ctx, *ctx.raw_clients.at(spec.name))) {
                ctx.setup_error = true;
                fail(make_failure(*err, "connect", spec.where.to_string()));
            }
            continue;
        }
        if (auto err = co_await connect_client(ctx, *ctx.find_client(spec.name), std::nullopt,
                                               std::nullopt)) {
            ctx.setup_error = !ctx.find_client(spec.name)->client->state().connack().has_value();
            fail(make_failure(*err, "connect", spec.where.to_string()));
        }
    }
    if (!ctx.aborted) {
        if (auto f = co_await start_stand_ins(ctx))
            fail(std::move(*f));
    }
    if (!ctx.aborted) {
        if (auto f = co_await start_components(ctx, components))
            fail(std::move(*f));
    }
    if (!ctx.aborted) {
        start_background(ctx);
        if (auto f = co_await run_steps(ctx, components))
            fail(std::move(*f));
    }
    ctx.finishing = true;
    ctx.notify();
    co_await stop_components(ctx, components);
    co_await close_all_raw_clients(ctx);
    co_await disconnect_all(ctx);
}

}  // namespace

void interrupt::fire() {
    // The hooks run under the lock: remove() then cannot return while a hook of the scenario
    // being torn down is still running. Hooks only post to an io_context, so this is quick.
    std::lock_guard lock(mutex_);
    fired_ = true;
    for (auto& [token, hook] : hooks_)
        hook();
}

std::uint64_t interrupt::add(std::function<void()> hook) {
    std::unique_lock lock(mutex_);
    const auto token = next_++;
    if (fired_) {
        lock.unlock();
        hook();
        return token;
    }
    hooks_.emplace_back(token, std::move(hook));
    return token;
}

void interrupt::remove(std::uint64_t token) {
    std::lock_guard lock(mutex_);
    std::erase_if(hooks_, [token](const auto& h) { return h.first == token; });
}

/// One listener on 127.0.0.1, as `listener` says.
broker::server_options embedded_server_options(const embedded_listener& listener) {
    using transport::scheme;
    broker::server_options o;
    auto& l = o.listeners.front();
    if (listener.kind == scheme::ws || listener.kind == scheme::wss)
        l.transport = broker::listener_options::protocol::websockets;
    if (listener.kind == scheme::mqtts || listener.kind == scheme::wss) {
        broker::listener_tls tls;
        tls.certfile = listener.cert_file;
        tls.keyfile = listener.key_file;
        l.tls = tls;
    }
    return o;
}

scenario_result run_scenario(const scenario::scenario& s, const run_options& options) {
    asio::io_context io(1);
    scenario_context ctx(io, s, options);
    auto& result = ctx.result;
    if (options.broker && s.needs_embedded_broker()) {
        result.outcome = verdict::skipped;
        result.skip_reason = "uses fault injection, which needs the embedded broker";
        return result;
    }
    std::unique_ptr<broker::embedded_broker> embedded;
    if (options.broker) {
        ctx.broker_url = *options.broker;
        if (options.topic_prefix)
            ctx.prefix = fmt::format("harness-{}-{}/", options.run_id, options.scenario_index);
    } else {
        try {
            embedded = std::make_unique<broker::embedded_broker>(
                embedded_server_options(options.embedded));
        } catch (const std::exception& e) {
            result.outcome = verdict::error;
            result.fail = make_failure(
                fmt::format("the embedded broker did not start: {}", e.what()), "broker", "");
            return result;
        }
        ctx.embedded = embedded.get();
        std::string error;
        ctx.broker_url = transport::parse_broker_url(embedded->url(0), error).value();
    }
    std::optional<interrupt_hook> hook;
    hook.emplace(ctx);
    std::exception_ptr crashed;
    // Once the scenario is over, what still runs is transport teardown the broker may take its
    // time over (a WebSocket closing handshake); the verdict does not wait for it.
    asio::co_spawn(io, run_main(ctx), [&crashed, &io](std::exception_ptr e) {
        crashed = e;
        io.stop();
    });
    io.run();
    ctx.clients.clear();
    ctx.raw_clients.clear();
    hook.reset();
    embedded.reset();

    if (crashed) {
        try {
            std::rethrow_exception(crashed);
        } catch (const std::exception& e) {
            ctx.abort(make_failure(fmt::format("internal error: {}", e.what()), "", ""));
            ctx.setup_error = true;
        }
    }
    result.seconds = ctx.since_start(clock::now());
    if (ctx.aborted) {
        result.outcome = ctx.setup_error || ctx.interrupted ? verdict::error : verdict::failed;
        result.fail = std::move(ctx.aborted);
        result.last_packets = last_packets(ctx, 10);
    }
    return result;
}

}  // namespace harness::runner
