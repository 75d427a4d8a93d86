// JUnit XML merge over pugixml documents: copy suites and testcases, then sort and recount.
#include "junit_merge.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

#include "harness/reports/text.hpp"

namespace harness::cli {

namespace {

using clock_type = std::chrono::system_clock;

std::vector<pugi::xml_node> suites_of(const pugi::xml_document& doc) {
    const auto root = doc.document_element();
    if (std::string_view(root.name()) == "testsuite")
        return {root};
    std::vector<pugi::xml_node> out;
    for (auto suite : root.children("testsuite"))
        out.push_back(suite);
    return out;
}

std::string property(pugi::xml_node suite, std::string_view name) {
    for (auto p : suite.child("properties").children("property"))
        if (name == p.attribute("name").value())
            return p.attribute("value").value();
    return "";
}

double seconds_of(pugi::xml_node node) {
    const std::string_view text = node.attribute("time").value();
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc{} && value > 0 ? value : 0.0;
}

/// "name (attempt 3)" → ("name", 3); attempt 1 without the suffix.
std::pair<std::string, int> name_and_attempt(std::string_view display) {
    constexpr std::string_view marker = " (attempt ";
    const auto at = display.rfind(marker);
    if (at != std::string_view::npos && display.ends_with(')')) {
        const auto digits =
            display.substr(at + marker.size(), display.size() - at - marker.size() - 1);
        int attempt = 0;
        const auto [end, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), attempt);
        if (ec == std::errc{} && end == digits.data() + digits.size())
            return {std::string(display.substr(0, at)), attempt};
    }
    return {std::string(display), 1};
}

void set(pugi::xml_node node, const char* name, const std::string& value) {
    auto attribute = node.attribute(name);
    if (!attribute)
        attribute = node.append_attribute(name);
    attribute.set_value(value.c_str());
}

void set_counts(pugi::xml_node node, const junit_counts& c) {
    set(node, "tests", std::to_string(c.tests));
    set(node, "failures", std::to_string(c.failures));
    set(node, "errors", std::to_string(c.errors));
    set(node, "skipped", std::to_string(c.skipped));
}

/// Sorts the testcases of `suite` and recomputes its counts and time; returns the counts.
junit_counts tidy_suite(pugi::xml_node suite) {
    std::vector<pugi::xml_node> cases;
    for (auto testcase : suite.children("testcase"))
        cases.push_back(testcase);
    std::stable_sort(cases.begin(), cases.end(), [](pugi::xml_node a, pugi::xml_node b) {
        return name_and_attempt(a.attribute("name").value()) <
               name_and_attempt(b.attribute("name").value());
    });
    junit_counts c;
    double seconds = 0;
    for (auto testcase : cases) {
        suite.append_move(testcase);
        ++c.tests;
        c.failures += static_cast<bool>(testcase.child("failure"));
        c.errors += static_cast<bool>(testcase.child("error"));
        c.skipped += static_cast<bool>(testcase.child("skipped"));
        seconds += seconds_of(testcase);
    }
    set_counts(suite, c);
    set(suite, "time", reports::format_seconds(seconds));
    return c;
}

}  // namespace

std::string merge_junit(const std::vector<std::string>& documents, junit_counts& counts) {
    pugi::xml_document out;
    auto declaration = out.append_child(pugi::node_declaration);
    declaration.append_attribute("version").set_value("1.0");
    declaration.append_attribute("encoding").set_value("UTF-8");
    auto root = out.append_child("testsuites");
    root.append_attribute("name").set_value("mqtt-harness");

    std::vector<std::pair<std::string, pugi::xml_node>> merged;  // by suite name
    std::optional<clock_type::time_point> start, end;
    for (const auto& text : documents) {
        pugi::xml_document doc;
        doc.load_string(text.c_str());
        const auto top = doc.document_element();
        if (const auto t = reports::parse_iso8601(top.attribute("timestamp").value())) {
            const auto span = std::chrono::duration_cast<clock_type::duration>(
                std::chrono::duration<double>(seconds_of(top)));
            start = start ? std::min(*start, *t) : *t;
            end = end ? std::max(*end, *t + span) : *t + span;
        }
        for (auto suite : suites_of(doc)) {
            const std::string name = suite.attribute("name").value();
            auto it = std::find_if(merged.begin(), merged.end(),
                                   [&](const auto& m) { return m.first == name; });
            if (it == merged.end()) {
                auto copy = root.append_copy(suite);
                for (auto p : copy.child("properties").children("property"))
                    if (std::string_view(p.attribute("name").value()) == "shard") {
                        copy.child("properties").remove_child(p);
                        break;
                    }
                merged.emplace_back(name, copy);
                continue;
            }
            auto target = it->second;
            const std::string_view stamp = suite.attribute("timestamp").value();
            if (!stamp.empty() && stamp < std::string_view(target.attribute("timestamp").value()))
                set(target, "timestamp", std::string(stamp));
            for (auto testcase : suite.children("testcase"))
                target.append_copy(testcase);
        }
    }

    std::stable_sort(merged.begin(), merged.end(), [](const auto& a, const auto& b) {
        const auto key = [](const auto& m) {
            const auto file = property(m.second, "file");
            return file.empty() ? m.first : file;
        };
        return key(a) < key(b);
    });
    counts = {};
    for (std::size_t id = 0; id < merged.size(); ++id) {
        auto suite = root.append_move(merged[id].second);
        const auto c = tidy_suite(suite);
        set(suite, "id", std::to_string(id));
        counts.tests += c.tests;
        counts.failures += c.failures;
        counts.errors += c.errors;
        counts.skipped += c.skipped;
    }
    set_counts(root, counts);
    const double span = start ? std::chrono::duration<double>(*end - *start).count() : 0.0;
    set(root, "time", reports::format_seconds(span));
    set(root, "timestamp",
        reports::format_iso8601(start.value_or(clock_type::time_point{}), false));
    struct string_writer : pugi::xml_writer {
        std::string text;
        void write(const void* data, std::size_t size) override {
            text.append(static_cast<const char*>(data), size);
        }
    } writer;
    out.save(writer, "  ", pugi::format_indent, pugi::encoding_utf8);
    return std::move(writer.text);
}

std::string junit_shard(const std::string& document) {
    pugi::xml_document doc;
    if (!doc.load_string(document.c_str()))
        return "";
    const auto suites = suites_of(doc);
    return suites.empty() ? "?" : property(suites.front(), "shard");
}

}  // namespace harness::cli
