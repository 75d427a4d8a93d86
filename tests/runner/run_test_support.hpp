// Shared by the end-to-end tests of run_scenario: loading a scenario from YAML text (a load error
// throws, which fails the test with the diagnostics), quick run options, and a readable dump of
// a result (verdict, failure with expected and seen, component logs, the end of the trace) to
// print beside a failed assertion.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include "harness/runner/result.hpp"
#include "harness/runner/run.hpp"
#include "harness/scenario/load.hpp"

namespace harness::runner::test {

using namespace std::chrono_literals;

/// The file of a YAML text; throws std::runtime_error with every diagnostic when it does not
/// load. `path` names the file and anchors relative paths (payload files, working_dir).
inline scenario::scenario_file load_yaml_file(const std::string& yaml,
                                              const std::string& path = "inline.yaml") {
    auto loaded = scenario::load_text(yaml, path);
    if (!loaded.ok()) {
        std::string text = "the scenario does not load:\n";
        for (const auto& d : loaded.errors)
            text += d.to_string() + "\n";
        throw std::runtime_error(text + "--- scenario ---\n" + yaml);
    }
    return std::move(loaded.file);
}

/// The one scenario of a single-scenario YAML text.
inline scenario::scenario load_yaml(const std::string& yaml,
                                    const std::string& path = "inline.yaml") {
    auto file = load_yaml_file(yaml, path);
    if (file.scenarios.size() != 1)
        throw std::runtime_error("expected one scenario, the file has " +
                                 std::to_string(file.scenarios.size()));
    return std::move(file.scenarios.front());
}

/// An embedded broker per scenario and a short default timeout.
inline run_options quick_options() {
    run_options o;
    o.timeout = 2s;
    o.run_id = "test";
    return o;
}

inline scenario_result run_yaml(const std::string& yaml,
                                const run_options& options = quick_options(),
                                const std::string& path = "inline.yaml") {
    return run_scenario(load_yaml(yaml, path), options);
}

/// Everything a failed assertion needs to explain itself.
inline std::string report(const scenario_result& r) {
    std::string out = "\n--- result: " + std::string(to_string(r.outcome));
    if (!r.skip_reason.empty())
        out += " (" + r.skip_reason + ")";
    out += "\n";
    if (r.fail) {
        out += "message: " + r.fail->message + "\n";
        out += "expected: " + r.fail->expected + "\n";
        for (const auto& s : r.fail->seen)
            out += "seen: " + s.topic + " \"" + s.payload + "\" q" + std::to_string(s.qos) +
                   (s.retain ? " retained" : "") + " note: " + s.note + "\n";
    }
    for (const auto& c : r.components)
        out += "component " + c.name + " (" + c.command + ") status " +
               (c.exit_status ? std::to_string(*c.exit_status) : "-") + ":\n" + c.output + "\n";
    const std::size_t first = r.trace.size() > 60 ? r.trace.size() - 60 : 0;
    for (std::size_t i = first; i < r.trace.size(); ++i)
        out += "  +" + std::to_string(r.trace[i].at) + " " + r.trace[i].actor + ": " +
               r.trace[i].what + "\n";
    return out;
}

/// `text` contains `part`, or a failure that shows both.
inline ::testing::AssertionResult has(std::string_view text, std::string_view part) {
    if (text.find(part) != std::string_view::npos)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "\"" << part << "\" is not in \"" << text << "\"";
}

/// A trace line of `actor` whose text contains `part`.
inline bool traced(const scenario_result& r, std::string_view actor, std::string_view part) {
    for (const auto& e : r.trace)
        if (e.actor == actor && e.what.find(part) != std::string::npos)
            return true;
    return false;
}

}  // namespace harness::runner::test
