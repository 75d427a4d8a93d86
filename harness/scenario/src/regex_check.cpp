// Checking at load time that a scenario's regular expressions (payload regex, wait_log and
// readiness patterns) compile as ECMAScript, so a typo is reported at its position.
// GCC 12 reports a false -Wmaybe-uninitialized inside std::function when <regex> compiles a
// pattern (libstdc++'s NFA states); it is silenced for this file only, which holds nothing else.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <regex>

#include "yaml_reader.hpp"

namespace harness::scenario::detail {

std::optional<std::string> reader::regex(const YAML::Node& node) {
    std::optional<std::string> pattern = string(node, "a regular expression");
    if (!pattern)
        return std::nullopt;
    try {
        std::regex compiled(*pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
        error(node, "invalid regular expression `" + *pattern + "`: " + e.what());
        return std::nullopt;
    }
    return pattern;
}

}  // namespace harness::scenario::detail
