// The SVG shapes of the HTML report's sequence diagram: lifelines, packet arrows with type, topic
// and payload preview (the whole trace line as the tooltip), step dividers, event notes and the
// failure box with expected beside seen.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "harness/reports/text.hpp"
#include "html_parts.hpp"
#include "html_shapes.hpp"

namespace harness::reports::html {

namespace {

constexpr std::size_t payload_chars = 40;
constexpr std::size_t seen_lines = 5;

std::string seconds_label(double at) {
    return "+" + format_fixed(at, 3);
}

void draw_time(pugi::xml_node g, double at, int y) {
    auto t = text_element(g, "text", seconds_label(at), "time");
    attribute(t, "x", "4");
    attribute(t, "y", std::to_string(y));
}

}  // namespace

std::vector<std::string> failure_lines(const runner::failure& f, std::size_t max_chars) {
    std::vector<std::string> lines;
    const auto add = [&](std::string_view text) {
        lines.push_back(shortened(clean_line(text), max_chars));
    };
    add("✗ " + f.message);
    if (!f.where.empty())
        add("at " + f.where + (f.step.empty() ? "" : " (" + f.step + " step)"));
    if (!f.expected.empty()) {
        std::string_view rest = f.expected;
        std::string prefix = "expected: ";
        while (!rest.empty()) {
            const auto end = rest.find('\n');
            add(prefix + std::string(rest.substr(0, end)));
            prefix = "          ";
            rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
        }
        if (f.seen.empty())
            add("seen:     nothing");
    }
    for (std::size_t i = 0; i < f.seen.size() && i < seen_lines; ++i)
        add((i == 0 ? "seen:     " : "          ") + describe(f.seen[i]));
    if (f.seen.size() > seen_lines)
        add(fmt::format("          … {} more", f.seen.size() - seen_lines));
    return lines;
}

void draw_lifeline(pugi::xml_node svg, const actor& a, int x, int bottom) {
    auto g = element(svg, "g", "lifeline");
    attribute(g, "data-actor", a.name);
    attribute(g, "data-kind", a.kind);
    auto head = element(g, "rect", "actor-head");
    attribute(head, "x", std::to_string(x - column_width / 2 + 8));
    attribute(head, "y", "8");
    attribute(head, "width", std::to_string(column_width - 16));
    attribute(head, "height", "24");
    auto name = text_element(g, "text", shortened(clean_line(a.name), 24), "actor-name");
    attribute(name, "x", std::to_string(x));
    attribute(name, "y", "24");
    auto line = element(g, "line", "lifeline-line");
    attribute(line, "x1", std::to_string(x));
    attribute(line, "x2", std::to_string(x));
    attribute(line, "y1", "32");
    attribute(line, "y2", std::to_string(bottom));
}

void draw_arrow(pugi::xml_node svg, const row& r, int from, int to, int y) {
    const auto& line = r.line;
    auto g = element(svg, "g", "arrow");
    attribute(g, "data-type", line.type);
    attribute(g, "data-actor", r.entry->actor);
    attribute(g, "data-direction", line.sent ? "sent" : "received");
    text_element(g, "title",
                 seconds_label(r.entry->at) + " s  " + r.entry->actor + "  " + r.entry->what);
    const int arrow_y = y + 20;
    draw_time(g, r.entry->at, arrow_y + 4);
    auto l = element(g, "line", "arrow-line");
    attribute(l, "x1", std::to_string(from));
    attribute(l, "x2", std::to_string(to));
    attribute(l, "y1", std::to_string(arrow_y));
    attribute(l, "y2", std::to_string(arrow_y));
    const int back = to > from ? -8 : 8;
    auto head = element(g, "polygon", "arrow-head");
    attribute(head, "points",
              fmt::format("{},{} {},{} {},{}", to, arrow_y, to + back, arrow_y - 4, to + back,
                          arrow_y + 4));
    const auto span = static_cast<std::size_t>(std::abs(to - from) / char_width);
    std::string label = line.type;
    if (!line.detail.empty())
        label += " " + line.detail;
    if (line.topic)
        label += " " + *line.topic;
    const std::string mid = std::to_string((from + to) / 2);
    auto text = text_element(
        g, "text", shortened(clean_line(label), std::max<std::size_t>(span, 12)), "label");
    attribute(text, "x", mid);
    attribute(text, "y", std::to_string(arrow_y - 5));
    if (line.payload) {
        auto p = text_element(
            g, "text",
            "\"" + shortened(clean_line(*line.payload), std::min(span, payload_chars)) + "\"",
            "payload");
        attribute(p, "x", mid);
        attribute(p, "y", std::to_string(arrow_y + 13));
    }
}

void draw_note(pugi::xml_node svg, const row& r, int x, int y, int width) {
    const bool step = r.line.what == trace_line::kind::step;
    auto g = element(svg, "g", step ? "step" : "event");
    if (step)
        attribute(g, "data-step", std::to_string(r.line.step));
    else
        attribute(g, "data-actor", r.entry->actor);
    text_element(g, "title",
                 seconds_label(r.entry->at) + " s  " + r.entry->actor + "  " + r.entry->what);
    draw_time(g, r.entry->at, y + 15);
    if (step) {
        auto l = element(g, "line", "step-line");
        attribute(l, "x1", std::to_string(time_width));
        attribute(l, "x2", std::to_string(width));
        attribute(l, "y1", std::to_string(y + 4));
        attribute(l, "y2", std::to_string(y + 4));
    } else {
        auto dot = element(g, "circle", "event-dot");
        attribute(dot, "cx", std::to_string(x));
        attribute(dot, "cy", std::to_string(y + 11));
        attribute(dot, "r", "3");
    }
    auto t = text_element(g, "text", shortened(clean_line(r.entry->what), step ? 90 : 48),
                          step ? "step-text" : "event-text");
    attribute(t, "x", std::to_string(step ? time_width + 4 : x + 6));
    attribute(t, "y", std::to_string(y + 15));
}

void draw_failure(pugi::xml_node svg, const runner::scenario_result& s, int step,
                  std::optional<double> at, int y, int width) {
    auto g = element(svg, "g", "failure-mark");
    attribute(g, "data-step", step > 0 ? std::to_string(step) : "");
    if (at)
        draw_time(g, *at, y + 4 + line_height);
    const auto lines =
        failure_lines(*s.fail, static_cast<std::size_t>((width - time_width - 16) / char_width));
    auto box = element(g, "rect", "failure-box");
    attribute(box, "x", std::to_string(time_width));
    attribute(box, "y", std::to_string(y + 4));
    attribute(box, "width", std::to_string(width - time_width - 4));
    attribute(box, "height", std::to_string(static_cast<int>(lines.size()) * line_height + 8));
    for (std::size_t i = 0; i < lines.size(); ++i) {
        auto t = text_element(g, "text", lines[i], i == 0 ? "failure-message" : "failure-text");
        attribute(t, "x", std::to_string(time_width + 6));
        attribute(t, "y", std::to_string(y + 4 + line_height * static_cast<int>(i + 1)));
    }
}

}  // namespace harness::reports::html
