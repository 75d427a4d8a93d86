// A small MQTT 3.1.1/5.0 broker for the conformance tests that breaks the specifications on
// purpose: a real TCP server on 127.0.0.1 (Boost.Asio coroutines, one io_context on its own
// thread) built on the sans-I/O codec. It connects, subscribes (+ and # wildcards), routes QoS 0
// and 1, answers PINGREQ and UNSUBSCRIBE, and has a last will; no retained messages, no
// persistent sessions, QoS 2 granted as 1. Each fault below is one flag, all on by default, so
// that running the conformance checks against it shows which statement ids they catch.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace harness::conformance::test {

struct nonconforming_options {
    /// SUBACK carries the SUBSCRIBE's packet id + 1 (3.1.1 and 5.0: MQTT-3.8.4-2).
    bool suback_wrong_packet_id = true;
    /// Filters starting with # or + also match topics starting with $, such as the
    /// $SYS/broker/uptime the broker publishes (3.1.1 and 5.0: MQTT-4.7.2-1).
    bool wildcards_match_dollar_topics = true;
    /// A second CONNECT gets another CONNACK instead of closing (3.1.1 and 5.0: MQTT-3.1.0-2).
    bool accept_second_connect = true;
    /// PINGREQ gets no PINGRESP (3.1.1 and 5.0: MQTT-3.12.4-1).
    bool ignore_pingreq = true;
    /// Packets whose reserved fixed-header flags are wrong (SUBSCRIBE, UNSUBSCRIBE and PUBREL
    /// with other than 0010, the rest with other than 0000) are processed as if they were right
    /// (SUBSCRIBE: MQTT-3.8.1-1 in both; also 3.1.1 MQTT-2.2.2-2, 5.0 MQTT-2.1.3-1).
    bool accept_bad_fixed_header_flags = true;

    /// How often $SYS/broker/uptime is published (it is also published after every SUBACK).
    std::chrono::milliseconds sys_interval{1000};
    /// Connections beyond this many are closed as soon as they are accepted.
    std::size_t max_connections = 64;

    /// Every fault off: the broker conforms as far as it goes.
    static nonconforming_options conforming() {
        nonconforming_options o;
        o.suback_wrong_packet_id = false;
        o.wildcards_match_dollar_topics = false;
        o.accept_second_connect = false;
        o.ignore_pingreq = false;
        o.accept_bad_fixed_header_flags = false;
        return o;
    }
};

class nonconforming_broker {
  public:
    explicit nonconforming_broker(nonconforming_options options = {});
    ~nonconforming_broker();  // stop()
    nonconforming_broker(const nonconforming_broker&) = delete;
    nonconforming_broker& operator=(const nonconforming_broker&) = delete;

    /// Binds 127.0.0.1 on a free port and starts serving on a thread of its own. Throws
    /// std::system_error when the port cannot be bound. Once only.
    void start();
    /// Closes the listener and every connection and joins the thread. Idempotent.
    void stop();

    /// The bound port, valid after start().
    std::uint16_t port() const noexcept;
    /// mqtt://127.0.0.1:PORT
    std::string url() const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace harness::conformance::test
