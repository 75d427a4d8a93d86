// MQTT over WebSocket as the broker's ws listener sees it from a bare Boost.Beast synchronous
// client: the 101 response selects sub-protocol "mqtt" (and a client offering none is accepted
// without one); WebSocket frames and messages are only a byte stream to MQTT, so a packet split
// across frames or messages and several packets in one frame are all read; a plain HTTP GET gets
// a 4xx and does not disturb the listener; a text frame or a close frame ends the connection,
// and a connection ended without DISCONNECT (text frame, close frame or TCP drop) publishes the
// client's will to a subscriber on the same broker's TCP listener. Every connection is bounded by a
// watchdog that shuts its socket down (Asio's synchronous reads ignore SO_RCVTIMEO).
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "harness/broker/server.hpp"
#include "harness/codec/codec.hpp"
#include "peers.hpp"
#include "raw_connection.hpp"

namespace harness::broker_interop {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using bytes = std::vector<std::uint8_t>;
constexpr auto v5 = codec::protocol_version::v5;

/// Shuts `fd` down when `limit` passes before disarm() or destruction, so that a blocking call
/// on it returns (with an error) instead of hanging the test.
class watchdog {
  public:
    watchdog(int fd, std::chrono::milliseconds limit)
        : thread_([this, fd, limit] {
              std::unique_lock lock(mutex_);
              if (!cv_.wait_for(lock, limit, [this] { return done_; })) {
                  expired_ = true;
                  ::shutdown(fd, SHUT_RDWR);
              }
          }) {}
    ~watchdog() { disarm(); }
    watchdog(const watchdog&) = delete;
    watchdog& operator=(const watchdog&) = delete;

    void disarm() {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable())
            thread_.join();
    }
    bool expired() const { return expired_; }

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool done_ = false;
    std::atomic<bool> expired_ = false;
    std::thread thread_;  // last: starts once the rest is initialised
};

tcp::socket connect_tcp(asio::io_context& io, std::uint16_t port) {
    tcp::socket s(io);
    s.connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port));
    s.set_option(tcp::no_delay(true));  // each small frame goes out at once
    return s;
}

/// A synchronous WebSocket client on 127.0.0.1:port, path /mqtt, binary messages; MQTT packets
/// in and out through the codec. At most `step` for its whole life.
class ws_client {
  public:
    /// Connects and upgrades, offering `offered` as Sec-WebSocket-Protocol (no header when
    /// empty); see upgrade_error() and response().
    explicit ws_client(std::uint16_t port, std::string offered = "mqtt")
        : ws_(connect_tcp(io_, port)), guard_(ws_.next_layer().native_handle(), step) {
        ws_.set_option(websocket::stream_base::decorator([offered](websocket::request_type& r) {
            if (!offered.empty())
                r.set(http::field::sec_websocket_protocol, offered);
        }));
        ws_.handshake(response_, "127.0.0.1:" + std::to_string(port), "/mqtt", upgrade_error_);
        ws_.binary(true);
        ws_.auto_fragment(false);  // one frame per write() or write_some()
        reader_.set_protocol(v5);
    }

    const beast::error_code& upgrade_error() const { return upgrade_error_; }
    const websocket::response_type& response() const { return response_; }

    /// One message of `data`; false when the write failed.
    bool send(const bytes& data) {
        ws_.write(asio::buffer(data), error_);
        return !error_;
    }
    /// One text message (MQTT allows binary ones only).
    bool send_text(const bytes& data) {
        ws_.text(true);
        ws_.write(asio::buffer(data), error_);
        ws_.binary(true);
        return !error_;
    }
    /// One message, one frame per part.
    bool send_frames(const std::vector<bytes>& parts) {
        for (std::size_t i = 0; i < parts.size() && !error_; ++i)
            ws_.write_some(i + 1 == parts.size(), asio::buffer(parts[i]), error_);
        return !error_;
    }

    /// The next MQTT packet, reading messages as needed; nullopt on a read error (see error()),
    /// the watchdog, or bytes that do not decode.
    std::optional<codec::packet> receive() {
        for (;;) {
            auto f = reader_.next();
            if (!f) {
                failure_ = "framing: " + f.error().message;
                return std::nullopt;
            }
            if (*f) {
                auto p = codec::decode_body(**f, v5);
                if (!p) {
                    failure_ = "decoding: " + p.error().message;
                    return std::nullopt;
                }
                return std::move(*p);
            }
            beast::flat_buffer buffer;
            ws_.read(buffer, error_);
            if (error_)
                return std::nullopt;
            const auto data = buffer.cdata();
            reader_.feed(std::span(static_cast<const std::uint8_t*>(data.data()), data.size()));
        }
    }

