// Text and element helpers of the HTML report: untrusted text (topics, payloads, logs) made valid
// UTF-8 and visible (control characters as "\xNN") before pugixml escapes its markup.
#include <cstdio>

#include "harness/reports/text.hpp"
#include "html_parts.hpp"

namespace harness::reports::html {

namespace {

void append_escaped(std::string& out, unsigned char byte) {
    char escaped[8];
    std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
    out += escaped;
}

std::string cleaned(std::string_view text, bool block) {
    const std::string utf8 = valid_utf8(text);
    std::string out;
    out.reserve(utf8.size());
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        const char c = utf8[i];
        const auto byte = static_cast<unsigned char>(c);
        if (block && c == '\r' && i + 1 < utf8.size() && utf8[i + 1] == '\n')
            continue;
        const bool kept = c == '\t' || (block && c == '\n');
        if ((byte < 0x20 && !kept) || byte == 0x7F)
            append_escaped(out, byte);
        else
            out.push_back(c);
    }
    return xml_safe(out);
}

}  // namespace

std::string clean_line(std::string_view text) {
    return cleaned(text, false);
}

std::string clean_block(std::string_view text) {
    return cleaned(text, true);
}

std::string shortened(std::string_view text, std::size_t max_chars) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80)
            continue;  // a continuation byte: part of the character before
        if (chars == max_chars)
            return std::string(text.substr(0, i)) + "…";
        ++chars;
    }
    return std::string(text);
}

pugi::xml_node element(pugi::xml_node parent, const char* name, std::string_view css_class) {
    auto node = parent.append_child(name);
    if (!css_class.empty())
        attribute(node, "class", css_class);
    return node;
}

void attribute(pugi::xml_node node, const char* name, std::string_view value) {
    node.append_attribute(name).set_value(clean_line(value).c_str());
}

void text(pugi::xml_node node, std::string_view value, bool block) {
    node.append_child(pugi::node_pcdata)
        .set_value((block ? clean_block(value) : clean_line(value)).c_str());
}

pugi::xml_node text_element(pugi::xml_node parent, const char* name, std::string_view value,
                            std::string_view css_class) {
    auto node = element(parent, name, css_class);
    text(node, value);
    return node;
}

}  // namespace harness::reports::html
