// One received message as a JSON object for `sub --json`: topic, qos, retain, payload (UTF-8
// text, or base64 when it is not UTF-8), 5.0 properties and the receive timestamp.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>

#include "harness/codec/packets.hpp"

namespace harness::cli {

boost::json::object message_json(const codec::publish& message, codec::protocol_version version,
                                 std::chrono::system_clock::time_point received_at);

}  // namespace harness::cli