    /// CONNECT with `client_id` (and `will`), then the CONNACK; fails the test unless accepted.
    void handshake(const std::string& client_id,
                   std::optional<codec::will_message> will = std::nullopt) {
        codec::connect c;
        c.client_id = client_id;
        c.will = std::move(will);
        ASSERT_TRUE(send(codec::encode(c, v5))) << describe();
        const auto ack = receive();
        ASSERT_TRUE(ack && std::holds_alternative<codec::connack>(*ack)) << describe();
        EXPECT_EQ(std::get<codec::connack>(*ack).reason_code, codec::connack_reason::success);
    }

    /// A close frame (code 1000) written under Beast, so that the broker's answer is left for
    /// read(): Beast then replies, tears down and reports websocket::error::closed.
    bool send_close_frame() {
        // FIN + opcode 8, masked (key 0: the payload is as written), length 2, code 1000.
        const bytes frame = {0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8};
        asio::write(ws_.next_layer(), asio::buffer(frame), error_);
        return !error_;
    }

    /// Closes the TCP connection with neither a close frame nor DISCONNECT.
    void drop() {
        guard_.disarm();
        ws_.next_layer().close();
    }

    const beast::error_code& error() const { return error_; }
    /// The watchdog shut the socket down (which also ends Beast's teardown wait).
    bool timed_out() const { return guard_.expired(); }
    std::string describe() const {
        return "error: " + error_.message() + (failure_.empty() ? "" : ", " + failure_) +
               (guard_.expired() ? " (watchdog: no progress within 10 s)" : "");
    }

  private:
    asio::io_context io_;
    websocket::stream<tcp::socket> ws_;
    watchdog guard_;  // after ws_: disarmed before the socket closes
    websocket::response_type response_;
    beast::error_code upgrade_error_;
    beast::error_code error_;
    std::string failure_;
    codec::frame_reader reader_;
};

/// A broker with a plain MQTT listener (0) and a WebSocket listener (1).
broker::server_options tcp_and_ws() {
    broker::listener_options tcp_listener;
    broker::listener_options ws_listener;
    ws_listener.transport = broker::listener_options::protocol::websockets;
    broker::server_options o;
    o.listeners = {tcp_listener, ws_listener};
    return o;
}

class WebSocketFraming : public ::testing::Test {
  protected:
    std::uint16_t ws_port() const { return broker.port(1); }
    std::uint16_t tcp_port() const { return broker.port(0); }

    /// A CONNECT at 5.0 for `client_id`, encoded.
    static bytes connect_bytes(const std::string& client_id) {
        codec::connect c;
        c.client_id = client_id;
        return codec::encode(c, v5);
    }

    static void expect_connack(ws_client& c) {
        const auto ack = c.receive();
        ASSERT_TRUE(ack.has_value()) << c.describe();
        ASSERT_TRUE(std::holds_alternative<codec::connack>(*ack))
            << "got " << codec::to_string(codec::type_of(*ack));
        EXPECT_EQ(std::get<codec::connack>(*ack).reason_code, codec::connack_reason::success);
    }

    /// A subscriber on the TCP listener to `topic` at QoS 1.
    std::unique_ptr<raw_connection> tcp_subscriber(const std::string& topic) {
        auto sub = std::make_unique<raw_connection>(tcp_port());
        sub->handshake(v5, "tcp-subscriber");
        codec::subscribe s;
        s.packet_id = 1;
        s.subscriptions.emplace_back();
        s.subscriptions.back().topic_filter = topic;
        s.subscriptions.back().max_qos = codec::qos::at_least_once;
        EXPECT_TRUE(sub->send(s, v5)) << sub->error();
        const auto ack = sub->receive(step);
        EXPECT_TRUE(ack && std::holds_alternative<codec::suback>(*ack)) << sub->error();
        return sub;
    }

    /// A will on `topic`, payload "gone".
    static codec::will_message will_on(const std::string& topic) {
        codec::will_message w;
        w.topic = topic;
        w.payload = {'g', 'o', 'n', 'e'};
        return w;
    }

