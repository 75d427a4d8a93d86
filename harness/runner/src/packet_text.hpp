// One line per packet for traces and reports: the type and the fields people look at.
#pragma once

#include <string>

#include "harness/codec/packets.hpp"

namespace harness::runner {

/// e.g. `PUBLISH q1 id=3 retain "sensors/t" "21.5"`, `SUBACK id=2 [granted_qos_1]`.
std::string packet_text(const codec::packet& p);

}  // namespace harness::runner
