// See regex.hpp for why this file exists.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "regex.hpp"

namespace harness::runner {

std::regex compile_regex(const std::string& pattern) {
    return std::regex(pattern, std::regex::ECMAScript);
}

}  // namespace harness::runner
