// A scripted server for session tests: it reads what the session sent as packets and feeds it
// server packets, with time under the test's control. No sockets.
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "harness/client/session.hpp"

namespace harness::client::test {

using namespace std::chrono_literals;

class scripted_server {
  public:
    scripted_server(session& s, codec::protocol_version v) : s_(s), v_(v) {}

    time_point now = time_point{} + 1000s;

    /// Everything the session has sent since the last call, decoded.
    std::vector<codec::packet> received() {
        std::vector<codec::packet> packets;
        const auto bytes = s_.output();
        reader_.feed(bytes);
        s_.consume_output(bytes.size());
        while (true) {
            auto next = reader_.next();
            if (!next || !*next)
                break;
            auto p = codec::decode_body(**next, v_);
            EXPECT_TRUE(p) << p.error().message;
            if (p)
                packets.push_back(std::move(*p));
        }
        return packets;
    }

    /// The one packet the session sent since the last call, as type P.
    template <class P>
    P received_one() {
        auto packets = received();
        EXPECT_EQ(packets.size(), 1u);
        if (packets.size() != 1 || !std::holds_alternative<P>(packets[0])) {
            ADD_FAILURE() << "expected one " << typeid(P).name();
            return P{};
        }
        return std::get<P>(packets[0]);
    }

    void send(const codec::packet& p) {
        const auto bytes = codec::encode(p, v_);
        s_.receive(bytes, now);
    }

    void send_bytes(const std::vector<std::uint8_t>& bytes) { s_.receive(bytes, now); }

    std::vector<event> events() {
        std::vector<event> out;
        while (s_.has_event())
            out.push_back(s_.pop_event());
        return out;
    }

    template <class E>
    E event_one() {
        auto all = events();
        EXPECT_EQ(all.size(), 1u);
        if (all.size() != 1 || !std::holds_alternative<E>(all[0])) {
            ADD_FAILURE() << "expected one " << typeid(E).name();
            return E{};
        }
        return std::get<E>(all[0]);
    }

    /// start() and the CONNACK handshake; returns the CONNECT the session sent.
    codec::connect handshake(codec::connack ack = {}) {
        s_.start(now);
        auto c = received_one<codec::connect>();
        send(ack);
        return c;
    }

  private:
    session& s_;
    codec::protocol_version v_;
    codec::frame_reader reader_;
};

}  // namespace harness::client::test
