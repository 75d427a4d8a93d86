// JUnit XML built with pugixml: suites grouped by scenario file, counts, properties of the run,
// one testcase per scenario run with its failure detail, trace and component logs.
#include "harness/reports/junit.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <chrono>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/reports/atomic_file.hpp"
#include "harness/reports/text.hpp"

namespace harness::reports {

namespace {

using runner::run_result;
using runner::scenario_result;
using runner::verdict;

constexpr std::size_t log_tail_lines = 20;

/// The scenarios of one file, in run order.
struct suite_group {
    std::string file;
    std::vector<const scenario_result*> scenarios;
};

std::vector<suite_group> group_by_file(const run_result& run) {
    std::vector<suite_group> groups;
    for (const auto& s : run.scenarios) {
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const suite_group& g) { return g.file == s.file; });
        if (it == groups.end())
            it = groups.insert(groups.end(), suite_group{s.file, {}});
        it->scenarios.push_back(&s);
    }
    return groups;
}

struct counts {
    std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
    double seconds = 0;

    void add(const scenario_result& s) {
        ++tests;
        failures += s.outcome == verdict::failed;
        errors += s.outcome == verdict::error;
        skipped += s.outcome == verdict::skipped;
        seconds += s.seconds;
    }
};

void set(pugi::xml_node node, const char* name, std::string_view value) {
    node.append_attribute(name).set_value(xml_safe(value).c_str());
}

void set_text(pugi::xml_node node, std::string_view text) {
    node.append_child(pugi::node_pcdata).set_value(xml_safe(text).c_str());
}

void set_counts(pugi::xml_node node, const counts& c) {
    set(node, "tests", std::to_string(c.tests));
    set(node, "failures", std::to_string(c.failures));
    set(node, "errors", std::to_string(c.errors));
    set(node, "skipped", std::to_string(c.skipped));
}

void add_property(pugi::xml_node properties, std::string_view name, std::string_view value) {
    auto property = properties.append_child("property");
    set(property, "name", name);
    set(property, "value", value);
}

std::string component_heading(const runner::component_log& c) {
    std::string out = "component " + c.name;
    if (!c.command.empty())
        out += ": " + c.command;
    if (c.exit_status)
        out += " (exit status " + std::to_string(*c.exit_status) + ")";
    else
        out += " (still running at the end)";
    return out;
}

std::string failure_text(const scenario_result& s) {
    std::string out;
    const auto& f = *s.fail;
    out += f.message + "\n";
    if (!f.where.empty())
        out += "at " + f.where + (f.step.empty() ? "" : " (" + f.step + " step)") + "\n";
    if (!f.expected.empty())
        out += "\nexpected:\n" + indented(f.expected, "  ");
    if (!f.seen.empty() || !f.expected.empty()) {
        out += "seen:\n";
        for (const auto& m : f.seen)
            out += "  " + describe(m) + "\n";
        if (f.seen.empty())
            out += "  (nothing)\n";
    }
    if (!s.last_packets.empty()) {
        out += "\nlast packets:\n";
        for (const auto& line : s.last_packets)
            out += "  " + line + "\n";
    }
    return out;
}

/// The trace, then every component's log in full.
std::string system_out(const scenario_result& s) {
    std::string out;
    if (!s.trace.empty()) {
        out += "trace:\n";
        for (const auto& e : s.trace)
            out += "+" + format_fixed(e.at, 3) + " s  " + e.actor + "  " + e.what + "\n";
    }
    for (const auto& c : s.components) {
        out += (out.empty() ? "" : "\n") + component_heading(c) + "\n";
        out += c.output;
        if (!c.output.empty() && c.output.back() != '\n')
            out += '\n';
    }
    return out;
}

/// The last lines of the components that failed (exit status other than 0), where to look first.
std::string system_err(const scenario_result& s) {
    std::string out;
    for (const auto& c : s.components) {
        if (!c.exit_status || *c.exit_status == 0)
            continue;
        out += (out.empty() ? "" : "\n") + component_heading(c) + ", last lines:\n";
        out += indented(last_lines(c.output, log_tail_lines), "  ");
    }
    return out;
}

