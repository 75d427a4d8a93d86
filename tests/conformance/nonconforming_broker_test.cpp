// Pins the faults of the non-conforming broker, one by one and in both protocol versions, over
// raw TCP with the codec; and that with every fault off a well-formed session works and the
// broker reacts as the specifications ask. Every wait is bounded.
#include "nonconforming_broker.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <typeinfo>
#include <variant>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "harness/codec/codec.hpp"

namespace harness::conformance::test {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using codec::protocol_version;
using namespace std::chrono_literals;

constexpr auto patience = 5s;           // for what must arrive
constexpr auto silence_window = 500ms;  // for what must not

/// A bare connection: the test writes packets or bytes and reads packets with a deadline.
class raw_client {
  public:
    raw_client(std::uint16_t port, protocol_version version) : socket_(io_), version_(version) {
        socket_.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
        socket_.set_option(tcp::no_delay(true));
    }

    void send_bytes(const std::vector<std::uint8_t>& bytes) {
        boost::system::error_code ec;
        asio::write(socket_, asio::buffer(bytes), ec);
    }
    void send(const codec::packet& p) { send_bytes(codec::encode(p, version_)); }

    /// The next packet within `timeout`; nullopt on timeout or when the connection closes.
    std::optional<codec::packet> receive(std::chrono::steady_clock::duration timeout = patience) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            auto next = reader_.next();
            if (!next) {
                ADD_FAILURE() << "undecodable bytes: " << next.error().message;
                return std::nullopt;
            }
            if (*next) {
                auto p = codec::decode_body(**next, version_);
                EXPECT_TRUE(p) << p.error().message;
                return p ? std::optional<codec::packet>(std::move(*p)) : std::nullopt;
            }
            if (!read_some(deadline))
                return std::nullopt;
        }
    }

    template <class P>
    P receive_as() {
        auto p = receive();
        if (!p || !std::holds_alternative<P>(*p)) {
            ADD_FAILURE() << "expected " << typeid(P).name()
                          << (p ? ", got another packet" : ", got nothing");
            return P{};
        }
        return std::get<P>(*p);
    }

    /// True when the broker closes the connection within `timeout` (packets before are skipped).
    bool wait_closed(std::chrono::steady_clock::duration timeout = patience) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!closed_ && read_some(deadline)) {
        }
        return closed_;
    }

    bool closed() const noexcept { return closed_; }

    void handshake(const std::string& client_id) {
        codec::connect c;
        c.version = version_;
        c.client_id = client_id;
        c.keep_alive = 0;
        send(c);
        const auto ack = receive_as<codec::connack>();
        ASSERT_EQ(ack.reason_code, codec::connack_reason::success);
    }

    void subscribe(std::uint16_t id, const std::string& filter, codec::qos qos) {
        codec::subscribe s;
        s.packet_id = id;
        codec::subscription sub;
        sub.topic_filter = filter;
        sub.max_qos = qos;
        s.subscriptions.push_back(sub);
        send(s);
    }

  private:
    /// One read, waiting until `deadline`; false on timeout or close.
    bool read_some(std::chrono::steady_clock::time_point deadline) {
        if (closed_)
            return false;
        bool done = false;
        boost::system::error_code error;
        std::size_t n = 0;
        socket_.async_read_some(asio::buffer(buffer_),
                                [&](boost::system::error_code ec, std::size_t k) {
                                    error = ec;
                                    n = k;
                                    done = true;
                                });
        io_.restart();
        io_.run_until(deadline);
        if (!done) {
            socket_.cancel();
            io_.restart();
            io_.run();
        }
        if (n > 0)
            reader_.feed(std::span<const std::uint8_t>(buffer_.data(), n));
        if (error && error != asio::error::operation_aborted)
            closed_ = true;
        return n > 0;
    }

    asio::io_context io_;
    tcp::socket socket_;
    protocol_version version_;
    codec::frame_reader reader_;
    std::array<std::uint8_t, 4096> buffer_{};
    bool closed_ = false;
};

