// Components under test.
#include "components.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "clients.hpp"
#include "harness/scenario/match.hpp"
#include "regex.hpp"

namespace harness::runner {

namespace {

std::string signal_note(int status) {
    return status > 128 ? fmt::format(" (signal {})", status - 128) : "";
}

failure component_failure(const running_component& c, std::string message) {
    failure f;
    f.step = "component";
    f.where = c.spec->where.to_string();
    f.message = fmt::format("component {} ({}): {}", c.spec->name, f.where, message);
    f.expected = fmt::format("component {} running: {}", c.spec->name, c.proc->command_line());
    const auto tail = c.proc->log_text(20);
    if (!tail.empty())
        f.expected += "\nlast log lines:\n" + tail;
    return f;
}

/// How long a wait on a component's output or port goes without looking up: the scenario's abort
/// (an interrupt, a component's exit, another failure) ends such a wait within this.
constexpr std::chrono::milliseconds watch_slice{100};

std::chrono::milliseconds slice_until(time_point deadline, time_point now) {
    return std::min(std::chrono::ceil<std::chrono::milliseconds>(deadline - now), watch_slice);
}

/// process::wait_for_line that also ends when the scenario is aborted. Once no line can come
/// any more (the output closed before the slice was over) it waits for the deadline or the
/// abort: a component that ended is reported by its exit, which may be seen just after.
asio::awaitable<std::optional<output_line>> watch_for_line(scenario_context& ctx, process& proc,
                                                           const std::string& pattern,
                                                           std::chrono::milliseconds timeout,
                                                           std::uint64_t from) {
    const auto re = compile_regex(pattern);
    const auto deadline = clock::now() + timeout;
    for (auto now = clock::now(); !ctx.aborted && now < deadline; now = clock::now()) {
        const auto slice = slice_until(deadline, now);
        if (auto line = co_await proc.wait_for_line(re, slice, from))
            co_return line;
        if (clock::now() < now + slice) {
            co_await ctx.wait_until([] { return false; }, deadline);
            break;
        }
    }
    co_return std::nullopt;
}

/// wait_port_open that also ends when the scenario is aborted or the component has ended.
asio::awaitable<bool> watch_port(scenario_context& ctx, process& proc, std::uint16_t port,
                                 std::chrono::milliseconds timeout) {
    const auto deadline = clock::now() + timeout;
    for (auto now = clock::now(); !ctx.aborted && proc.running() && now < deadline;
         now = clock::now()) {
        if (co_await wait_port_open(port, slice_until(deadline, now)))
            co_return true;
    }
    co_return false;
}

asio::awaitable<std::optional<std::string>> wait_ready(scenario_context& ctx, running_component& c,
                                                       std::uint64_t cursor) {
    const auto& r = *c.spec->ready;
    using kind = scenario::readiness_spec::kind;
    const auto timeout = r.timeout;
    std::string what;
    bool ok = false;
    if (r.on == kind::log_line) {
        what = fmt::format("a log line matching /{}/", r.pattern);
        auto line = co_await watch_for_line(ctx, *c.proc, r.pattern, timeout, cursor);
        ok = line.has_value();
    } else if (r.on == kind::port) {
        what = fmt::format("port {} to accept connections", r.port);
        ok = co_await watch_port(ctx, *c.proc, r.port, timeout);
    } else {
        auto topic = ctx.expand(r.topic, r.where, ctx.resolver());
        if (!topic)
            co_return std::nullopt;
        what = fmt::format("a message on \"{}\"", *topic);
        // The watcher subscribed before the component started (see start_components).
        auto* watcher = ctx.find_client("\x01ready-" + c.spec->name);
        scenario::message_match m;
        m.topic_filter = *topic;
        ok = co_await ctx.wait_until(
            [&] {
                for (const auto& rm : watcher->inbox)
                    if (scenario::match_message(m, rm.message, ctx.resolver()).matched)
                        return true;
                return !c.proc->running();
            },
            clock::now() + timeout);
        ok = ok && c.proc->running();
    }
    if (ok)
        co_return std::nullopt;
    if (auto status = c.proc->exit_status())
        co_return fmt::format("exited with status {}{} before it was ready", *status,
                              signal_note(*status));
    if (ctx.aborted)
        co_return std::nullopt;
    co_return fmt::format("not ready: waited {} ms for {}", timeout.count(), what);
}

}  // namespace

// GCC 12 at -O1 (the asan preset) warns -Wmismatched-new-delete on this coroutine's frame: a
// false positive about Asio's class-specific operator new/delete for awaitable frames.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<std::optional<failure>> start_components(
    scenario_context& ctx, std::vector<running_component>& components) {
    components.reserve(ctx.spec.components.size());  // callbacks hold references into it
    for (const auto& spec : ctx.spec.components) {
        process_spec ps;
        for (const auto& raw : spec.command) {
            auto v = ctx.expand(raw, spec.where, ctx.resolver());
            if (!v)
                co_return std::nullopt;
            ps.command.push_back(*v);
        }
        ps.shell = spec.shell;
        ps.working_dir = spec.working_dir;
        for (const auto& [k, raw] : spec.env) {
            auto v = ctx.expand(raw, spec.where, ctx.resolver());
            if (!v)
                co_return std::nullopt;
            ps.env.emplace_back(k, *v);
        }
        if (spec.ready && spec.ready->on == scenario::readiness_spec::kind::message) {
            auto& watcher = add_internal_client(ctx, "ready-" + spec.name);
            auto topic = ctx.expand(spec.ready->topic, spec.ready->where, ctx.resolver());
            if (!topic)
                co_return std::nullopt;
            if (auto err = co_await connect_client(ctx, watcher, std::nullopt, std::nullopt)) {
                ctx.setup_error = true;
                co_return make_failure(*err, "component", spec.where.to_string());
            }
            codec::subscription sub;
            sub.topic_filter = ctx.to_wire_filter(*topic);
            sub.max_qos = codec::qos::at_least_once;
            co_await watcher.client->subscribe(std::vector<codec::subscription>(1, sub));
        }
        auto& c = components.emplace_back();
        c.spec = &spec;
        c.proc = std::make_unique<process>(ctx.io.get_executor(), std::move(ps));
        const std::string name = spec.name;
        c.proc->on_line([&ctx, name](const output_line& line) {
            ctx.trace(name,
                      (line.stream == output_stream::err ? "[stderr] " : "[stdout] ") + line.text);
            ctx.notify();
        });
        if (auto err = c.proc->start()) {
            ctx.setup_error = true;
            co_return component_failure(c, err.message);
        }
        ctx.trace(name, "started: " + c.proc->command_line());
        c.proc->on_exit([&ctx, &c](int status) {
            ctx.trace(c.spec->name, fmt::format("exited with status {}", status));
            if (!ctx.finishing)
                ctx.abort(component_failure(
                    c, fmt::format("exited early with status {}{}", status, signal_note(status))));
        });
        if (spec.ready) {
            if (auto err = co_await wait_ready(ctx, c, 0))
                co_return component_failure(c, *err);
            if (ctx.aborted)
                co_return std::nullopt;
            ctx.trace(name, "ready");
        }
        if (ctx.aborted)
            co_return std::nullopt;
    }
    co_return std::nullopt;
}

