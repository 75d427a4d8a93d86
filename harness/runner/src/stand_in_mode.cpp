// `mqtt-harness stand-in`: a scenario's stand-ins alone against a live broker, playing a
// component that is not built yet until the duration ends or the user stops them.
#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>

#include "clients.hpp"
#include "context.hpp"
#include "stand_ins.hpp"

namespace harness::runner {

namespace {

asio::awaitable<void> play(scenario_context& ctx, std::chrono::milliseconds duration,
                           std::string& error) {
    // Connect the declared clients the stand-ins use.
    for (const auto& st : ctx.spec.stand_ins) {
        if (st.client.empty() || ctx.find_client(st.client))
            continue;
        for (const auto& spec : ctx.spec.clients) {
            if (spec.name != st.client)
                continue;
            auto& c = add_client(ctx, spec);
            if (auto err = co_await connect_client(ctx, c, std::nullopt, std::nullopt)) {
                error = *err;
                co_return;
            }
        }
    }
    if (!ctx.aborted) {
        if (auto f = co_await start_stand_ins(ctx))
            error = f->message;
    }
    if (error.empty() && !ctx.aborted) {
        ctx.trace(
            "stand-in",
            fmt::format("{} stand-in{} listening on {}", ctx.spec.stand_ins.size(),
                        ctx.spec.stand_ins.size() == 1 ? "" : "s", ctx.broker_url.to_string()));
        const auto until = duration.count() > 0 ? clock::now() + duration : time_point::max();
        co_await ctx.wait_until([] { return false; }, until);
    }
    if (ctx.aborted && !ctx.interrupted && error.empty())
        error = ctx.aborted->message;
    ctx.finishing = true;
    co_await disconnect_all(ctx);
}

}  // namespace

std::string run_stand_ins(const scenario::scenario& s, const run_options& options,
                          std::chrono::milliseconds duration,
                          const std::function<void(const std::string&)>& log) {
    asio::io_context io(1);
    auto o = options;
    o.live_trace = [&log](const trace_entry& e) {
        log(fmt::format("+{:.3f}s {}: {}", e.at, e.actor, e.what));
    };
    scenario_context ctx(io, s, o);
    if (!options.broker)
        return "stand-in needs --broker URL";
    ctx.broker_url = *options.broker;  // no topic prefix: the real components use real topics
    std::optional<interrupt_hook> hook;
    hook.emplace(ctx);
    std::string error;
    asio::co_spawn(io, play(ctx, duration, error), [](std::exception_ptr e) {
        if (e)
            std::rethrow_exception(e);
    });
    io.run();
    hook.reset();
    return error;
}

}  // namespace harness::runner
