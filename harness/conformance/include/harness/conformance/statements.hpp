// The normative statements of MQTT 3.1.1 and 5.0 as data (scenarios/conformance/statements/):
// for each, its id, section, a summary in the project's words, whom it binds and whether a test
// client can observe a broker's compliance (with the reason when not). The conformance suite
// counts its checks against these lists (coverage per section).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness::conformance {

enum class binding { server, client, both };

struct statement {
    std::string id;       // "MQTT-3.1.2-4"
    std::string section;  // "3.1.2"; ids ending in .0 name the section itself ("3.1", "6")
    std::string summary;
    binding binds = binding::both;
    bool observable = true;
    std::string reason;  // why not observable; empty when observable
    /// Observable, but the suite has no check for it yet: why (`gap:` in the data).
    std::string gap;
    std::size_t line = 0;
};

struct statement_list {
    std::string spec;  // "3.1.1" or "5.0"
    std::vector<statement> statements;

    /// The statement with this id; nullptr when the list has none.
    const statement* find(std::string_view id) const;
};

struct statements_result {
    std::optional<statement_list> list;  // set when there is no error
    /// "FILE:LINE:COLUMN: error: what was expected", every problem found.
    std::vector<std::string> errors;
};

/// The section an id names: "MQTT-3.1.2-4" -> "3.1.2", "MQTT-3.1.0-1" -> "3.1",
/// "MQTT-6.0.0-1" -> "6"; nullopt when `id` is not of the form MQTT-N(.N)*-N.
std::optional<std::string> section_of(std::string_view id);

/// Parses a statement list. Checks: `spec` and `statements` present; each entry has a well-formed
/// id (unique in the file) whose section matches `section`, a summary, `binds` of server, client
/// or both, `observable`, and a `reason` exactly when not observable.
statements_result parse_statements(std::string_view text, const std::string& file_name);
/// Reads and parses a file; an unreadable file is one error.
statements_result load_statements(const std::filesystem::path& file);

}  // namespace harness::conformance
