// A test kit for the broker core without sockets: the broker with a clock the test moves, and
// fake clients that encode what they send, decode what the broker answers, and behave like the
// server's transport (take the output, report it written, close when the broker asks).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "harness/broker/broker.hpp"
#include "harness/codec/codec.hpp"

namespace harness::broker::test {

using namespace std::chrono_literals;
using codec::disconnect_reason;
using codec::property_id;
using codec::property_list;
using codec::protocol_version;
using codec::qos;

inline constexpr auto v3_1 = protocol_version::v3_1;
inline constexpr auto v3_1_1 = protocol_version::v3_1_1;
inline constexpr auto v5 = protocol_version::v5;

inline codec::binary bytes(std::string_view text) {
    return {text.begin(), text.end()};
}

inline std::string text(const codec::binary& data) {
    return {data.begin(), data.end()};
}

/// A property list with one or two integer properties.
/// CONNECT at `version` with a user name and password (either may be absent).
inline codec::connect login(protocol_version version, std::string client_id,
                            std::optional<std::string> user, std::optional<std::string> password) {
    codec::connect p;
    p.version = version;
    p.client_id = std::move(client_id);
    p.username = std::move(user);
    if (password)
        p.password = bytes(*password);
    return p;
}

inline property_list props(property_id id, std::uint32_t value) {
    property_list p;
    p.add(id, value);
    return p;
}

inline property_list props(property_id id1, std::uint32_t value1, property_id id2,
                           std::uint32_t value2) {
    auto p = props(id1, value1);
    p.add(id2, value2);
    return p;
}

/// The packets of type T among `packets`, in order.
template <class T>
std::vector<T> only(const std::vector<codec::packet>& packets) {
    std::vector<T> out;
    for (const auto& p : packets) {
        if (const auto* v = std::get_if<T>(&p))
            out.push_back(*v);
    }
    return out;
}

inline std::vector<std::string> payloads(const std::vector<codec::publish>& messages) {
    std::vector<std::string> out;
    for (const auto& m : messages)
        out.push_back(text(m.payload));
    return out;
}

inline codec::will_message will(std::string topic, std::string payload, qos q = qos::at_most_once,
                                property_list properties = {}) {
    codec::will_message w;
    w.topic = std::move(topic);
    w.payload = bytes(payload);
    w.qos = q;
    w.properties = std::move(properties);
    return w;
}

/// Tag for test_broker: keep the $SYS topics on.
inline constexpr struct with_sys_topics_t {
} with_sys_topics{};

/// The broker under test and the time it sees. Its $SYS topics are off (sys_interval 0) unless
/// the test passes with_sys_topics: they would add retained messages and a deadline that the
/// other tests do not expect.
class test_broker {
  public:
    explicit test_broker(broker_options options = {}) : core(without_sys(std::move(options))) {}
    test_broker(broker_options options, with_sys_topics_t) : core(std::move(options)) {}

    /// Moves time forward, running the timers once a second as the server's timer loop does.
    void advance(std::chrono::milliseconds d) {
        const auto end = now + d;
        while (now + 1s < end) {
            now += 1s;
            core.tick(now);
        }
        now = end;
        core.tick(now);
    }

    broker core;
    time_point now = time_point{} + 1h;

  private:
    static broker_options without_sys(broker_options options) {
        options.sys_interval = std::chrono::seconds(0);
        return options;
    }
};

/// One client connection: what it sends is encoded at its protocol level, what the broker
/// sends is decoded and kept until received() hands it over.
class fake_client {
  public:
    explicit fake_client(test_broker& b) : b_(b), id_(b.core.open(b.now, "fake")) {}
    /// A connection as a listener's transport reports it (listener index, TLS identity).
    fake_client(test_broker& b, connection_info info)
        : b_(b), id_(b.core.open(b.now, std::move(info))) {}

    connection_id id() const noexcept { return id_; }
    protocol_version version() const noexcept { return version_; }

    /// Sends CONNECT and returns the CONNACK; packets after it wait in received().
    codec::connack connect(const codec::connect& p) {
        version_ = p.version;
        reader_.set_protocol(p.version);
        send(p);
        drain();
        if (backlog_.empty() || !std::holds_alternative<codec::connack>(backlog_.front())) {
            ADD_FAILURE() << "no CONNACK";
            codec::connack none;
            none.reason_code = codec::connack_reason::unspecified_error;
            return none;
        }
        auto ack = std::get<codec::connack>(std::move(backlog_.front()));
        backlog_.erase(backlog_.begin());
        return ack;
    }

