// JSON text for people and for the components a scenario talks to: compact, with numbers
// written the shortest way that reads back exactly ("21.5", not Boost.JSON 1.81's "2.15E1").
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace harness::packet_json {

/// Compact JSON text of `value`; non-finite doubles (which JSON cannot hold) become null.
std::string json_text(const boost::json::value& value);

}  // namespace harness::packet_json