#pragma GCC diagnostic pop

asio::awaitable<void> stop_components(scenario_context& ctx,
                                      std::vector<running_component>& components) {
    for (auto it = components.rbegin(); it != components.rend(); ++it) {
        auto& c = *it;
        // stop() also ends what a component that exited early left running in its group.
        int status = -1;
        if (c.proc->started())
            status = co_await c.proc->stop(c.spec->stop_signal, c.spec->stop_grace);
        component_log log;
        log.name = c.spec->name;
        log.command = c.proc->command_line();
        if (c.proc->started())
            log.exit_status = status;
        log.output = c.proc->log_text(1000);
        ctx.result.components.insert(ctx.result.components.begin(), std::move(log));
    }
}

asio::awaitable<std::optional<failure>> run_wait_log(scenario_context& ctx,
                                                     std::vector<running_component>& components,
                                                     const scenario::step& st, std::size_t index,
                                                     const scenario::wait_log_step& w) {
    running_component* c = nullptr;
    for (auto& rc : components)
        if (rc.spec->name == w.component)
            c = &rc;
    if (!c)
        co_return step_failure(st, index, fmt::format("no component named {}", w.component));
    const auto timeout =
        w.timeout.value_or(ctx.spec.defaults.timeout.value_or(ctx.options.timeout));
    auto line = co_await watch_for_line(ctx, *c->proc, w.pattern, timeout, 0);
    if (line || ctx.aborted)
        co_return std::nullopt;
    auto f = step_failure(st, index,
                          fmt::format("no line of {} matched /{}/ within {} ms", w.component,
                                      w.pattern, timeout.count()));
    f.expected = fmt::format("a line of component {} matching /{}/\nlast log lines:\n{}",
                             w.component, w.pattern, c->proc->log_text(20));
    co_return f;
}

}  // namespace harness::runner
