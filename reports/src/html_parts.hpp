// Internals of the HTML report shared by its source files: text clean-up for HTML, element
// helpers over pugixml, the sequence diagram and the style sheet.
#pragma once

#include <pugixml.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "harness/runner/result.hpp"

namespace harness::reports::html {

/// `text` for one line of HTML: valid UTF-8 (U+FFFD for bad bytes), control characters (line
/// breaks too) shown as "\xNN", characters XML forbids removed. Markup is escaped by the writer.
std::string clean_line(std::string_view text);

/// As clean_line, but keeps line breaks and tabs (for <pre>): CR LF becomes LF.
std::string clean_block(std::string_view text);

/// `text` cut to at most `max_chars` characters (code points), ending in "…" when cut.
std::string shortened(std::string_view text, std::size_t max_chars);

/// Appends element `name` with `css_class` (when not empty) to `parent`.
pugi::xml_node element(pugi::xml_node parent, const char* name, std::string_view css_class = {});

/// Sets attribute `name` to the cleaned `value`.
void attribute(pugi::xml_node node, const char* name, std::string_view value);

/// Appends the cleaned one-line `text` to `node`; with `block`, line breaks are kept.
void text(pugi::xml_node node, std::string_view value, bool block = false);

/// An element with one line of text: element(parent, name, css_class) holding `value`.
pugi::xml_node text_element(pugi::xml_node parent, const char* name, std::string_view value,
                            std::string_view css_class = {});

/// The scenario's message sequence diagram (svg.sequence), appended to `parent`; nothing when it
/// has neither a trace nor a failure.
void add_sequence_diagram(pugi::xml_node parent, const runner::scenario_result& s,
                          std::size_t index);

/// The page's style sheet. It holds no '<', '>' or '&' (the writer would escape them inside
/// <style>, where HTML does not decode entities).
std::string_view style_sheet();

}  // namespace harness::reports::html