/// SUBSCRIBE to a/b, packet id 9, QoS 0, with fixed-header flags 0000 instead of 0010.
std::vector<std::uint8_t> subscribe_with_bad_flags(protocol_version version) {
    if (version == protocol_version::v5)
        return {0x80, 0x09, 0x00, 0x09, 0x00, 0x00, 0x03, 'a', '/', 'b', 0x00};
    return {0x80, 0x08, 0x00, 0x09, 0x00, 0x03, 'a', '/', 'b', 0x00};
}

nonconforming_options only(bool nonconforming_options::*fault) {
    auto options = nonconforming_options::conforming();
    options.*fault = true;
    options.sys_interval = std::chrono::hours(1);  // $SYS only after each SUBACK
    return options;
}

class NonconformingBroker : public ::testing::TestWithParam<protocol_version> {
  protected:
    void start(nonconforming_options options) {
        broker_.emplace(options);
        broker_->start();
    }
    std::unique_ptr<raw_client> client(const std::string& id) {
        auto c = std::make_unique<raw_client>(broker_->port(), GetParam());
        c->handshake(id);
        return c;
    }

    std::optional<nonconforming_broker> broker_;
};

TEST_P(NonconformingBroker, SubackCarriesTheNextPacketId) {
    start(only(&nonconforming_options::suback_wrong_packet_id));
    auto c = client("c");
    c->subscribe(7, "a/b", codec::qos::at_least_once);
    EXPECT_EQ(c->receive_as<codec::suback>().packet_id, 8);
}

TEST_P(NonconformingBroker, HashAndPlusFiltersGetSysTopics) {
    start(only(&nonconforming_options::wildcards_match_dollar_topics));
    auto c = client("c");
    c->subscribe(1, "#", codec::qos::at_most_once);
    EXPECT_EQ(c->receive_as<codec::suback>().packet_id, 1);
    EXPECT_EQ(c->receive_as<codec::publish>().topic, "$SYS/broker/uptime");
    auto plus = client("plus");
    plus->subscribe(2, "+/broker/uptime", codec::qos::at_most_once);
    EXPECT_EQ(plus->receive_as<codec::suback>().packet_id, 2);
    EXPECT_EQ(plus->receive_as<codec::publish>().topic, "$SYS/broker/uptime");
}

TEST_P(NonconformingBroker, SecondConnectGetsConnack) {
    start(only(&nonconforming_options::accept_second_connect));
    auto c = client("c");
    codec::connect again;
    again.version = GetParam();
    again.client_id = "c";
    c->send(again);
    EXPECT_EQ(c->receive_as<codec::connack>().reason_code, codec::connack_reason::success);
    c->send(codec::pingreq{});  // still open and served
    c->receive_as<codec::pingresp>();
}

TEST_P(NonconformingBroker, PingreqGetsNoPingresp) {
    start(only(&nonconforming_options::ignore_pingreq));
    auto c = client("c");
    c->send(codec::pingreq{});
    EXPECT_FALSE(c->receive(silence_window));
    EXPECT_FALSE(c->closed());
}

TEST_P(NonconformingBroker, SubscribeWithBadFlagsGetsSuback) {
    start(only(&nonconforming_options::accept_bad_fixed_header_flags));
    auto c = client("c");
    c->send_bytes(subscribe_with_bad_flags(GetParam()));
    const auto ack = c->receive_as<codec::suback>();
    EXPECT_EQ(ack.packet_id, 9);
    EXPECT_EQ(ack.reason_codes, std::vector{codec::suback_reason::granted_qos_0});
}

TEST_P(NonconformingBroker, AllFaultsAreOnByDefault) {
    nonconforming_options options;
    options.sys_interval = std::chrono::hours(1);
    start(options);
    auto c = client("c");
    c->send_bytes(subscribe_with_bad_flags(GetParam()));
    EXPECT_EQ(c->receive_as<codec::suback>().packet_id, 10);
    c->subscribe(20, "#", codec::qos::at_most_once);
    EXPECT_EQ(c->receive_as<codec::suback>().packet_id, 21);
    EXPECT_EQ(c->receive_as<codec::publish>().topic, "$SYS/broker/uptime");
    c->send(codec::pingreq{});
    EXPECT_FALSE(c->receive(silence_window));
}

