// The $SYS/broker topics as Mosquitto publishes them: the version once at start, then every
// options.sys_interval the uptime, client, message, byte, subscription and retained counts and
// the load averages, as retained QoS 0 messages through the normal routing (a "$SYS/#"
// subscription receives them, "#" does not: [MQTT-4.7.2-1]). Like Mosquitto, a topic is
// published again only when its value changed. Time comes from tick()/open(), never a clock.
#include <cmath>
#include <cstdio>
#include <string_view>

#include "broker_impl.hpp"

namespace harness::broker {

using namespace codec;

namespace {

/// The load averages: which counter each one follows (the order of sys_state::counted/load).
struct load_source {
    std::string_view topic;  // under $SYS/broker/load/, before /1min, /5min, /15min
    std::uint64_t broker_stats::*counter;
};
constexpr load_source load_sources[] = {
    {"messages/received", &broker_stats::messages_received},
    {"messages/sent", &broker_stats::messages_sent},
    {"bytes/received", &broker_stats::bytes_received},
    {"bytes/sent", &broker_stats::bytes_sent},
    {"connections", &broker_stats::connections_opened},
};

/// The averaging windows, in seconds, and the suffixes naming them.
constexpr double load_windows[] = {60.0, 300.0, 900.0};
constexpr std::string_view load_suffixes[] = {"/1min", "/5min", "/15min"};

/// Publishes one retained $SYS message through the router, unless `always` is false and the
/// topic already carries this payload.
void publish_sys(broker::impl& i, std::string topic, std::string payload, time_point now,
                 bool always = false) {
    auto& last = i.sys.published[topic];
    if (!always && last == payload)
        return;
    last = payload;
    auto m = std::make_shared<message>();
    m->topic = std::move(topic);
    m->payload.assign(payload.begin(), payload.end());
    m->qos = qos::at_most_once;
    m->retain = true;
    m->origin = 0;  // no session: no-local never applies
    i.retain(m);
    i.routing_from = 0;  // not a client's PUBLISH: no acknowledgement to hold
    i.overfull.clear();
    i.route(m, now);
}

std::string two_decimals(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f", value);
    return buffer;
}

/// Publishes every periodic topic; `elapsed` is the time since the previous update (0 at the
/// first one, which publishes the load averages as 0.00).
void publish_all(broker::impl& i, time_point now, std::chrono::duration<double> elapsed,
                 bool first) {
    const auto& st = i.stats;
    const auto count = [&](const char* topic, std::uint64_t value) {
        publish_sys(i, std::string("$SYS/broker/") + topic, std::to_string(value), now, first);
    };

    const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(now - i.sys.start);
    publish_sys(i, "$SYS/broker/uptime", std::to_string(uptime.count()) + " seconds", now, first);

    // Clients: connected now, sessions kept without a connection, both, and the most connected
    // at once.
    std::uint64_t disconnected = 0;
    std::uint64_t stored = i.retained.size();  // retained, queued and in flight
    for (const auto& [key, s] : i.sessions) {
        if (s.connection == 0)
            ++disconnected;
        if (s.flow_) {
            stored += s.flow_->queue.size();
            for (const auto& [id, f] : s.flow_->outgoing)
                stored += f.d.msg ? 1 : 0;  // awaiting PUBCOMP only the packet id is held
        }
    }
    count("clients/connected", st.clients_connected);
    count("clients/disconnected", disconnected);
    count("clients/total", st.clients_connected + disconnected);
    count("clients/maximum", st.clients_maximum);

    count("messages/received", st.messages_received);
    count("messages/sent", st.messages_sent);
    count("messages/stored", stored);
    count("publish/messages/dropped", st.messages_dropped);
    count("bytes/received", st.bytes_received);
    count("bytes/sent", st.bytes_sent);
    count("subscriptions/count", i.subscriptions.size());
    count("retained messages/count", i.retained.size());

    // Load averages, as Mosquitto computes them: over the `dt` seconds since the last update a
    // counter grew by `delta`, a rate of r = delta * 60 / dt per minute. Each average over a
    // window of W seconds (60, 300, 900) decays towards r:
    //     average = r + exp(-dt / W) * (average - r)
    // so a steady rate r is reached exponentially, with time constant W. Published with two
    // decimals, when it moved by 0.01 or more (or at the first update).
    const double dt = elapsed.count();
    for (std::size_t k = 0; k < std::size(load_sources); ++k) {
        const auto value = st.*load_sources[k].counter;
        const auto delta = value - i.sys.counted[k];
        i.sys.counted[k] = value;
        for (std::size_t w = 0; w < std::size(load_windows); ++w) {
            auto& average = i.sys.load[k][w];
            const double before = average;
            if (dt > 0) {
                const double rate = static_cast<double>(delta) * 60.0 / dt;
                average = rate + std::exp(-dt / load_windows[w]) * (average - rate);
            }
            if (first || std::fabs(average - before) >= 0.01) {
                std::string topic = "$SYS/broker/load/";
                topic.append(load_sources[k].topic).append(load_suffixes[w]);
                publish_sys(i, std::move(topic), two_decimals(average), now, true);
            }
        }
    }
}

}  // namespace

void broker::impl::run_sys(time_point now) {
    const auto interval = options.sys_interval;
    if (interval.count() <= 0)
        return;
    if (!sys.started) {
        sys.started = true;
        sys.start = sys.last = now;
        sys.next = now + interval;
        for (std::size_t k = 0; k < std::size(load_sources); ++k)
            sys.counted[k] = stats.*load_sources[k].counter;
        publish_sys(*this, "$SYS/broker/version", options.version_string, now, true);
        publish_all(*this, now, {}, true);
        return;
    }
    if (now < sys.next)
        return;
    publish_all(*this, now, now - sys.last, false);
    sys.last = now;
    sys.next += interval;
    if (sys.next <= now)
        sys.next = now + interval;  // ticked late: no burst of catch-up updates
}

std::optional<time_point> broker::impl::sys_deadline() const {
    if (!sys.started || options.sys_interval.count() <= 0)
        return std::nullopt;
    return sys.next;
}

}  // namespace harness::broker
