// connect() failures and their messages: a refused port, a name that does not resolve, an
// upgrade the server refuses, servers that never answer (the deadline fires in the TLS or
// WebSocket stage), and a caller that cancels. Also a write to a peer that does not read,
// an empty read buffer, and IPv6 on ::1.
#include <gtest/gtest.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "broker_setup.hpp"
#include "harness/transport/transport.hpp"
#include "local_servers.hpp"
#include "support/loopback.hpp"
#include "test_io.hpp"

namespace harness::transport::testing {
namespace {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

broker_url make_url(scheme kind, const std::string& host, std::uint16_t port) {
    broker_url url;
    url.kind = kind;
    url.host = host;
    url.port = port;
    url.path = kind == scheme::ws || kind == scheme::wss ? "/mqtt" : "";
    return url;
}

class failure_test : public ::testing::Test {
  protected:
    connect_result connect(const broker_url& url, std::chrono::milliseconds timeout = 2s,
                           tls_options tls = {}) {
        const auto start = clock::now();
        auto r = run(io, transport::connect(url, tls, timeout));
        elapsed = clock::now() - start;
        EXPECT_FALSE(r.s) << "connected to " << url.to_string();
        return r;
    }

    asio::io_context io;
    clock::duration elapsed{};
};

TEST_F(failure_test, a_closed_port_is_refused) {
    const auto port = test_support::free_port();
    const auto r = connect(make_url(scheme::mqtt, "127.0.0.1", port));
    EXPECT_EQ(r.ec, transport_errc::tcp_refused) << r.ec.message();
    EXPECT_EQ(r.message, "TCP connect to 127.0.0.1:" + std::to_string(port) + " refused");
    EXPECT_LT(elapsed, 2s);
}

TEST_F(failure_test, a_refused_name_lists_the_addresses_tried) {
    const auto port = test_support::free_port();
    const auto r = connect(make_url(scheme::ws, "localhost", port));
    EXPECT_EQ(r.ec, transport_errc::tcp_refused) << r.message;
    const auto prefix = "TCP connect to localhost:" + std::to_string(port) + " refused (";
    EXPECT_EQ(r.message.rfind(prefix, 0), 0u) << r.message;
    EXPECT_NE(r.message.find("127.0.0.1:" + std::to_string(port) + ": "), std::string::npos)
        << r.message;
}

TEST_F(failure_test, a_name_that_does_not_resolve) {
    const auto r = connect(make_url(scheme::mqtt, "nohost.invalid", 1883), 5s);
    ASSERT_TRUE(r.ec == transport_errc::dns_failed || r.ec == transport_errc::connect_timeout)
        << r.message;
    EXPECT_EQ(r.message.rfind("DNS lookup of nohost.invalid ", 0), 0u) << r.message;
    EXPECT_LT(elapsed, 6s);
}

TEST_F(failure_test, an_upgrade_answered_with_404) {
    http_responder server(io, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    const auto url = make_url(scheme::ws, "127.0.0.1", server.port());
    const auto r = connect(url);
    EXPECT_EQ(r.ec, transport_errc::websocket_upgrade_failed) << r.ec.message();
    EXPECT_EQ(r.message, "WebSocket upgrade to " + url.to_string() + " failed: 404 Not Found");
}

TEST_F(failure_test, an_upgrade_answered_by_an_mqtt_listener) {
    const auto url = shared_broker().url(scheme::ws, broker_setup::mqtt);
    const auto r = connect(url);
    EXPECT_EQ(r.ec, transport_errc::websocket_upgrade_failed) << r.ec.message();
    EXPECT_EQ(r.message.rfind("WebSocket upgrade to " + url.to_string() + " failed: ", 0), 0u)
        << r.message;
}

// The timeout covers the whole connect(); 1 s leaves the lookup and the TCP connect (fast on
// loopback, slower on a loaded machine under ASan) enough of it to reach the stage under test.
constexpr auto stage_timeout = 1000ms;
constexpr auto margin = 1000ms;

TEST_F(failure_test, tls_to_a_server_that_never_answers_times_out) {
    silent_server server(io);
    const auto r = connect(make_url(scheme::mqtts, "127.0.0.1", server.port()), stage_timeout);
    EXPECT_EQ(r.ec, transport_errc::connect_timeout) << r.ec.message();
    EXPECT_EQ(r.message, "TLS handshake with 127.0.0.1:" + std::to_string(server.port()) +
                             " timed out (connect timeout 1000 ms)");
    EXPECT_GE(elapsed, stage_timeout);
    EXPECT_LT(elapsed, stage_timeout + margin);
    EXPECT_EQ(server.accepted(), 1u);
}

TEST_F(failure_test, wss_to_a_server_that_never_answers_times_out_in_tls) {
    silent_server server(io);
    const auto r = connect(make_url(scheme::wss, "127.0.0.1", server.port()), stage_timeout);
    EXPECT_EQ(r.ec, transport_errc::connect_timeout) << r.ec.message();
    EXPECT_EQ(r.message.rfind("TLS handshake with 127.0.0.1:", 0), 0u) << r.message;
    EXPECT_GE(elapsed, stage_timeout);
    EXPECT_LT(elapsed, stage_timeout + margin);
}

TEST_F(failure_test, an_upgrade_that_is_never_answered_times_out) {
    silent_server server(io);
    const auto url = make_url(scheme::ws, "127.0.0.1", server.port());
    const auto r = connect(url, stage_timeout);
    EXPECT_EQ(r.ec, transport_errc::connect_timeout) << r.ec.message();
    EXPECT_EQ(r.message,
              "WebSocket upgrade to " + url.to_string() + " timed out (connect timeout 1000 ms)");
    EXPECT_GE(elapsed, stage_timeout);
    EXPECT_LT(elapsed, stage_timeout + margin);
}

struct cancelled_connect {
    connect_result result;
    bool finished = false;
};

asio::awaitable<void> connect_into(broker_url url, std::shared_ptr<cancelled_connect> out) {
    // `{}` in a co_await expression: safe because tls_options is not an aggregate (GCC 12).
    out->result = co_await transport::connect(url, {}, 5s);
    out->finished = true;
}

asio::awaitable<void> wait(std::chrono::milliseconds t) {
    asio::steady_timer timer(co_await asio::this_coro::executor, t);
    co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<bool> connect_racing_a_timer(broker_url url,
                                             std::shared_ptr<cancelled_connect> out) {
    using namespace asio::experimental::awaitable_operators;
    const auto winner = co_await (connect_into(url, out) || wait(100ms));
    co_return winner.index() == 1;
}

TEST_F(failure_test, a_cancelled_connect_ends_at_once) {
    silent_server server(io);
    auto out = std::make_shared<cancelled_connect>();
    const auto start = clock::now();
    const bool timer_won =
        run(io, connect_racing_a_timer(make_url(scheme::ws, "127.0.0.1", server.port()), out));
    EXPECT_TRUE(timer_won);
    EXPECT_LT(clock::now() - start, 1s);
    EXPECT_TRUE(out->finished);
    EXPECT_FALSE(out->result.s);
    EXPECT_EQ(out->result.ec, std::errc::operation_canceled) << out->result.message;
    EXPECT_EQ(out->result.message.rfind("WebSocket upgrade to ", 0), 0u) << out->result.message;
}

struct stalled_write {
    std::error_code connect_ec;
    std::error_code write_ec;
    clock::duration elapsed{};
};

/// Writes far more than the socket buffers hold to a peer that never reads.
asio::awaitable<stalled_write> write_to_a_silent_peer(broker_url url) {
    stalled_write out;
    auto r = co_await transport::connect(url, tls_options(), 2s);
    out.connect_ec = r.ec;
    if (!r.s)
        co_return out;
    const bytes lots(64 * 1024 * 1024, 0x30);
    const auto start = clock::now();
    co_await write_for(*r.s, lots, out.write_ec, 300ms);
    out.elapsed = clock::now() - start;
    co_await r.s->close();
    co_return out;
}

TEST_F(failure_test, write_for_times_out_when_the_peer_does_not_read) {
    silent_server server(io);
    const auto out =
        run(io, write_to_a_silent_peer(make_url(scheme::mqtt, "127.0.0.1", server.port())));
    ASSERT_FALSE(out.connect_ec) << out.connect_ec.message();
    EXPECT_EQ(out.write_ec, transport_errc::timeout) << out.write_ec.message();
    EXPECT_GE(out.elapsed, 300ms);
    EXPECT_LT(out.elapsed, 1300ms);
}

asio::awaitable<std::error_code> read_into_nothing(broker_url url) {
    auto r = co_await transport::connect(url, tls_options(), 2s);
    if (!r.s)
        co_return r.ec;
    std::error_code ec;
    co_await r.s->read_some({}, ec);
    co_await r.s->close();
    co_return ec;
}

TEST_F(failure_test, read_some_wants_room_for_a_byte) {
    echo_server server(io, "127.0.0.1");
    const auto ec = run(io, read_into_nothing(make_url(scheme::mqtt, "127.0.0.1", server.port())));
    EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
}

asio::awaitable<read_outcome> echo_once(broker_url url) {
    auto r = co_await transport::connect(url, {}, 2s);
    if (!r.s)
        co_return read_outcome{{}, r.ec, r.message};
    std::error_code ec;
    co_await r.s->write(connect_packet, ec);
    auto out = co_await read_exactly(*r.s, connect_packet.size());
    co_await r.s->close();
    co_return out;
}

TEST_F(failure_test, connects_to_an_ipv6_literal) {
    std::unique_ptr<echo_server> server;
    try {
        server = std::make_unique<echo_server>(io, "::1");
    } catch (const boost::system::system_error& e) {
        GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
    }
    std::string error;
    const auto url = parse_broker_url("mqtt://[::1]:" + std::to_string(server->port()), error);
    ASSERT_TRUE(url) << error;
    const auto out = run(io, echo_once(*url));
    EXPECT_FALSE(out.ec) << out.message;
    EXPECT_EQ(out.data, connect_packet);
}

}  // namespace
}  // namespace harness::transport::testing
