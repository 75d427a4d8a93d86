// `bench merge`: reading the reports, adding them up field by field, printing the result.
// The runs are taken to have run concurrently against one broker: counts and rates add up, the
// times are the longest run's, the bench CPU percentages add up (cores busy in all), the
// broker's (measured by each run with --broker-pid) is the largest.
#include "bench_merge.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "bench_histogram.hpp"
#include "bench_report.hpp"
#include "exit_status.hpp"

namespace harness::cli::bench {

namespace json = boost::json;

namespace {

[[noreturn]] void bad(const std::string& path, const std::string& what) {
    throw std::runtime_error(path + ": " + what);
}

std::uint64_t whole(const named_report& in, const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    if (v && v->is_uint64())
        return v->get_uint64();
    if (v && v->is_int64() && v->get_int64() >= 0)
        return static_cast<std::uint64_t>(v->get_int64());
    bad(in.path, std::string(key) + " missing or not a non-negative integer");
}

double number(const named_report& in, const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_number())
        bad(in.path, std::string(key) + " missing or not a number");
    return v->to_number<double>();
}

const json::object& part(const named_report& in, const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_object())
        bad(in.path, std::string(key) + " missing or not an object");
    return v->get_object();
}

/// The run ids of a report: its run_ids when it is a merge itself, else its run_id.
std::vector<json::value> run_ids(const named_report& in) {
    if (const auto* ids = in.report.if_contains("run_ids"); ids && ids->is_array()) {
        for (const auto& id : ids->get_array()) {
            if (!id.is_string())
                bad(in.path, "run_ids holds a value that is not a string");
        }
        return std::vector<json::value>(ids->get_array().begin(), ids->get_array().end());
    }
    const auto* id = in.report.if_contains("run_id");
    if (!id || !id->is_string())
        bad(in.path, "run_id missing or not a string");
    return {*id};
}

constexpr const char* summed[] = {"sent",       "expected",     "received", "lost",
                                  "duplicates", "out_of_order", "stray",    "publish_errors",
                                  "publishers", "subscribers"};
constexpr const char* rates[] = {"send_rate", "receive_rate", "receive_mb_per_second"};
constexpr const char* longest[] = {"send_seconds", "elapsed_seconds"};
constexpr const char* load[] = {"mode", "qos", "size", "count", "rate", "inflight"};

json::object merge_cpu(const std::vector<named_report>& inputs) {
    json::object cpu;
    double self_seconds = 0, self_percent = 0;
    std::optional<double> broker_seconds, broker_percent;
    std::optional<std::int64_t> broker_rss;
    for (const auto& in : inputs) {
        const auto& c = part(in, in.report, "cpu");
        self_seconds += number(in, c, "self_seconds");
        self_percent += number(in, c, "self_percent");
        if (c.contains("broker_seconds") && c.contains("broker_percent")) {
            broker_seconds = std::max(broker_seconds.value_or(0), number(in, c, "broker_seconds"));
            broker_percent = std::max(broker_percent.value_or(0), number(in, c, "broker_percent"));
        }
        if (c.contains("broker_rss_kb")) {
            broker_rss = std::max<std::int64_t>(
                broker_rss.value_or(0), static_cast<std::int64_t>(whole(in, c, "broker_rss_kb")));
        }
    }
    cpu["self_seconds"] = self_seconds;
    cpu["self_percent"] = self_percent;
    if (broker_seconds) {
        cpu["broker_seconds"] = *broker_seconds;
        cpu["broker_percent"] = *broker_percent;
    }
    if (broker_rss)
        cpu["broker_rss_kb"] = *broker_rss;
    return cpu;
}

json::object merge_latency(const std::vector<named_report>& inputs, log_histogram& merged) {
    std::uint64_t samples = 0;
    double weighted_mean = 0;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        const auto& in = inputs[k];
        log_histogram h;
        try {
            h = histogram_from_json(in.report.at("latency_histogram"));
        } catch (const std::exception& e) {
            bad(in.path, e.what());
        }
        const auto& lat = part(in, in.report, "latency_us");
        const auto n = whole(in, lat, "samples");
        if (n != h.count()) {
            bad(in.path, "latency_us.samples (" + std::to_string(n) +
                             ") differs from the latency_histogram's count (" +
                             std::to_string(h.count()) + ")");
        }
        if (k == 0) {
            merged = log_histogram(h.precision_bits());
        } else if (h.precision_bits() != merged.precision_bits()) {
            bad(in.path, "latency_histogram has precision_bits " +
                             std::to_string(h.precision_bits()) + ", " + inputs[0].path + " has " +
                             std::to_string(merged.precision_bits()));
        }
        merged.merge(h);
        samples += n;
        if (n != 0)
            weighted_mean += number(in, lat, "mean") * static_cast<double>(n);
    }
    const auto us = [](std::int64_t ns) { return static_cast<double>(ns) / 1000.0; };
    json::object lat;
    lat["samples"] = samples;
    lat["min"] = us(merged.min());
    lat["mean"] = samples ? weighted_mean / static_cast<double>(samples) : 0.0;
    lat["p50"] = us(merged.percentile(50));
    lat["p90"] = us(merged.percentile(90));
    lat["p99"] = us(merged.percentile(99));
    lat["p99_9"] = us(merged.percentile(99.9));
    lat["max"] = us(merged.max());
    return lat;
}

}  // namespace

