// Checking at load time that a scenario's regular expressions (payload regex, wait_log and
// readiness patterns) compile as ECMAScript, so a typo is reported at its position.
// GCC 12 reports a false -Wmaybe-uninitialized inside std::function when <regex> compiles a
// pattern (libstdc++'s NFA states); it is silenced for this file only, which holds nothing else.
// Clang has no such warning (and warns about the unknown name), so only GCC gets the pragma.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <regex>

#include "yaml_reader.hpp"

namespace harness::scenario::detail {
namespace {

/// libstdc++ compiles a pattern recursively, a few stack frames per character: some 20,000
/// characters overflow the stack (with ASan). Scenario patterns are far shorter.
constexpr std::size_t max_pattern_length = 1000;

}  // namespace

std::optional<std::string> reader::regex(const YAML::Node& node) {
    std::optional<std::string> pattern = string(node, "a regular expression");
    if (!pattern)
        return std::nullopt;
    if (pattern->size() > max_pattern_length) {
        error(node, "regular expression of " + std::to_string(pattern->size()) +
                        " characters; at most " + std::to_string(max_pattern_length) +
                        " are allowed");
        return std::nullopt;
    }
    try {
        std::regex compiled(*pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
        error(node, "invalid regular expression `" + *pattern + "`: " + e.what());
        return std::nullopt;
    }
    return pattern;
}

}  // namespace harness::scenario::detail
