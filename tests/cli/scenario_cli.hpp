// Helpers of the scenario command tests (`run`, `validate`, `stand-in`): run the built
// mqtt-harness to completion with a bound, find files of the source tree (examples, the JUnit
// schema), count lines of its output, and check reports with xmllint.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/child_process.hpp"

namespace harness::cli::testing {

using test_support::child_process;

/// Bound on one whole command (an ASan build runs the examples in a few seconds).
inline constexpr std::chrono::seconds command_bound{120};
/// Bound on one wait for a line of output.
inline constexpr std::chrono::seconds line_bound{30};

/// A file or folder of the source tree, e.g. "scenarios/examples".
inline std::string source_path(std::string_view relative) {
    return std::string(HARNESS_SOURCE_DIR) + "/" + std::string(relative);
}

inline std::unique_ptr<child_process> start_harness(const std::vector<std::string>& args) {
    return std::make_unique<child_process>(MQTT_HARNESS_BINARY, args);
}

/// What a finished command printed, and its exit status.
struct command_result {
    int status = -1;
    std::string out;
    std::string err;
    std::string command;
};

inline std::ostream& operator<<(std::ostream& os, const command_result& r) {
    return os << r.command << "\nexit status " << r.status << "\nstdout:\n"
              << r.out << "\nstderr:\n"
              << r.err;
}

/// Waits for `p` to exit (failing the test when it does not within `bound`).
inline command_result finish(child_process& p, std::chrono::milliseconds bound = command_bound) {
    const auto status = p.wait_for(bound);
    EXPECT_TRUE(status.has_value()) << p.command() << " did not exit in time\nstdout:\n"
                                    << p.output() << "\nstderr:\n"
                                    << p.errors();
    return {status.value_or(-1), p.output(), p.errors(), p.command()};
}

/// Runs `program args` to completion.
inline command_result run_program(const std::string& program,
                                  const std::vector<std::string>& args) {
    child_process p(program, args);
    return finish(p);
}

/// Runs `mqtt-harness args` to completion.
inline command_result run_harness(const std::vector<std::string>& args) {
    return run_program(MQTT_HARNESS_BINARY, args);
}

/// How many times `needle` occurs in `text`.
inline std::size_t count_of(std::string_view text, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string_view::npos;
         at = text.find(needle, at + needle.size()))
        ++n;
    return n;
}

/// The lines of `text` that start with `prefix`.
inline std::vector<std::string> lines_starting(const std::string& text, std::string_view prefix) {
    std::vector<std::string> found;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(prefix, 0) == 0)
            found.push_back(line);
    return found;
}

inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The decimal number at `text[at]`, or nullopt when there is none.
inline std::optional<unsigned long> number_after(const std::string& text, std::size_t at) {
    std::size_t end = at;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9')
        ++end;
    if (end == at)
        return std::nullopt;
    return std::stoul(text.substr(at, end - at));
}

/// The number of scenarios `validate` finds under `path` ("N files, M scenarios: valid").
inline std::optional<std::size_t> scenario_count(const std::string& path) {
    const auto r = run_harness({"validate", path});
    const auto end = r.out.find(" scenario");
    const auto start = r.out.rfind(", ", end);
    if (r.status != 0 || end == std::string::npos || start == std::string::npos)
        return std::nullopt;
    return number_after(r.out, start + 2);
}

/// Checks a JUnit file against reports/schema/junit.xsd with xmllint.
inline void expect_valid_junit(const std::string& file) {
    const auto xmllint = test_support::find_executable("xmllint");
    ASSERT_TRUE(xmllint) << "xmllint is not installed (Debian package libxml2-utils)";
    const auto r = run_program(
        *xmllint, {"--noout", "--schema", source_path("reports/schema/junit.xsd"), file});
    EXPECT_EQ(r.status, 0) << r << "\n" << read_text(file);
}

}  // namespace harness::cli::testing