    codec::connack connect(protocol_version version, std::string client_id, bool clean_start = true,
                           property_list properties = {},
                           std::optional<codec::will_message> w = std::nullopt,
                           std::uint16_t keep_alive = 0) {
        codec::connect p;
        p.version = version;
        p.client_id = std::move(client_id);
        p.clean_start = clean_start;
        p.properties = std::move(properties);
        p.will = std::move(w);
        p.keep_alive = keep_alive;
        return connect(p);
    }

    void send(const codec::packet& p) { send_bytes(codec::encode(p, version_)); }

    void send_bytes(const std::vector<std::uint8_t>& data) { b_.core.receive(id_, data, b_.now); }

    /// Everything the broker sent since the last call.
    std::vector<codec::packet> received() {
        drain();
        return std::exchange(backlog_, {});
    }

    /// The PUBLISH packets among received(); the other packets are discarded.
    std::vector<codec::publish> messages() { return only<codec::publish>(received()); }

    /// The broker asked to close the connection, or it is gone.
    bool closed() const { return b_.core.should_close(id_); }

    /// The transport fails: the broker learns it without a DISCONNECT.
    void drop() { b_.core.close(id_, b_.now); }

    void disconnect(disconnect_reason reason = disconnect_reason::normal_disconnection,
                    property_list properties = {}) {
        send(codec::disconnect{reason, std::move(properties)});
        drain();
    }

    codec::suback subscribe(std::vector<codec::subscription> subscriptions,
                            property_list properties = {}) {
        codec::subscribe p;
        p.packet_id = next_id();
        p.properties = std::move(properties);
        p.subscriptions = std::move(subscriptions);
        send(p);
        return expect<codec::suback>();
    }

    codec::suback subscribe(std::string filter, qos q = qos::at_most_once,
                            property_list properties = {}) {
        codec::subscription s;
        s.topic_filter = std::move(filter);
        s.max_qos = q;
        return subscribe({s}, std::move(properties));
    }

    codec::unsuback unsubscribe(std::vector<std::string> filters) {
        codec::unsubscribe p;
        p.packet_id = next_id();
        p.topic_filters = std::move(filters);
        send(p);
        return expect<codec::unsuback>();
    }

    /// Sends a PUBLISH; returns its packet id (0 for QoS 0).
    std::uint16_t publish(std::string topic, std::string_view payload, qos q = qos::at_most_once,
                          bool retain = false, property_list properties = {}) {
        codec::publish p;
        p.topic = std::move(topic);
        p.payload = bytes(payload);
        p.qos = q;
        p.retain = retain;
        p.properties = std::move(properties);
        p.packet_id = q == qos::at_most_once ? 0 : next_id();
        send(p);
        return p.packet_id;
    }

    /// Takes the first packet of type T from what arrived; the others stay for received().
    template <class T>
    T expect() {
        drain();
        for (auto it = backlog_.begin(); it != backlog_.end(); ++it) {
            if (auto* v = std::get_if<T>(&*it)) {
                T out = std::move(*v);
                backlog_.erase(it);
                return out;
            }
        }
        ADD_FAILURE() << "expected packet not received";
        return T{};
    }

    /// When false, the output is taken but never reported written (a reader that stalls).
    bool reports_writes = true;

  private:
    std::uint16_t next_id() { return ++last_id_ == 0 ? ++last_id_ : last_id_; }

    void drain() {
        std::vector<std::uint8_t> out;
        while (!gone_ && b_.core.take_output(id_, out)) {
            reader_.feed(out);
            for (;;) {
                auto f = reader_.next();
                if (!f) {
                    ADD_FAILURE() << "broker output not framed: " << f.error().message;
                    break;
                }
                if (!*f)
                    break;
                auto p = codec::decode_body(**f, version_);
                if (!p) {
                    ADD_FAILURE() << "broker output not decoded: " << p.error().message;
                    break;
                }
                backlog_.push_back(std::move(*p));
            }
            if (!reports_writes)
                break;
            b_.core.written(id_, b_.now);
        }
        if (!gone_ && b_.core.should_close(id_)) {  // as the server: close once written
            b_.core.close(id_, b_.now);
            gone_ = true;
        }
    }

    test_broker& b_;
    connection_id id_;
    protocol_version version_ = v5;
    codec::frame_reader reader_;
    std::vector<codec::packet> backlog_;
    std::uint16_t last_id_ = 0;
    bool gone_ = false;
};

}  // namespace harness::broker::test
