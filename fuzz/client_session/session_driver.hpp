// The client_session fuzz target's driver: runs a script against one harness::client::session
// and keeps the model the invariants are checked against (ids the API handed out, PUBLISH ids in
// flight on the wire, the output budget).
//
// Operations (low nibble of the op byte = kind, high nibble = argument `a`):
//   0-2   server bytes: a length byte, then that many bytes, fed in chunks of `a` (0: at once)
//   3     time passes: a byte b, b x 100 ms (a = 0) or b x a s; then tick()
//   4     time jumps to next_deadline() + a x 100 ms; then tick()
//   5     publish: a byte b: QoS b % 3, retain b & 4, topic (b >> 3) & 7; payload of a x 16 bytes
//   6     subscribe: a byte b: filter b & 7, QoS (b >> 3) % 3, no local b & 0x20, subscription
//         identifier b & 0x40, retain handling b >> 7; 1 + a % 3 filters
//   7     unsubscribe: filter a & 7 (and a second one when a & 8)
//   8     disconnect (reason 0x04 when a & 1)
//   9     the connection is lost; unless a & 1, start() again at once
//   10    output written: all of it (a = 0) or a x 8 bytes
//   11-15 a server packet built for the session's state: a selects the kind, a parameter byte
//         follows (CONNACK, SUBACK, UNSUBACK, PUBACK, PUBREC, PUBCOMP, PUBLISH QoS 0/1/2, PUBREL,
//         PINGRESP, DISCONNECT, PUBLISH with a topic alias, AUTH)
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "harness/client/session.hpp"
#include "harness/codec/framing.hpp"

namespace client_fuzz {

namespace client = harness::client;
namespace codec = harness::codec;
using bytes_view = std::span<const std::uint8_t>;

[[noreturn]] void fail(const std::string& what);

class session_driver {
  public:
    session_driver(std::uint8_t options_byte, std::uint8_t limits_byte);
    void run(bytes_view script);

  private:
    // Operations.
    void receive(bytes_view bytes, unsigned chunk);
    void tick_to(client::time_point t);
    void publish(unsigned arg, std::uint8_t b);
    void subscribe(unsigned arg, std::uint8_t b);
    void unsubscribe(unsigned arg);
    void connection_lost(bool start_again);
    void consume(unsigned arg);
    void server_packet(unsigned kind, std::uint8_t b);

    // Checks after every operation (session_checks.cpp).
    void after_operation();
    void take_events();
    void check_output();
    void on_output_packet(const codec::packet& p);
    void handed_out(std::uint16_t id, std::map<std::uint16_t, unsigned>& uses);
    void add_budget(std::size_t bytes) { budget_ += bytes; }

    client::session session_;
    codec::protocol_version version_;
    client::time_point now_;

    // Ids the API returned and no completion event has named yet, per kind; the value is the
    // number of filters for SUBSCRIBE/UNSUBSCRIBE (for building SUBACK/UNSUBACK).
    std::map<std::uint16_t, unsigned> publishes_;
    std::map<std::uint16_t, unsigned> subscribes_;
    std::map<std::uint16_t, unsigned> unsubscribes_;
    // Outgoing QoS 1/2 PUBLISH on the wire, not yet completed: id -> connection number.
    std::map<std::uint16_t, unsigned> wire_in_flight_;
    // Server-side state for building answers: QoS 2 ids the session has PUBREC'd.
    std::deque<std::uint16_t> server_qos2_;
    std::uint16_t server_next_id_ = 1;

    // The output as decoded so far: its reader and how many bytes of output() it has seen.
    codec::frame_reader output_reader_;
    std::size_t output_seen_ = 0;
    unsigned connection_ = 0;  // incremented by every start()
    std::size_t budget_ = 0;   // the most output() may hold now
    std::size_t largest_message_ = 0;
};

}  // namespace client_fuzz
