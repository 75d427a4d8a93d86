// Every transport against Debian's mosquitto: connect, a raw MQTT 3.1.1 CONNECT and its
// CONNACK, a reader and a writer at once, several packets in one write, and the ways a stream
// ends (the broker closes it, close(), abort(), a read that times out).
#include <gtest/gtest.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "broker_setup.hpp"
#include "harness/transport/transport.hpp"
#include "test_io.hpp"

namespace harness::transport::testing {
namespace {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

struct transport_case {
    const char* name;
    scheme kind;
    broker_setup::listener listener;
    const char* host;
};

std::string case_name(const ::testing::TestParamInfo<transport_case>& info) {
    return info.param.name;
}

asio::awaitable<void> abort_after(stream& s, std::chrono::milliseconds delay) {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
    s.abort();
}

asio::awaitable<void> close_after(stream& s, std::chrono::milliseconds delay) {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
    co_await s.close();
}

asio::awaitable<bool> close(stream& s) {
    co_await s.close();
    co_return true;
}

/// Writes CONNECT and PINGREQ as two writes while the caller reads.
asio::awaitable<std::error_code> write_connect_then_ping(stream& s) {
    std::error_code ec;
    co_await s.write(connect_packet, ec);
    if (!ec)
        co_await s.write(pingreq_packet, ec);
    co_return ec;
}

asio::awaitable<std::tuple<read_outcome, std::error_code>> read_while_writing(stream& s) {
    using namespace asio::experimental::awaitable_operators;
    co_return co_await (read_exactly(s, 6) && write_connect_then_ping(s));
}

asio::awaitable<read_outcome> read_until_abort(stream& s) {
    using namespace asio::experimental::awaitable_operators;
    co_return co_await (read_until_error(s) && abort_after(s, 50ms));
}

asio::awaitable<read_outcome> read_until_close(stream& s) {
    using namespace asio::experimental::awaitable_operators;
    co_return co_await (read_until_error(s) && close_after(s, 50ms));
}

asio::awaitable<std::pair<std::size_t, std::error_code>> read_for(stream& s,
                                                                  std::chrono::milliseconds t) {
    bytes buffer(16);
    std::error_code ec;
    const auto n = co_await read_some_for(s, buffer, ec, t);
    co_return std::pair{n, ec};
}

class each_transport : public ::testing::TestWithParam<transport_case> {
  protected:
    broker_url url() const {
        const auto& p = GetParam();
        return shared_broker().url(p.kind, p.listener, p.host);
    }

    /// A connected stream that has had its CONNACK.
    std::unique_ptr<stream> connect_and_connack() {
        auto r = run(io, transport::connect(url(), shared_broker().trusting_test_ca(), 5s));
        EXPECT_TRUE(r.s) << r.message;
        if (!r.s)
            return nullptr;
        EXPECT_FALSE(r.ec) << r.ec.message();
        EXPECT_TRUE(r.message.empty()) << r.message;
        EXPECT_FALSE(run(io, write_all(*r.s, connect_packet)));
        const auto reply = run(io, read_exactly(*r.s, connack_packet.size()));
        EXPECT_FALSE(reply.ec) << reply.message << "\nbroker log:\n"
                               << shared_broker().broker->log();
        EXPECT_EQ(reply.data, connack_packet);
        return std::move(r.s);
    }

    asio::io_context io;
};

TEST_P(each_transport, connects_and_gets_connack_then_closes) {
    auto s = connect_and_connack();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->describe(), url().to_string());
    const auto start = clock::now();
    run(io, close(*s));
    EXPECT_LT(clock::now() - start, 2s) << "a broker that answers closes at once";

