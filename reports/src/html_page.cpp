// The HTML report's page: head with the inline style sheet, the run's summary, the verdict table
// (failures and errors first) and a collapsible section per scenario with its failure, sequence
// diagram and component logs. Built with pugixml, so every text is escaped by the writer.
#include <pugixml.hpp>

#include <string>
#include <vector>

#include "harness/reports/atomic_file.hpp"
#include "harness/reports/html.hpp"
#include "harness/reports/text.hpp"
#include "html_parts.hpp"

namespace harness::reports {

namespace {

using namespace html;
using runner::run_result;
using runner::scenario_result;
using runner::verdict;

std::string_view outcome_word(verdict v) {
    switch (v) {
        case verdict::passed:
            return "PASS";
        case verdict::failed:
            return "FAIL";
        case verdict::error:
            return "ERROR";
        case verdict::skipped:
            return "SKIP";
    }
    return "?";
}

/// Indices of the scenarios: failed and errored first, then the others, each in run order.
std::vector<std::size_t> display_order(const run_result& run) {
    std::vector<std::size_t> order;
    for (int pass = 0; pass < 2; ++pass)
        for (std::size_t i = 0; i < run.scenarios.size(); ++i) {
            const auto v = run.scenarios[i].outcome;
            const bool bad = v == verdict::failed || v == verdict::error;
            if (bad == (pass == 0))
                order.push_back(i);
        }
    return order;
}

void summary_row(pugi::xml_node table, std::string_view name, std::string_view value) {
    auto tr = element(table, "tr");
    text_element(tr, "th", name);
    text_element(tr, "td", value);
}

void add_summary(pugi::xml_node body, const run_result& run) {
    const auto failed = run.count(verdict::failed), errors = run.count(verdict::error);
    auto status =
        text_element(body, "p",
                     run.interrupted         ? "Interrupted"
                     : failed + errors > 0   ? "Failed"
                     : run.scenarios.empty() ? "No scenario selected"
                                             : "Passed",
                     failed + errors > 0 || run.interrupted ? "status bad" : "status good");
    attribute(status, "id", "status");
    auto table = element(body, "table", "summary");
    attribute(table, "id", "summary");
    summary_row(table, "Scenarios",
                std::to_string(run.scenarios.size()) + ": " +
                    std::to_string(run.count(verdict::passed)) + " passed, " +
                    std::to_string(failed) + " failed, " + std::to_string(errors) + " error" +
                    (errors == 1 ? "" : "s") + ", " + std::to_string(run.count(verdict::skipped)) +
                    " skipped");
    summary_row(table, "Broker", run.broker);
    summary_row(table, "Seed", std::to_string(run.seed));
    summary_row(table, "Started", format_iso8601(run.started, true));
    summary_row(table, "Duration", format_fixed(run.seconds, 2) + " s");
    summary_row(table, "Tool version", run.tool_version);
    summary_row(table, "Host", run.hostname);
    if (run.interrupted)
        summary_row(table, "Interrupted", "yes: stopped by a signal, not every scenario ran");
}

std::string title_of(const scenario_result& s) {
    return s.file + " › " + display_name(s);
}

void add_verdicts(pugi::xml_node body, const run_result& run,
                  const std::vector<std::size_t>& order) {
    text_element(body, "h2", "Scenarios");
    auto table = element(body, "table", "verdicts");
    attribute(table, "id", "verdicts");
    for (const auto i : order) {
        const auto& s = run.scenarios[i];
        auto tr = element(table, "tr", "verdict " + std::string(to_string(s.outcome)));
        attribute(tr, "data-outcome", to_string(s.outcome));
        text_element(tr, "td", outcome_word(s.outcome), "outcome");
        auto link = text_element(element(tr, "td", "name"), "a", title_of(s));
        attribute(link, "href", "#scenario-" + std::to_string(i));
        text_element(tr, "td", format_fixed(s.seconds, 2) + " s", "duration");
        text_element(tr, "td",
                     s.fail                          ? shortened(one_line(s.fail->message), 160)
                     : s.outcome == verdict::skipped ? one_line(s.skip_reason)
                                                     : std::string{},
                     "note");
    }
}

void add_failure(pugi::xml_node section, const scenario_result& s) {
    const auto& f = *s.fail;
    auto div = element(section, "div", "failure");
    text_element(div, "p", f.message, "failure-message");
    if (!f.where.empty())
        text_element(div, "p", "at " + f.where + (f.step.empty() ? "" : " (" + f.step + " step)"),
                     "where");
    if (!f.expected.empty()) {
        text_element(div, "h4", "expected");
        text(element(div, "pre", "expected"), f.expected, true);
    }
    if (!f.seen.empty() || !f.expected.empty()) {
        text_element(div, "h4", "seen");
        auto list = element(div, "ul", "seen");
        for (const auto& m : f.seen)
            text_element(list, "li", describe(m));
        if (f.seen.empty())
            text_element(list, "li", "nothing");
    }
    if (!s.last_packets.empty()) {
        text_element(div, "h4", "last packets");
        auto pre = element(div, "pre", "last-packets");
        std::string lines;
        for (const auto& l : s.last_packets)
            lines += l + "\n";
        text(pre, lines, true);
    }
}

void add_component_log(pugi::xml_node section, const runner::component_log& c) {
    auto details = element(section, "details", "component-log");
    attribute(details, "data-component", c.name);
    std::string heading = "component " + c.name;
    if (!c.command.empty())
        heading += ": " + c.command;
    heading += c.exit_status ? " (exit status " + std::to_string(*c.exit_status) + ")"
                             : " (still running at the end)";
    text_element(details, "summary", heading);
    text(element(details, "pre", "log"), c.output.empty() ? "(no output)" : c.output, true);
}

void add_scenario(pugi::xml_node body, const scenario_result& s, std::size_t index) {
    auto details = element(body, "details", "scenario " + std::string(to_string(s.outcome)));
    attribute(details, "id", "scenario-" + std::to_string(index));
    attribute(details, "data-outcome", to_string(s.outcome));
    if (s.outcome == verdict::failed || s.outcome == verdict::error)
        attribute(details, "open", "open");
    auto summary = element(details, "summary");
    text_element(summary, "span", outcome_word(s.outcome), "outcome");
    text(summary, " " + title_of(s) + " ");
    text_element(summary, "span", "(" + format_fixed(s.seconds, 2) + " s)", "duration");
    if (!s.tags.empty()) {
        std::string tags;
        for (const auto& t : s.tags)
            tags += (tags.empty() ? "" : ", ") + t;
        text_element(details, "p", "tags: " + tags, "tags");
    }
    if (s.outcome == verdict::skipped && !s.skip_reason.empty())
        text_element(details, "p", "skipped: " + s.skip_reason, "skip-reason");
    if (s.fail)
        add_failure(details, s);
    auto diagram = element(details, "div", "diagram");
    add_sequence_diagram(diagram, s, index);
    if (diagram.first_child().empty())
        text_element(diagram, "p", "no packets or events were traced", "no-trace");
    if (s.trace.size() > html_max_trace_rows)
        text_element(details, "p",
                     std::to_string(s.trace.size() - html_max_trace_rows) +
                         " more trace entries are not drawn (the JSON and JUnit reports have "
                         "them all)",
                     "truncated");
    for (const auto& c : s.components)
        add_component_log(details, c);
}

struct string_writer : pugi::xml_writer {
    std::string out;
    void write(const void* data, std::size_t size) override {
        out.append(static_cast<const char*>(data), size);
    }
};

}  // namespace

std::string html_report(const run_result& run) {
    pugi::xml_document doc;
    doc.append_child(pugi::node_doctype).set_value("html");
    auto root = doc.append_child("html");
    attribute(root, "lang", "en");
    auto head = element(root, "head");
    attribute(element(head, "meta"), "charset", "utf-8");
    text_element(head, "title", "mqtt-harness report");
    text(element(head, "style"), style_sheet(), true);

    auto body = element(root, "body");
    text_element(body, "h1", "mqtt-harness report");
    add_summary(body, run);
    const auto order = display_order(run);
    add_verdicts(body, run, order);
    for (const auto i : order)
        add_scenario(body, run.scenarios[i], i);

    string_writer writer;
    doc.save(writer, "  ",
             pugi::format_indent | pugi::format_no_declaration | pugi::format_no_empty_element_tags,
             pugi::encoding_utf8);
    // <meta> is a void element in HTML: written self-closing, which HTML and XML both accept.
    const std::string_view meta = "<meta charset=\"utf-8\"></meta>";
    if (const auto at = writer.out.find(meta); at != std::string::npos)
        writer.out.replace(at, meta.size(), "<meta charset=\"utf-8\" />");
    return std::move(writer.out);
}

std::error_code write_html_report(const std::filesystem::path& file, const run_result& run) {
    return write_file_atomically(file, html_report(run));
}

}  // namespace harness::reports
