// The shared state of a running scenario: waiting and notification, trace, templates, and the
// translation of topics to and from the run's prefix on external brokers.
#include "context.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include "harness/codec/topic.hpp"

namespace harness::runner {

scenario_context::scenario_context(asio::io_context& i, const scenario::scenario& s,
                                   const run_options& o)
    : io(i), spec(s), options(o), random(o.seed ^ (o.scenario_index * 0x9E3779B97F4A7C15ull)) {
    result.file = s.file;
    result.name = s.name;
    result.tags = s.tags;
    result.started = started_wall;
}

void scenario_context::notify() {
    for (auto* t : waiters_)
        t->cancel();
}

asio::awaitable<bool> scenario_context::wait_until(std::function<bool()> done,
                                                   time_point deadline) {
    asio::steady_timer timer(io);
    while (!done()) {
        if (aborted || finishing || clock::now() >= deadline)
            co_return false;
        timer.expires_at(deadline);
        waiters_.push_back(&timer);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        std::erase(waiters_, &timer);
    }
    co_return true;
}

void scenario_context::abort(failure f) {
    if (!aborted)
        aborted = std::move(f);
    notify();
}

double scenario_context::since_start(time_point t) const {
    return std::chrono::duration<double>(t - started).count();
}

void scenario_context::trace(const std::string& actor, std::string what) {
    trace_entry e{since_start(clock::now()), actor, std::move(what)};
    if (options.live_trace)
        options.live_trace(e);
    result.trace.push_back(std::move(e));
}

scenario::template_resolver scenario_context::resolver(
    std::function<std::optional<std::string>(std::string_view)> extra) {
    return [this, extra = std::move(extra)](std::string_view name) -> std::optional<std::string> {
        if (extra) {
            if (auto v = extra(name))
                return v;
        }
        if (auto it = spec.variables.find(std::string(name)); it != spec.variables.end())
            return it->second;
        if (auto it = saved.find(std::string(name)); it != saved.end()) {
            const auto& v = it->second;
            return v.is_string() ? std::string(v.as_string()) : boost::json::serialize(v);
        }
        if (name == "seq")
            return std::to_string(seq);
        if (name == "now")
            return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
        if (name == "now_iso")
            return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z",
                               fmt::gmtime(std::chrono::system_clock::to_time_t(
                                   std::chrono::system_clock::now())));
        if (name == "random")
            return std::to_string(static_cast<std::uint32_t>(random()));
        if (name == "uuid") {
            const auto a = random(), b = random();
            return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff,
                               a & 0xfff, 0x8000 | (b >> 48 & 0x3fff), b & 0xffffffffffffull);
        }
        if (name == "broker.url")
            return broker_url.to_string();
        if (name == "broker.host")
            return broker_url.host;
        if (name == "broker.port")
            return std::to_string(broker_url.port);
        if (name == "broker.ca_file")  // the run's CA file (--cafile, or embedded:mqtts/wss's)
            return options.tls.ca_file;
        if (name == "run.id")
            return options.run_id;
        if (name == "run.prefix")
            return prefix;
        if (name == "scenario.name")
            return spec.name;
        return std::nullopt;
    };
}

std::optional<std::string> scenario_context::expand(const std::string& raw,
                                                    const scenario::position& where,
                                                    const scenario::template_resolver& resolve) {
    std::string error;
    auto value = scenario::expand_template(raw, resolve, error);
    if (!value)
        abort(make_failure(fmt::format("{}: {}", where.to_string(), error), "template",
                           where.to_string()));
    return value;
}

std::string scenario_context::to_wire_topic(const std::string& topic) const {
    if (prefix.empty() || topic.starts_with('$'))
        return topic;
    return prefix + topic;
}

std::string scenario_context::to_wire_filter(const std::string& filter) const {
    if (prefix.empty())
        return filter;
    if (auto shared = codec::parse_shared_subscription(filter)) {
        return fmt::format("$share/{}/{}", shared->group,
                           to_wire_topic(std::string(shared->filter)));
    }
    return to_wire_topic(filter);
}

std::optional<std::string> scenario_context::from_wire_topic(const std::string& topic) const {
    if (prefix.empty() || topic.starts_with('$'))
        return topic;
    if (!topic.starts_with(prefix))
        return std::nullopt;
    return topic.substr(prefix.size());
}

client_actor* scenario_context::find_client(const std::string& name) {
    auto it = clients.find(name);
    return it == clients.end() ? nullptr : it->second.get();
}

interrupt_hook::interrupt_hook(scenario_context& ctx) : stop_(ctx.options.stop) {
    if (!stop_)
        return;
    token_ = stop_->add([&ctx] {
        asio::post(ctx.io, [&ctx] {
            ctx.interrupted = true;
            ctx.abort(make_failure("interrupted", "", ""));
        });
    });
}

interrupt_hook::~interrupt_hook() {
    if (stop_)
        stop_->remove(token_);
}

failure make_failure(std::string message, std::string step, std::string where) {
    failure f;
    f.message = std::move(message);
    f.step = std::move(step);
    f.where = std::move(where);
    return f;
}

failure step_failure(const scenario::step& st, std::size_t index, std::string message) {
    failure f;
    f.step = std::string(scenario::step_kind(st.body));
    f.where = st.where.to_string();
    f.message = fmt::format("step {} ({}{} at {}): {}", index + 1, f.step,
                            st.id.empty() ? "" : " " + st.id, f.where, message);
    return f;
}

}  // namespace harness::runner
