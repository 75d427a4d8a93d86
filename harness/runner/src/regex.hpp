// Regular expressions of scenario files (readiness and wait_log patterns), compiled in one
// place: GCC 12 at -O1 (the asan preset) warns -Wmaybe-uninitialized inside libstdc++'s regex
// compiler, a false positive confined to regex.cpp.
#pragma once

#include <regex>
#include <string>

namespace harness::runner {

/// ECMAScript syntax; throws std::regex_error on a bad pattern (the loader has checked them).
std::regex compile_regex(const std::string& pattern);

}  // namespace harness::runner