void add_testcase(pugi::xml_node suite, const scenario_result& s) {
    auto testcase = suite.append_child("testcase");
    set(testcase, "name", one_line(display_name(s)));
    set(testcase, "classname", classname_of(s.file));
    set(testcase, "time", format_seconds(s.seconds));

    if (s.outcome == verdict::failed || s.outcome == verdict::error) {
        const bool failed = s.outcome == verdict::failed;
        auto node = testcase.append_child(failed ? "failure" : "error");
        const std::string fallback = failed ? "failed" : "could not run";
        const std::string message = s.fail ? one_line(s.fail->message) : fallback;
        set(node, "message", message.empty() ? fallback : message);
        const std::string step = s.fail ? s.fail->step : std::string{};
        set(node, "type", step.empty() ? (failed ? "failure" : "error") : step);
        if (s.fail)
            set_text(node, failure_text(s));
    } else if (s.outcome == verdict::skipped) {
        auto node = testcase.append_child("skipped");
        if (!s.skip_reason.empty())
            set(node, "message", one_line(s.skip_reason));
    }
    if (const auto out = system_out(s); !out.empty())
        set_text(testcase.append_child("system-out"), out);
    if (const auto err = system_err(s); !err.empty())
        set_text(testcase.append_child("system-err"), err);
}

/// The earliest start among `group`, or the run's start when none was recorded.
std::chrono::system_clock::time_point suite_start(const suite_group& group, const run_result& run) {
    std::chrono::system_clock::time_point earliest{};
    for (const auto* s : group.scenarios)
        if (s->started != std::chrono::system_clock::time_point{} &&
            (earliest == std::chrono::system_clock::time_point{} || s->started < earliest))
            earliest = s->started;
    return earliest == std::chrono::system_clock::time_point{} ? run.started : earliest;
}

struct string_writer : pugi::xml_writer {
    std::string out;
    void write(const void* data, std::size_t size) override {
        out.append(static_cast<const char*>(data), size);
    }
};

}  // namespace

std::string junit_xml(const run_result& run) {
    pugi::xml_document doc;
    auto declaration = doc.append_child(pugi::node_declaration);
    set(declaration, "version", "1.0");
    set(declaration, "encoding", "UTF-8");

    auto root = doc.append_child("testsuites");
    set(root, "name", "mqtt-harness");
    counts total;
    for (const auto& s : run.scenarios)
        total.add(s);
    set_counts(root, total);
    set(root, "time", format_seconds(run.seconds));
    set(root, "timestamp", format_iso8601(run.started, false));

    const auto groups = group_by_file(run);
    for (std::size_t id = 0; id < groups.size(); ++id) {
        const auto& group = groups[id];
        counts c;
        for (const auto* s : group.scenarios)
            c.add(*s);
        const std::string classname = classname_of(group.file);
        const std::string& suite_name = group.scenarios.front()->suite;
        const auto dot = classname.rfind('.');

        auto suite = root.append_child("testsuite");
        set(suite, "name", one_line(suite_name.empty() ? classname : suite_name));
        set_counts(suite, c);
        set(suite, "time", format_seconds(c.seconds));
        set(suite, "timestamp", format_iso8601(suite_start(group, run), false));
        set(suite, "hostname", run.hostname.empty() ? "localhost" : one_line(run.hostname));
        set(suite, "id", std::to_string(id));
        if (dot != std::string::npos)
            set(suite, "package", classname.substr(0, dot));

        auto properties = suite.append_child("properties");
        add_property(properties, "broker", run.broker);
        add_property(properties, "tool.version", run.tool_version);
        add_property(properties, "seed", std::to_string(run.seed));
        add_property(properties, "file", group.file);
        if (run.interrupted)
            add_property(properties, "interrupted", "true");

        for (const auto* s : group.scenarios)
            add_testcase(suite, *s);
    }

    string_writer writer;
    doc.save(writer, "  ", pugi::format_indent, pugi::encoding_utf8);
    return std::move(writer.out);
}

std::error_code write_junit(const std::filesystem::path& file, const run_result& run) {
    return write_file_atomically(file, junit_xml(run));
}

}  // namespace harness::reports
