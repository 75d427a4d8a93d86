// The human summary of a bench report: five lines from the fields of its JSON object.
#include "bench_report.hpp"

#include <boost/json/value.hpp>
#include <cstdint>
#include <iomanip>
#include <string>

namespace harness::cli::bench {

namespace json = boost::json;

namespace {

std::uint64_t whole(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    if (!v)
        return 0;
    if (v->is_uint64())
        return v->get_uint64();
    if (v->is_int64())
        return v->get_int64() > 0 ? static_cast<std::uint64_t>(v->get_int64()) : 0;
    return v->is_double() && v->get_double() > 0 ? static_cast<std::uint64_t>(v->get_double()) : 0;
}

double number(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_number() ? v->to_number<double>() : 0;
}

std::string text(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

const json::object& part(const json::object& o, const char* key) {
    static const json::object none;
    const auto* v = o.if_contains(key);
    return v && v->is_object() ? v->get_object() : none;
}

}  // namespace

void print_summary(const json::object& o, std::ostream& out) {
    const auto size = whole(o, "size");
    const double receive_rate = number(o, "receive_rate");
    const double wall = number(o, "elapsed_seconds");
    out << std::fixed << std::setprecision(1);
    out << "mode " << text(o, "mode") << ", QoS " << whole(o, "qos") << ", "
        << whole(o, "publishers") << " publisher(s) -> " << whole(o, "subscribers")
        << " subscriber(s), " << size << " B, ";
    if (const auto* ids = o.if_contains("run_ids"); ids && ids->is_array()) {
        out << ids->get_array().size() << " runs merged:";
        for (const auto& id : ids->get_array())
            out << ' ' << (id.is_string() ? std::string(id.get_string()) : std::string("?"));
        out << '\n';
    } else {
        out << "run " << text(o, "run_id") << '\n';
    }
    out << "sent " << whole(o, "sent") << "  expected " << whole(o, "expected") << "  received "
        << whole(o, "received") << "  lost " << whole(o, "lost") << "  duplicates "
        << whole(o, "duplicates") << "  out of order " << whole(o, "out_of_order") << '\n'
        << "throughput: sent " << number(o, "send_rate") << " msg/s, received " << receive_rate
        << " msg/s (" << receive_rate * static_cast<double>(size) / 1e6 << " MB/s)\n";
    const auto& latency = part(o, "latency_us");
    out << std::setprecision(0) << "latency us: p50 " << number(latency, "p50") << "  p90 "
        << number(latency, "p90") << "  p99 " << number(latency, "p99") << "  p99.9 "
        << number(latency, "p99_9") << "  max " << number(latency, "max") << '\n';
    const auto& cpu = part(o, "cpu");
    out << std::setprecision(1) << "cpu: bench " << number(cpu, "self_percent") << " %";
    if (cpu.contains("broker_percent"))
        out << ", broker " << number(cpu, "broker_percent") << " %";
    if (cpu.contains("broker_rss_kb"))
        out << ", broker RSS " << whole(cpu, "broker_rss_kb") << " kB";
    out << " (over " << wall << " s)\n";
    if (const auto error = text(o, "first_error"); !error.empty())
        out << "first error: " << error << '\n';
}

}  // namespace harness::cli::bench
