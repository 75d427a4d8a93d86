// Loading scenario files: YAML parsed with source positions, then checked as a whole. Every
// mistake is collected (syntax, unknown key with a "did you mean", wrong type, missing field,
// bad topic filter, undefined variable, unknown client or component) with file, line and column,
// instead of stopping at the first one.
#pragma once

#include <string>
#include <vector>

#include "harness/scenario/model.hpp"

namespace harness::scenario {

struct diagnostic {
    position where;
    std::string message;
    /// "file:line:column: error: message"
    std::string to_string() const;
};

struct load_result {
    scenario_file file;
    std::vector<diagnostic> errors;  // empty when the file is valid
    bool ok() const noexcept { return errors.empty(); }
};

/// Reads and validates one file. A file that cannot be read gives one diagnostic at line 0.
load_result load_file(const std::string& path);
/// Validates YAML text; `path` names it in diagnostics and anchors relative paths.
load_result load_text(const std::string& text, const std::string& path);

/// The scenario files under `paths`: files as given, folders searched recursively for *.yaml and
/// *.yml, sorted. A path that does not exist is reported in `errors`.
std::vector<std::string> collect_scenario_files(const std::vector<std::string>& paths,
                                                std::vector<diagnostic>& errors);

}  // namespace harness::scenario