    /// The subscriber receives the will on `topic`.
    static void expect_will(raw_connection& sub, const std::string& topic) {
        const auto p = sub.receive(step);
        ASSERT_TRUE(p.has_value()) << "no will within 10 s: " << sub.error();
        ASSERT_TRUE(std::holds_alternative<codec::publish>(*p))
            << "got " << codec::to_string(codec::type_of(*p));
        EXPECT_EQ(std::get<codec::publish>(*p).topic, topic);
        EXPECT_EQ(std::get<codec::publish>(*p).payload, (bytes{'g', 'o', 'n', 'e'}));
    }

    broker::embedded_broker broker{tcp_and_ws()};
};

TEST_F(WebSocketFraming, ServerSelectsSubprotocolMqttIn101Response) {
    ws_client c(ws_port(), "mqtt");
    ASSERT_FALSE(c.upgrade_error()) << c.upgrade_error().message();
    EXPECT_EQ(c.response().result(), http::status::switching_protocols);
    EXPECT_EQ(std::string(c.response()[http::field::sec_websocket_protocol]), "mqtt")
        << c.response();
}

TEST_F(WebSocketFraming, ClientOfferingNoSubprotocolIsAcceptedWithoutOneAndServed) {
    // select_subprotocol("") is empty: no Sec-WebSocket-Protocol in the 101, the upgrade goes on.
    ws_client c(ws_port(), "");
    ASSERT_FALSE(c.upgrade_error()) << c.upgrade_error().message();
    EXPECT_EQ(c.response().result(), http::status::switching_protocols);
    EXPECT_EQ(c.response().count(http::field::sec_websocket_protocol), 0u) << c.response();
    ASSERT_TRUE(c.send(connect_bytes("no-subprotocol"))) << c.describe();
    expect_connack(c);
}

TEST_F(WebSocketFraming, ConnectSplitAcrossFramesOfOneMessageIsAnswered) {
    ws_client c(ws_port());
    ASSERT_FALSE(c.upgrade_error()) << c.upgrade_error().message();
    const auto packet = connect_bytes("split-frames");
    ASSERT_GT(packet.size(), 4u);
    const auto at = [&](std::size_t n) { return packet.begin() + static_cast<std::ptrdiff_t>(n); };
    // The fixed header's first byte alone, the rest of the header, the remainder.
    ASSERT_TRUE(
        c.send_frames({bytes(at(0), at(1)), bytes(at(1), at(4)), bytes(at(4), at(packet.size()))}))
        << c.describe();
    expect_connack(c);
}

TEST_F(WebSocketFraming, ConnectSplitAcrossTwoMessagesIsAnswered) {
    ws_client c(ws_port());
    ASSERT_FALSE(c.upgrade_error()) << c.upgrade_error().message();
    const auto packet = connect_bytes("split-messages");
    const auto half = packet.begin() + static_cast<std::ptrdiff_t>(packet.size() / 2);
    ASSERT_TRUE(c.send(bytes(packet.begin(), half))) << c.describe();
    ASSERT_TRUE(c.send(bytes(half, packet.end()))) << c.describe();
    expect_connack(c);
}

TEST_F(WebSocketFraming, ConnectSubscribeAndPublishInOneFrameAreAllAnswered) {
    ws_client c(ws_port());
    ASSERT_FALSE(c.upgrade_error()) << c.upgrade_error().message();
    const std::string topic = "ws/one-frame";
    auto all = connect_bytes("one-frame");
    codec::subscribe s;
    s.packet_id = 7;
    s.subscriptions.emplace_back();
    s.subscriptions.back().topic_filter = topic;
    const auto subscribe = codec::encode(s, v5);
    const auto publish =
        codec::encode(make_message(topic, "in one frame", codec::qos::at_most_once), v5);
    all.insert(all.end(), subscribe.begin(), subscribe.end());
    all.insert(all.end(), publish.begin(), publish.end());
    ASSERT_TRUE(c.send_frames({all})) << c.describe();

    expect_connack(c);
    const auto suback = c.receive();
    ASSERT_TRUE(suback && std::holds_alternative<codec::suback>(*suback)) << c.describe();
    EXPECT_EQ(std::get<codec::suback>(*suback).packet_id, 7);
    EXPECT_EQ(std::get<codec::suback>(*suback).reason_codes,
              std::vector<codec::suback_reason>{codec::suback_reason::granted_qos_0});
    const auto message = c.receive();
    ASSERT_TRUE(message && std::holds_alternative<codec::publish>(*message)) << c.describe();
    EXPECT_EQ(std::get<codec::publish>(*message).topic, topic);
    const std::string payload = "in one frame";
    EXPECT_EQ(std::get<codec::publish>(*message).payload, bytes(payload.begin(), payload.end()));
}

