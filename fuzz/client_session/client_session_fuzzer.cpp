// libFuzzer target over the client session state machine (harness/client session.hpp), with no
// socket and no clock: the input is a script of server bytes, time, API calls and output taken.
// Checks, besides ASan/UBSan/leaks: the session's output always frames and decodes; it stays
// within a budget derived from what went in; next_deadline() is never in the past after tick();
// completion events name a packet id the script got from the API, once per use; ids handed out
// are unique while in use; outgoing QoS 1/2 PUBLISH ids in flight are unique (DUP only for a
// resend); delivered messages have a topic.
//
// Input layout (see session_driver.hpp for the operations):
//   byte 0  session options: bit 0 MQTT 5.0 (else 3.1.1), bit 1 clean start, bits 2-3 keep
//           alive 0/1/10/60 s, bit 4 will, bit 5 ping timeout 500 ms, bit 6 user name and
//           password, bit 7 connect timeout 1 s (else 10 s)
//   byte 1  5.0 limits: bits 0-1 Receive Maximum -/1/2/65535, bits 2-3 Topic Alias Maximum
//           -/1/2/10, bits 4-5 Maximum Packet Size -/20/128/4096, bit 6 session expiry 60 s
//   then operations, one byte each (low nibble: kind, high nibble: argument) with their data.
#include <cstddef>
#include <cstdint>

#include "session_driver.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2)
        return 0;
    client_fuzz::session_driver driver(data[0], data[1]);
    driver.run({data + 2, size - 2});
    return 0;
}
