// Internals of the HTML report's sequence diagram: its geometry, the rows it is laid out in, and
// the SVG shapes each kind of row is drawn with (lifeline, arrow, note, failure box).
#pragma once

#include <pugixml.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "harness/reports/trace_line.hpp"
#include "harness/runner/result.hpp"

namespace harness::reports::html {

inline constexpr int time_width = 64;  // the time column on the left
inline constexpr int column_width = 200;
inline constexpr int min_width = 760;  // room for the failure box's text
inline constexpr int header_height = 44;
inline constexpr int arrow_height = 38;
inline constexpr int note_height = 22;
inline constexpr int line_height = 14;     // of the failure box's lines
inline constexpr double char_width = 6.7;  // of 11px monospace

struct actor {
    std::string name;
    std::string kind;  // client, stand-in, component, broker
};

struct row {
    const runner::trace_entry* entry = nullptr;  // null: the failure box
    trace_line line;
    std::size_t column = 0;  // the actor's lifeline
    int height = 0;
};

/// The failure box's lines (message, where, expected, seen), each at most `max_chars` long.
std::vector<std::string> failure_lines(const runner::failure& f, std::size_t max_chars);

/// g.lifeline: the actor's name in a box at the top and a dashed line down to `bottom`.
void draw_lifeline(pugi::xml_node svg, const actor& a, int x, int bottom);

/// g.arrow: a packet of `r` from x `from` to x `to`, labelled, in the row starting at `y`.
void draw_arrow(pugi::xml_node svg, const row& r, int from, int to, int y);

/// g.step (a divider across `width`) or g.event (a dot and text at the lifeline at `x`).
void draw_note(pugi::xml_node svg, const row& r, int x, int y, int width);

/// g.failure-mark: the failure of `s` in a box across the diagram, at time `at` when known.
void draw_failure(pugi::xml_node svg, const runner::scenario_result& s, int step,
                  std::optional<double> at, int y, int width);

}  // namespace harness::reports::html