TEST_F(WebSocketFraming, PlainHttpGetGets4xxAndTheListenerKeepsServing) {
    {
        asio::io_context io;
        auto socket = connect_tcp(io, ws_port());
        watchdog guard(socket.native_handle(), step);
        http::request<http::empty_body> request(http::verb::get, "/mqtt", 11);
        request.set(http::field::host, "127.0.0.1:" + std::to_string(ws_port()));
        beast::error_code ec;
        http::write(socket, request, ec);
        ASSERT_FALSE(ec) << ec.message();
        beast::flat_buffer buffer;
        http::response<http::string_body> response;
        http::read(socket, buffer, response, ec);
        ASSERT_FALSE(ec) << ec.message() << (guard.expired() ? " (watchdog)" : "");
        EXPECT_GE(response.result_int(), 400u) << response;
        EXPECT_LT(response.result_int(), 500u) << response;
    }
    ws_client c(ws_port());
    ASSERT_FALSE(c.upgrade_error()) << c.upgrade_error().message();
    ASSERT_TRUE(c.send(connect_bytes("after-http-get"))) << c.describe();
    expect_connack(c);
}

TEST_F(WebSocketFraming, CloseFrameAfterConnectEndsTheConnectionAndPublishesTheWill) {
    const std::string topic = "ws/will/close-frame";
    auto sub = tcp_subscriber(topic);
    ASSERT_FALSE(HasFailure());
    ws_client c(ws_port());
    ASSERT_FALSE(c.upgrade_error()) << c.upgrade_error().message();
    ASSERT_NO_FATAL_FAILURE(c.handshake("closes-ws", will_on(topic)));
    ASSERT_TRUE(c.send_close_frame()) << c.describe();
    // The broker answers the close frame and closes the TCP connection (Beast's read reports
    // `closed` only after the end of the stream); no DISCONNECT came first, so the will goes out
    // (MQTT 5.0 3.1.2.5).
    EXPECT_FALSE(c.receive().has_value());
    EXPECT_TRUE(c.error() == websocket::error::closed) << c.describe();
    EXPECT_FALSE(c.timed_out()) << "the broker did not close the TCP connection";
    expect_will(*sub, topic);
}

TEST_F(WebSocketFraming, TextFrameEndsTheConnectionAndPublishesTheWill) {
    // [MQTT-6.0.0-1]: a data frame that is not binary closes the connection.
    const std::string topic = "ws/will/text-frame";
    auto sub = tcp_subscriber(topic);
    ASSERT_FALSE(HasFailure());
    ws_client c(ws_port());
    ASSERT_FALSE(c.upgrade_error()) << c.upgrade_error().message();
    ASSERT_NO_FATAL_FAILURE(c.handshake("texts-ws", will_on(topic)));
    // A QoS 0 PUBLISH: every byte below 0x80, so the frame is valid UTF-8 text (Beast would
    // refuse ill-formed text by itself) and only the frame type is wrong.
    codec::publish p;
    p.topic = "ws/text/ignored";
    p.payload = {'h', 'i'};
    ASSERT_TRUE(c.send_text(codec::encode(p, v5))) << c.describe();
    EXPECT_FALSE(c.receive().has_value()) << "the connection stayed open";
    EXPECT_FALSE(c.timed_out()) << "the broker did not close the connection";
    expect_will(*sub, topic);
}

TEST_F(WebSocketFraming, TcpDropOverWsPublishesTheWillToATcpSubscriber) {
    const std::string topic = "ws/will/drop";
    auto sub = tcp_subscriber(topic);
    ASSERT_FALSE(HasFailure());
    ws_client c(ws_port());
    ASSERT_FALSE(c.upgrade_error()) << c.upgrade_error().message();
    ASSERT_NO_FATAL_FAILURE(c.handshake("drops-tcp", will_on(topic)));
    c.drop();
    expect_will(*sub, topic);
}

}  // namespace
}  // namespace harness::broker_interop
