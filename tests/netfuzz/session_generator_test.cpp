// The session generator builds what a well-behaved client sends: every step decodes to the packet
// it holds, every connection starts with a CONNECT, all protocol levels and packet types appear,
// a seed gives the same session again, and the embedded broker answers generated sessions
// without closing a connection on a protocol error.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <set>
#include <variant>

#include "harness/broker/server.hpp"
#include "harness/codec/codec.hpp"
#include "harness/netfuzz/case_executor.hpp"
#include "harness/netfuzz/session_generator.hpp"

namespace harness::netfuzz {
namespace {

TEST(SessionGenerator, EveryStepDecodesToThePacketItHolds) {
    generator_options o;
    for (std::uint64_t seed = 1; seed <= 400; ++seed) {
        fuzz_random random(seed);
        const auto c = generate_session(random, o);
        ASSERT_FALSE(c.steps.empty());
        for (const auto& s : c.steps) {
            ASSERT_TRUE(s.packet.has_value()) << "seed " << seed << ": " << s.note;
            auto decoded = codec::decode(s.bytes, s.version);
            ASSERT_TRUE(decoded) << "seed " << seed << ": " << s.note;
            EXPECT_EQ(*decoded, *s.packet) << "seed " << seed << ": " << s.note;
        }
    }
}

TEST(SessionGenerator, EveryConnectionStartsWithAConnect) {
    generator_options o;
    for (std::uint64_t seed = 1; seed <= 400; ++seed) {
        fuzz_random random(seed);
        const auto c = generate_session(random, o);
        std::set<std::uint8_t> opened;
        for (const auto& s : c.steps) {
            const bool is_connect = std::holds_alternative<codec::connect>(*s.packet);
            if (!opened.count(s.connection) || s.reconnect) {
                EXPECT_TRUE(is_connect) << "seed " << seed << ": first step of connection "
                                        << int(s.connection) << " is " << s.note;
            }
            opened.insert(s.connection);
            EXPECT_LT(s.connection, max_connections);
        }
        EXPECT_EQ(c.steps.front().connection, 0);
    }
}

TEST(SessionGenerator, CoversEveryProtocolLevelAndClientPacketType) {
    generator_options o;
    std::set<codec::protocol_version> versions;
    std::set<codec::packet_type> types;
    std::size_t multi_connection = 0;
    for (std::uint64_t seed = 1; seed <= 400; ++seed) {
        fuzz_random random(seed);
        const auto c = generate_session(random, o);
        for (const auto& s : c.steps) {
            types.insert(codec::type_of(*s.packet));
            if (const auto* con = std::get_if<codec::connect>(&*s.packet))
                versions.insert(con->version);
        }
        multi_connection += c.connections().size() > 1;
    }
    EXPECT_EQ(versions.size(), 3u);
    for (auto t :
         {codec::packet_type::connect, codec::packet_type::publish, codec::packet_type::puback,
          codec::packet_type::pubrec, codec::packet_type::pubrel, codec::packet_type::pubcomp,
          codec::packet_type::subscribe, codec::packet_type::unsubscribe,
          codec::packet_type::pingreq, codec::packet_type::disconnect})
        EXPECT_TRUE(types.count(t)) << codec::to_string(t);
    EXPECT_GT(multi_connection, 40u);
}

TEST(SessionGenerator, TheSameSeedGivesTheSameSession) {
    generator_options o;
    fuzz_random a(42), b(42), c(43);
    const auto first = generate_session(a, o);
    EXPECT_EQ(first, generate_session(b, o));
    EXPECT_NE(first, generate_session(c, o));
}

TEST(SessionGenerator, OnlyTheAllowedProtocolLevel) {
    generator_options o;
    o.allow_v3_1 = o.allow_v5 = false;
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
        fuzz_random random(seed);
        for (const auto& s : generate_session(random, o).steps)
            if (const auto* con = std::get_if<codec::connect>(&*s.packet)) {
                EXPECT_EQ(con->version, codec::protocol_version::v3_1_1);
            }
    }
}

TEST(SessionGenerator, TheEmbeddedBrokerAnswersGeneratedSessions) {
    broker::embedded_broker b;
    execution_options x;
    x.url.host = "127.0.0.1";
    x.url.port = b.port();
    x.answer_timeout = std::chrono::milliseconds(2'000);
    generator_options o;
    std::size_t connacks = 0;
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
        fuzz_random random(seed);
        const auto c = generate_session(random, o);
        boost::asio::io_context io;
        auto f = boost::asio::co_spawn(io, execute_case(c, x), boost::asio::use_future);
        io.run();
        const auto r = f.get();
        EXPECT_FALSE(r.unreachable) << r.problem;
        EXPECT_FALSE(r.stalled) << "seed " << seed << ": " << r.shape;
        // A valid session gets no DISCONNECT for a protocol error or malformed packet.
        EXPECT_EQ(r.shape.find("DISCONNECT/82"), std::string::npos) << r.shape;
        EXPECT_EQ(r.shape.find("DISCONNECT/81"), std::string::npos) << r.shape;
        connacks += r.shape.find("CONNACK/0") != std::string::npos;
    }
    EXPECT_GT(connacks, 90u);
}

}  // namespace
}  // namespace harness::netfuzz
