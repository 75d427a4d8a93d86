// The WebSocket stream against a scripted Beast server: the upgrade request (path, Host,
// sub-protocol "mqtt"), binary frames out, and reads that cross frame and message boundaries
// in both directions: several packets in one frame, one packet over several frames or
// messages, empty messages.
#include <gtest/gtest.h>

#include "harness/transport/transport.hpp"
#include "local_servers.hpp"
#include "test_io.hpp"

namespace harness::transport::testing {
namespace {

using frames = websocket_server::frames;

/// A PUBLISH QoS 0 to "a/b" with payload "hello".
const bytes publish_packet = {0x30, 0x0a, 0x00, 0x03, 'a', '/', 'b', 'h', 'e', 'l', 'l', 'o'};

bytes slice(const bytes& b, std::size_t from, std::size_t to) {
    return bytes(b.begin() + static_cast<std::ptrdiff_t>(from),
                 b.begin() + static_cast<std::ptrdiff_t>(to));
}

class websocket_test : public ::testing::Test {
  protected:
    broker_url url_of(const websocket_server& server, const std::string& path = "/mqtt") {
        broker_url url;
        url.kind = scheme::ws;
        url.host = "127.0.0.1";
        url.port = server.port();
        url.path = path;
        return url;
    }

    boost::asio::io_context io;
};

boost::asio::awaitable<bool> close(stream& s) {
    co_await s.close();
    co_return true;
}

TEST_F(websocket_test, reads_across_frames_and_messages) {
    const std::vector<frames> script = {
        {concat(connack_packet, pingresp_packet)},                  // two packets, one frame
        {slice(publish_packet, 0, 2), slice(publish_packet, 2, 7),  // one packet, three
         slice(publish_packet, 7, publish_packet.size())},          // frames
        {{}},                                                       // an empty message
        {slice(publish_packet, 0, 3)},                              // one packet over two
        {concat(slice(publish_packet, 3, publish_packet.size()), pingresp_packet)},  // messages
    };
    const bytes expected = concat(concat(concat(connack_packet, pingresp_packet), publish_packet),
                                  concat(publish_packet, pingresp_packet));
    websocket_server server(io, "mqtt", script);
    const auto url = url_of(server, "/custom/path?x=1");

    auto r = run(io, transport::connect(url, {}, 2s));
    ASSERT_TRUE(r.s) << r.message;
    EXPECT_FALSE(run(io, write_all(*r.s, connect_packet)));
    const auto out = run(io, read_exactly(*r.s, expected.size(), 3));  // 3 bytes per read
    EXPECT_FALSE(out.ec) << out.message << " / server: " << server.seen().error;
    EXPECT_EQ(out.data, expected);
    run(io, close(*r.s));

    const auto& seen = server.seen();
    EXPECT_TRUE(seen.error.empty()) << seen.error;
    EXPECT_EQ(seen.target, "/custom/path?x=1");
    EXPECT_EQ(seen.host, "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(seen.requested_protocols, "mqtt");
    EXPECT_TRUE(seen.first_message_binary);
    EXPECT_EQ(seen.first_message, connect_packet);
    EXPECT_TRUE(seen.finished);
    EXPECT_EQ(seen.close_code, 1000) << "close() sends a normal close frame";
}

TEST_F(websocket_test, reads_a_large_message_in_pieces) {
    bytes big(100'000);
    for (std::size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<std::uint8_t>(i * 7);
    websocket_server server(io, "mqtt", {{big}});
    auto r = run(io, transport::connect(url_of(server), {}, 2s));
    ASSERT_TRUE(r.s) << r.message;
    EXPECT_FALSE(run(io, write_all(*r.s, connect_packet)));
    const auto out = run(io, read_exactly(*r.s, big.size(), 4096));
    EXPECT_FALSE(out.ec) << out.message;
    EXPECT_EQ(out.data, big);
    run(io, close(*r.s));
}

TEST_F(websocket_test, a_server_that_selects_no_subprotocol_is_refused) {
    websocket_server server(io, "", {});
    const auto url = url_of(server);
    const auto r = run(io, transport::connect(url, {}, 2s));
    EXPECT_FALSE(r.s);
    EXPECT_EQ(r.ec, transport_errc::websocket_upgrade_failed);
    EXPECT_EQ(r.message, "WebSocket upgrade to " + url.to_string() +
                             " failed: the server did not select sub-protocol mqtt "
                             "(Sec-WebSocket-Protocol: absent)");
}

TEST_F(websocket_test, a_server_that_selects_another_subprotocol_is_refused) {
    websocket_server server(io, "mqttv3.1", {});
    const auto r = run(io, transport::connect(url_of(server), {}, 2s));
    EXPECT_EQ(r.ec, transport_errc::websocket_upgrade_failed);
    EXPECT_NE(r.message.find("(Sec-WebSocket-Protocol: 'mqttv3.1')"), std::string::npos)
        << r.message;
}

}  // namespace
}  // namespace harness::transport::testing