    const auto after = run(io, read_until_error(*s));
    EXPECT_EQ(after.ec, transport_errc::closed) << after.message;
    EXPECT_EQ(run(io, write_all(*s, pingreq_packet)), transport_errc::closed);
    run(io, close(*s));  // a second close does nothing
}

TEST_P(each_transport, reads_while_a_write_is_in_progress) {
    auto r = run(io, transport::connect(url(), shared_broker().trusting_test_ca(), 5s));
    ASSERT_TRUE(r.s) << r.message;
    const auto [reply, write_ec] = run(io, read_while_writing(*r.s));
    EXPECT_FALSE(write_ec) << r.s->last_error();
    EXPECT_FALSE(reply.ec) << reply.message;
    EXPECT_EQ(reply.data, concat(connack_packet, pingresp_packet));
    run(io, close(*r.s));
}

TEST_P(each_transport, carries_several_packets_in_one_write) {
    auto r = run(io, transport::connect(url(), shared_broker().trusting_test_ca(), 5s));
    ASSERT_TRUE(r.s) << r.message;
    EXPECT_FALSE(run(io, write_all(*r.s, concat(connect_packet, pingreq_packet))));
    const auto reply = run(io, read_exactly(*r.s, 6, 1));  // one byte per read
    EXPECT_FALSE(reply.ec) << reply.message;
    EXPECT_EQ(reply.data, concat(connack_packet, pingresp_packet));
    run(io, close(*r.s));
}

TEST_P(each_transport, reports_closed_when_the_broker_ends_the_connection) {
    auto s = connect_and_connack();
    ASSERT_TRUE(s);
    EXPECT_FALSE(run(io, write_all(*s, disconnect_packet)));
    const auto rest = run(io, read_until_error(*s));
    EXPECT_EQ(rest.ec, transport_errc::closed) << rest.ec.message() << ": " << rest.message;
    EXPECT_TRUE(rest.data.empty());
    EXPECT_NE(rest.message.find(url().to_string()), std::string::npos) << rest.message;
}

TEST_P(each_transport, abort_ends_a_pending_read_at_once) {
    auto s = connect_and_connack();
    ASSERT_TRUE(s);
    const auto start = clock::now();
    const auto rest = run(io, read_until_abort(*s));
    EXPECT_EQ(rest.ec, transport_errc::closed) << rest.ec.message() << ": " << rest.message;
    EXPECT_LT(clock::now() - start, 1s);
    s->abort();  // a second abort does nothing
}

TEST_P(each_transport, close_ends_a_pending_read) {
    auto s = connect_and_connack();
    ASSERT_TRUE(s);
    const auto start = clock::now();
    const auto rest = run(io, read_until_close(*s));
    EXPECT_EQ(rest.ec, transport_errc::closed) << rest.ec.message() << ": " << rest.message;
    EXPECT_LT(clock::now() - start, 5s) << "bounded by the connect timeout";
}

TEST_P(each_transport, read_some_for_times_out_on_a_quiet_connection) {
    auto s = connect_and_connack();
    ASSERT_TRUE(s);
    const auto start = clock::now();
    const auto [n, ec] = run(io, read_for(*s, 200ms));
    const auto elapsed = clock::now() - start;
    EXPECT_EQ(n, 0u);
    EXPECT_EQ(ec, transport_errc::timeout) << ec.message();
    EXPECT_GE(elapsed, 200ms);
    EXPECT_LT(elapsed, 1200ms);
    run(io, close(*s));
}

INSTANTIATE_TEST_SUITE_P(
    mosquitto, each_transport,
    ::testing::Values(transport_case{"mqtt", scheme::mqtt, broker_setup::mqtt, "127.0.0.1"},
                      transport_case{"ws", scheme::ws, broker_setup::ws, "127.0.0.1"},
                      transport_case{"mqtts", scheme::mqtts, broker_setup::mqtts, "localhost"},
                      transport_case{"mqtts_by_address", scheme::mqtts, broker_setup::mqtts,
                                     "127.0.0.1"},
                      transport_case{"wss", scheme::wss, broker_setup::wss, "localhost"}),
    case_name);

}  // namespace
}  // namespace harness::transport::testing
