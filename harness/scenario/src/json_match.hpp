// Internal to harness/scenario: JSON comparisons that say where two values differ, for the
// mismatch texts of match.cpp. The public JSON helpers are declared in match.hpp.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>

namespace harness::scenario {

/// Where `value` fails to contain `subset` (see json_contains), in words:
/// "JSON field $.mode is "heat", expected "cool"". nullopt when it contains it.
std::optional<std::string> json_difference(const boost::json::value& value,
                                           const boost::json::value& subset,
                                           const std::string& path);

/// Compact JSON text of `value`, cut with "…" past `limit` bytes.
std::string json_text(const boost::json::value& value, std::size_t limit = 100);

}  // namespace harness::scenario
