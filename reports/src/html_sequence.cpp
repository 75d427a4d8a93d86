// The HTML report's message sequence diagram, laid out: one inline SVG per scenario with a
// lifeline per actor of the trace (clients, stand-ins, components) and the broker's on the right,
// a row per trace entry in trace order (a packet is an arrow between its actor and the broker;
// steps are dividers; other events notes), and the failure as a box where it happened. The shapes
// are drawn by html_shapes.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "harness/reports/html.hpp"
#include "harness/reports/text.hpp"
#include "harness/reports/trace_line.hpp"
#include "html_parts.hpp"
#include "html_shapes.hpp"

namespace harness::reports::html {

namespace {

std::size_t column_of(std::vector<actor>& actors, const std::string& name, std::string kind) {
    for (std::size_t i = 0; i < actors.size(); ++i)
        if (actors[i].name == name)
            return i;
    actors.push_back({name, std::move(kind)});
    return actors.size() - 1;
}

std::string kind_of(const runner::scenario_result& s, const std::string& name) {
    for (const auto& c : s.components)
        if (c.name == name)
            return "component";
    return name.starts_with("stand-in-") ? "stand-in" : "client";
}

/// Where the failure box goes among `rows`: at the "step N failed" entry when the trace has one,
/// else after the entries of the step the failure names (up to the next step), else at the end.
std::size_t failure_position(const std::vector<row>& rows, const runner::failure& f, int& step) {
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i].line.what == trace_line::kind::step_failed) {
            step = rows[i].line.step;
            return i;
        }
    if (f.where.empty())
        return rows.size();
    const std::string needle = "(" + f.where + ")";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].line.what != trace_line::kind::step ||
            rows[i].entry->what.find(needle) == std::string::npos)
            continue;
        step = rows[i].line.step;
        std::size_t end = i + 1;
        while (end < rows.size() && rows[end].line.what != trace_line::kind::step)
            ++end;
        return end;
    }
    return rows.size();
}

}  // namespace

void add_sequence_diagram(pugi::xml_node parent, const runner::scenario_result& s,
                          std::size_t index) {
    const bool failed =
        s.fail && (s.outcome == runner::verdict::failed || s.outcome == runner::verdict::error);
    if (s.trace.empty() && !failed)
        return;
    const std::size_t drawn = std::min(s.trace.size(), html_max_trace_rows);

    // Actors: those that exchanged packets first (in order of appearance), so that a stand-in's
    // events ("clock" for the client "stand-in-clock") land on its lifeline.
    std::vector<actor> actors;
    std::vector<row> rows;
    rows.reserve(drawn + 1);
    for (std::size_t i = 0; i < drawn; ++i) {
        const auto& e = s.trace[i];
        rows.push_back({&e, parse_trace_line(e.actor, e.what), 0, 0});
        if (rows.back().line.what == trace_line::kind::packet && e.actor != "broker")
            column_of(actors, e.actor, kind_of(s, e.actor));
    }
    for (auto& r : rows) {
        if (r.line.what == trace_line::kind::packet || r.line.what == trace_line::kind::event) {
            if (r.entry->actor == "broker")
                continue;
            std::string name = r.entry->actor;
            if (r.line.what == trace_line::kind::event &&
                std::none_of(actors.begin(), actors.end(),
                             [&](const actor& a) { return a.name == name; }) &&
                std::any_of(actors.begin(), actors.end(),
                            [&](const actor& a) { return a.name == "stand-in-" + name; }))
                name = "stand-in-" + name;
            r.column = column_of(actors, name, kind_of(s, name));
        }
    }
    for (const auto& c : s.components)
        column_of(actors, c.name, "component");
    const std::size_t broker = actors.size();
    actors.push_back({"broker", "broker"});
    for (auto& r : rows)
        if (r.entry->actor == "broker" && r.line.what != trace_line::kind::step)
            r.column = broker;

    int step = 0;
    std::optional<double> failed_at;  // when the trace says when
    if (failed) {
        const auto at = failure_position(rows, *s.fail, step);
        if (at < rows.size() && rows[at].line.what == trace_line::kind::step_failed) {
            failed_at = rows[at].entry->at;
            rows[at].entry = nullptr;
        } else
            rows.insert(rows.begin() + static_cast<std::ptrdiff_t>(at), row{});
    }
    const int width =
        std::max(min_width, time_width + static_cast<int>(actors.size()) * column_width + 8);
    int height = header_height;
    for (auto& r : rows) {
        if (r.entry == nullptr) {
            const auto lines = failure_lines(
                *s.fail, static_cast<std::size_t>((width - time_width - 16) / char_width));
            r.height = static_cast<int>(lines.size()) * line_height + 16;
        } else {
            r.height = r.line.what == trace_line::kind::packet ? arrow_height : note_height;
        }
        height += r.height;
    }
    height += 12;

    auto svg = element(parent, "svg", "sequence");
    attribute(svg, "id", "sequence-" + std::to_string(index));
    attribute(svg, "width", std::to_string(width));
    attribute(svg, "height", std::to_string(height));
    attribute(svg, "viewBox", fmt::format("0 0 {} {}", width, height));
    attribute(svg, "role", "img");
    text_element(svg, "title", "message sequence of " + display_name(s));
    const auto x_of = [](std::size_t column) {
        return time_width + static_cast<int>(column) * column_width + column_width / 2;
    };
    for (std::size_t i = 0; i < actors.size(); ++i)
        draw_lifeline(svg, actors[i], x_of(i), height - 8);
    int y = header_height;
    for (const auto& r : rows) {
        if (r.entry == nullptr)
            draw_failure(svg, s, step, failed_at, y, width);
        else if (r.line.what == trace_line::kind::packet && r.column == broker)
            draw_note(svg, r, x_of(broker), y, width);  // a packet line of the broker itself
        else if (r.line.what == trace_line::kind::packet)
            draw_arrow(svg, r, r.line.sent ? x_of(r.column) : x_of(broker),
                       r.line.sent ? x_of(broker) : x_of(r.column), y);
        else
            draw_note(svg, r, x_of(r.column), y, width);
        y += r.height;
    }
}

}  // namespace harness::reports::html
