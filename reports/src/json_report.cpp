// The JSON report with Boost.JSON: run_result to a document and back. Strings pass through
// valid_utf8 so the document always parses; times are ISO 8601 UTC with milliseconds.
#include "harness/reports/json_report.hpp"
#include "harness/packet_json/json_text.hpp"

#include <boost/json.hpp>

#include <stdexcept>
#include <utility>

#include "harness/reports/atomic_file.hpp"
#include "harness/reports/text.hpp"

namespace harness::reports {

namespace {

namespace json = boost::json;
using runner::run_result;
using runner::scenario_result;
using runner::verdict;

constexpr std::string_view format_name = "mqtt-harness-report";

json::value text(std::string_view s) {
    return json::string(valid_utf8(s));
}

json::array strings(const std::vector<std::string>& items) {
    json::array out;
    for (const auto& item : items)
        out.push_back(text(item));
    return out;
}

json::value failure_to_json(const runner::failure& f) {
    json::array seen;
    for (const auto& m : f.seen)
        seen.push_back(json::object{{"at", m.at},
                                    {"topic", text(m.topic)},
                                    {"payload", text(m.payload)},
                                    {"qos", m.qos},
                                    {"retain", m.retain},
                                    {"note", text(m.note)}});
    return json::object{{"message", text(f.message)},
                        {"expected", text(f.expected)},
                        {"step", text(f.step)},
                        {"where", text(f.where)},
                        {"seen", std::move(seen)}};
}

json::object scenario_to_json(const scenario_result& s) {
    json::array trace;
    for (const auto& e : s.trace)
        trace.push_back(
            json::object{{"at", e.at}, {"actor", text(e.actor)}, {"what", text(e.what)}});
    json::array components;
    for (const auto& c : s.components) {
        json::value status = nullptr;
        if (c.exit_status)
            status = *c.exit_status;
        components.push_back(json::object{{"name", text(c.name)},
                                          {"command", text(c.command)},
                                          {"exit_status", std::move(status)},
                                          {"output", text(c.output)}});
    }
    json::object o;
    o["file"] = text(s.file);
    o["suite"] = text(s.suite);
    o["name"] = text(s.name);
    o["tags"] = strings(s.tags);
    o["outcome"] = to_string(s.outcome);
    o["attempt"] = s.attempt;
    o["started"] = format_iso8601(s.started, true);
    o["seconds"] = s.seconds;
    o["skip_reason"] = text(s.skip_reason);
    o["failure"] = s.fail ? failure_to_json(*s.fail) : json::value(nullptr);
    o["trace"] = std::move(trace);
    o["components"] = std::move(components);
    o["last_packets"] = strings(s.last_packets);
    return o;
}

// Reading back ================================================================================

std::string get_string(const json::object& o, std::string_view key) {
    return std::string(o.at(key).as_string());
}

std::vector<std::string> get_strings(const json::object& o, std::string_view key) {
    std::vector<std::string> out;
    for (const auto& item : o.at(key).as_array())
        out.emplace_back(item.as_string());
    return out;
}

std::chrono::system_clock::time_point get_time(const json::object& o, std::string_view key) {
    const auto t = parse_iso8601(o.at(key).as_string());
    if (!t)
        throw std::invalid_argument("\"" + std::string(key) + "\" is not an ISO 8601 time");
    return *t;
}

verdict get_verdict(const json::object& o) {
    const auto& name = o.at("outcome").as_string();
    for (const auto v : {verdict::passed, verdict::failed, verdict::error, verdict::skipped})
        if (name == to_string(v))
            return v;
    throw std::invalid_argument("unknown outcome \"" + std::string(name) + "\"");
}

runner::failure failure_from_json(const json::object& o) {
    runner::failure f;
    f.message = get_string(o, "message");
    f.expected = get_string(o, "expected");
    f.step = get_string(o, "step");
    f.where = get_string(o, "where");
    for (const auto& item : o.at("seen").as_array()) {
        const auto& m = item.as_object();
        f.seen.push_back({m.at("at").to_number<double>(), get_string(m, "topic"),
                          get_string(m, "payload"), m.at("qos").to_number<int>(),
                          m.at("retain").as_bool(), get_string(m, "note")});
    }
    return f;
}

scenario_result scenario_from_json(const json::object& o) {
    scenario_result s;
    s.file = get_string(o, "file");
    s.suite = get_string(o, "suite");
    s.name = get_string(o, "name");
    s.tags = get_strings(o, "tags");
    s.outcome = get_verdict(o);
    s.attempt = o.at("attempt").to_number<int>();
    s.started = get_time(o, "started");
    s.seconds = o.at("seconds").to_number<double>();
    s.skip_reason = get_string(o, "skip_reason");
    if (const auto& f = o.at("failure"); !f.is_null())
        s.fail = failure_from_json(f.as_object());
    for (const auto& item : o.at("trace").as_array()) {
        const auto& e = item.as_object();
        s.trace.push_back(
            {e.at("at").to_number<double>(), get_string(e, "actor"), get_string(e, "what")});
    }
    for (const auto& item : o.at("components").as_array()) {
        const auto& c = item.as_object();
        runner::component_log log{get_string(c, "name"), get_string(c, "command"), std::nullopt,
                                  get_string(c, "output")};
        if (const auto& status = c.at("exit_status"); !status.is_null())
            log.exit_status = status.to_number<int>();
        s.components.push_back(std::move(log));
    }
    s.last_packets = get_strings(o, "last_packets");
    return s;
}

}  // namespace

std::string json_report(const run_result& run) {
    json::array scenarios;
    for (const auto& s : run.scenarios)
        scenarios.push_back(scenario_to_json(s));
    json::object counts{{"total", run.scenarios.size()},
                        {"passed", run.count(verdict::passed)},
                        {"failed", run.count(verdict::failed)},
                        {"error", run.count(verdict::error)},
                        {"skipped", run.count(verdict::skipped)}};
    json::object doc;
    doc["format"] = format_name;
    doc["version"] = json_report_version;
    doc["tool_version"] = text(run.tool_version);
    doc["hostname"] = text(run.hostname);
    doc["broker"] = text(run.broker);
    doc["seed"] = run.seed;
    doc["started"] = format_iso8601(run.started, true);
    doc["seconds"] = run.seconds;
    doc["interrupted"] = run.interrupted;
    doc["counts"] = std::move(counts);
    doc["scenarios"] = std::move(scenarios);
    return packet_json::json_text(doc);
}

std::error_code write_json_report(const std::filesystem::path& file, const run_result& run) {
    return write_file_atomically(file, json_report(run) + "\n");
}

run_result read_json_report(std::string_view document) {
    const json::value doc = json::parse(document);
    const auto& o = doc.as_object();
    if (o.at("format").as_string() != format_name)
        throw std::invalid_argument("not an mqtt-harness report");
    if (o.at("version").to_number<int>() > json_report_version)
        throw std::invalid_argument("report version newer than this reader");
    run_result run;
    run.tool_version = get_string(o, "tool_version");
    run.hostname = get_string(o, "hostname");
    run.broker = get_string(o, "broker");
    run.seed = o.at("seed").to_number<std::uint64_t>();
    run.started = get_time(o, "started");
    run.seconds = o.at("seconds").to_number<double>();
    run.interrupted = o.at("interrupted").as_bool();
    for (const auto& item : o.at("scenarios").as_array())
        run.scenarios.push_back(scenario_from_json(item.as_object()));
    return run;
}

}  // namespace harness::reports