named_report read_report(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        bad(path, "cannot read the file");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        bad(path, "cannot read the file");
    boost::system::error_code ec;
    auto v = json::parse(text.str(), ec);
    if (ec)
        bad(path, "not valid JSON (" + ec.message() + "); expected the output of bench --json");
    if (!v.is_object())
        bad(path, "not a JSON object; expected the output of bench --json");
    if (!v.get_object().contains("latency_histogram"))
        bad(path, "no latency_histogram (written by a bench without it?)");
    return {path, std::move(v.get_object())};
}

json::object merge_reports(const std::vector<named_report>& inputs,
                           std::vector<std::string>& warnings) {
    if (inputs.empty())
        throw std::invalid_argument("bench merge: no reports");
    const auto& first = inputs.front();
    json::object o;
    json::array ids;
    for (const auto& in : inputs) {
        for (auto& id : run_ids(in))
            ids.push_back(std::move(id));
    }
    std::string joined;
    for (std::size_t k = 0; k < ids.size(); ++k) {
        const std::string id(ids[k].as_string());
        if (std::find(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(k), ids[k]) !=
            ids.begin() + static_cast<std::ptrdiff_t>(k))
            warnings.push_back("run " + id + " is in more than one input (counted twice)");
        joined += (joined.empty() ? "" : "+") + id;
    }
    o["run_id"] = joined;
    o["run_ids"] = std::move(ids);
    for (const char* key : load) {
        const auto* v = first.report.if_contains(key);
        if (!v)
            bad(first.path, std::string(key) + " missing");
        o[key] = *v;
        for (const auto& in : inputs) {
            const auto* other = in.report.if_contains(key);
            if (!other || *other != *v) {
                warnings.push_back(std::string(key) + " differs: " + first.path + " has " +
                                   json::serialize(*v) + ", " + in.path + " has " +
                                   (other ? json::serialize(*other) : std::string("none")) +
                                   " (the merged report shows the first)");
                break;
            }
        }
    }
    for (const char* key : summed) {
        std::uint64_t sum = 0;
        for (const auto& in : inputs)
            sum += whole(in, in.report, key);
        o[key] = sum;
    }
    for (const char* key : longest) {
        double most = 0;
        for (const auto& in : inputs)
            most = std::max(most, number(in, in.report, key));
        o[key] = most;
    }
    for (const char* key : rates) {
        double sum = 0;
        for (const auto& in : inputs)
            sum += number(in, in.report, key);
        o[key] = sum;
    }
    log_histogram histogram;
    o["latency_us"] = merge_latency(inputs, histogram);
    o["latency_histogram"] = to_json(histogram);
    o["cpu"] = merge_cpu(inputs);
    for (const auto& in : inputs) {
        const auto* error = in.report.if_contains("first_error");
        if (error && error->is_string()) {
            o["first_error"] = in.path + ": " + std::string(error->get_string());
            break;
        }
    }
    return o;
}

int run_merge(const std::vector<std::string>& paths, bool as_json) {
    try {
        std::vector<named_report> inputs;
        for (const auto& path : paths)
            inputs.push_back(read_report(path));
        std::vector<std::string> warnings;
        const auto merged = merge_reports(inputs, warnings);
        for (const auto& w : warnings)
            std::cerr << "mqtt-harness bench merge: warning: " << w << '\n';
        if (as_json)
            std::cout << json::serialize(merged) << '\n';
        else
            print_summary(merged, std::cout);
        return exit_status::ok;
    } catch (const std::exception& e) {
        std::cerr << "mqtt-harness bench merge: " << e.what() << '\n';
        return exit_status::usage;
    }
}

}  // namespace harness::cli::bench