TEST_P(NonconformingBroker, WellFormedSessionWorks) {
    start(nonconforming_options::conforming());
    auto sub = client("sub");
    auto pub = client("pub");
    codec::subscribe s;
    s.packet_id = 3;
    s.subscriptions.resize(2);
    s.subscriptions[0].topic_filter = "a/+";
    s.subscriptions[0].max_qos = codec::qos::at_least_once;
    s.subscriptions[1].topic_filter = "b/#";
    sub->send(s);
    const auto granted = sub->receive_as<codec::suback>();
    EXPECT_EQ(granted.packet_id, 3);
    EXPECT_EQ(granted.reason_codes, (std::vector{codec::suback_reason::granted_qos_1,
                                                 codec::suback_reason::granted_qos_0}));

    codec::publish m;
    m.topic = "a/x";
    m.qos = codec::qos::at_least_once;
    m.packet_id = 5;
    m.payload = {'h', 'i'};
    pub->send(m);
    EXPECT_EQ(pub->receive_as<codec::puback>().packet_id, 5);
    const auto delivered = sub->receive_as<codec::publish>();
    EXPECT_EQ(delivered.topic, "a/x");
    EXPECT_EQ(delivered.qos, codec::qos::at_least_once);
    EXPECT_NE(delivered.packet_id, 0);
    EXPECT_EQ(delivered.payload, m.payload);
    codec::puback ack;
    ack.packet_id = delivered.packet_id;
    sub->send(ack);

    m.topic = "b/c/d";
    pub->send(m);
    EXPECT_EQ(pub->receive_as<codec::puback>().packet_id, 5);
    EXPECT_EQ(sub->receive_as<codec::publish>().qos, codec::qos::at_most_once);

    // Routing is done when the PUBACK comes, so a PINGRESP first means nothing was delivered.
    codec::unsubscribe u;
    u.packet_id = 4;
    u.topic_filters = {"a/+"};
    sub->send(u);
    EXPECT_EQ(sub->receive_as<codec::unsuback>().packet_id, 4);
    m.topic = "a/x";
    pub->send(m);
    EXPECT_EQ(pub->receive_as<codec::puback>().packet_id, 5);
    sub->send(codec::pingreq{});
    sub->receive_as<codec::pingresp>();

    sub->send(codec::disconnect{});
    EXPECT_TRUE(sub->wait_closed());
}

TEST_P(NonconformingBroker, WithoutFaultsItClosesWhereTheSpecificationsSay) {
    start(nonconforming_options::conforming());
    auto hash = client("hash");
    hash->subscribe(1, "#", codec::qos::at_most_once);
    EXPECT_EQ(hash->receive_as<codec::suback>().packet_id, 1);
    hash->send(codec::pingreq{});
    hash->receive_as<codec::pingresp>();  // no $SYS/broker/uptime before it

    auto twice = client("twice");
    codec::connect again;
    again.version = GetParam();
    again.client_id = "twice";
    twice->send(again);
    EXPECT_TRUE(twice->wait_closed());

    auto flags = client("flags");
    flags->send_bytes(subscribe_with_bad_flags(GetParam()));
    EXPECT_TRUE(flags->wait_closed());
}

TEST_P(NonconformingBroker, SurvivesGarbageAndStopsWithConnectionsOpen) {
    start(nonconforming_options{});
    raw_client garbage(broker_->port(), GetParam());
    garbage.send_bytes({0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});  // remaining length too long
    EXPECT_TRUE(garbage.wait_closed());
    raw_client no_connect(broker_->port(), GetParam());
    no_connect.send(codec::pingreq{});
    EXPECT_TRUE(no_connect.wait_closed());
    raw_client truncated(broker_->port(), GetParam());
    truncated.send_bytes({0x10, 0x04, 0x00, 0x04, 'M', 'Q'});  // protocol name cut short
    EXPECT_TRUE(truncated.wait_closed());

    auto open = client("open");
    raw_client idle(broker_->port(), GetParam());
    broker_->stop();
    EXPECT_TRUE(open->wait_closed());
    EXPECT_TRUE(idle.wait_closed());
}

INSTANTIATE_TEST_SUITE_P(Versions, NonconformingBroker,
                         ::testing::Values(protocol_version::v3_1_1, protocol_version::v5),
                         [](const auto& info) {
                             return info.param == protocol_version::v5 ? "v5" : "v3_1_1";
                         });

}  // namespace
}  // namespace harness::conformance::test
