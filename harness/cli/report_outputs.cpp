// Writing the report files of a run: JUnit XML and JSON from the reporters, with the command's
// extra run properties added (pugixml and Boost.JSON edit the documents; nothing is hand-built).
#include "report_outputs.hpp"

#include <pugixml.hpp>

#include <boost/json.hpp>
#include <iostream>
#include <stdexcept>

#include "exit_status.hpp"
#include "harness/packet_json/json_text.hpp"
#include "harness/reports/atomic_file.hpp"
#include "harness/reports/html.hpp"
#include "harness/reports/json_report.hpp"
#include "harness/reports/junit.hpp"

namespace harness::cli {

namespace {

struct string_writer : pugi::xml_writer {
    std::string out;
    void write(const void* data, std::size_t size) override {
        out.append(static_cast<const char*>(data), size);
    }
};

int write_one(std::string_view command, const std::string& path, const std::string& content) {
    if (path.empty())
        return exit_status::ok;
    if (auto ec = reports::write_file_atomically(path, content)) {
        std::cerr << "mqtt-harness " << command << ": cannot write " << path << ": " << ec.message()
                  << '\n';
        return exit_status::usage;
    }
    return exit_status::ok;
}

}  // namespace

void add_report_output_options(CLI::App& cmd, report_outputs& outputs,
                               const std::string& junit_names) {
    cmd.add_option(junit_names, outputs.junit, "Write JUnit XML to this file");
    cmd.add_option("--json", outputs.json, "Write the results as JSON to this file");
    cmd.add_option("--html", outputs.html,
                   "Write an HTML page (summary, sequence diagram per scenario) to this file");
}

std::string junit_with_properties(const runner::run_result& run, const run_properties& properties) {
    std::string xml = reports::junit_xml(run);
    if (properties.empty())
        return xml;
    pugi::xml_document doc;
    if (!doc.load_string(xml.c_str(), pugi::parse_default | pugi::parse_declaration))
        throw std::logic_error("the JUnit writer produced XML its reader rejects");
    for (auto suite : doc.child("testsuites").children("testsuite")) {
        auto list = suite.child("properties");
        if (!list)
            list = suite.prepend_child("properties");
        for (const auto& [name, value] : properties) {
            auto property = list.append_child("property");
            property.append_attribute("name").set_value(name.c_str());
            property.append_attribute("value").set_value(value.c_str());
        }
    }
    string_writer writer;
    doc.save(writer, "  ", pugi::format_indent, pugi::encoding_utf8);
    return std::move(writer.out);
}

std::string json_with_properties(const runner::run_result& run, const run_properties& properties) {
    std::string text = reports::json_report(run);
    if (properties.empty())
        return text;
    auto doc = boost::json::parse(text);
    boost::json::object list;
    for (const auto& [name, value] : properties)
        list[name] = value;
    doc.as_object()["properties"] = std::move(list);
    return packet_json::json_text(doc);
}

run_properties json_report_properties(std::string_view document) {
    const auto doc = boost::json::parse(document);
    run_properties out;
    const auto* object = doc.if_object();
    const auto* list = object ? object->if_contains("properties") : nullptr;
    if (!list || !list->is_object())
        return out;
    for (const auto& [name, value] : list->as_object())
        if (value.is_string())
            out.emplace_back(std::string(name), std::string(value.as_string()));
    return out;
}

int write_reports(std::string_view command, const runner::run_result& run,
                  const report_outputs& outputs, const run_properties& properties) {
    int status = exit_status::ok;
    if (!outputs.junit.empty() &&
        write_one(command, outputs.junit, junit_with_properties(run, properties)) != 0)
        status = exit_status::usage;
    if (!outputs.json.empty() &&
        write_one(command, outputs.json, json_with_properties(run, properties) + "\n") != 0)
        status = exit_status::usage;
    if (!outputs.html.empty() && write_one(command, outputs.html, reports::html_report(run)) != 0)
        status = exit_status::usage;
    return status;
}

}  // namespace harness::cli
