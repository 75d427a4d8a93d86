// The deliberately buggy broker of the fuzzer's end-to-end tests, pinned over raw TCP with
// codec-encoded packets: a normal session gets real answers with every bug armed, protocol errors
// close the connection, and each planted bug (crash, hang, leak) fires exactly on its trigger and
// only when its flag enables it.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "harness/codec/codec.hpp"
#include "netfuzz_processes.hpp"
#include "support/child_process.hpp"
#include "support/loopback.hpp"

namespace {

namespace codec = harness::codec;
using codec::protocol_version;
using harness::test_support::child_process;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using netfuzz_test::buggy_broker;

/// A raw TCP client: sends encoded packets, reads whole packets with a bounded wait.
class raw_client {
  public:
    explicit raw_client(std::uint16_t port, protocol_version v = protocol_version::v5)
        : version_(v) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const sockaddr_in address = harness::test_support::loopback(port);
        if (fd_ < 0 ||
            ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
            throw std::system_error(errno, std::generic_category(), "connect");
    }
    ~raw_client() { ::close(fd_); }
    raw_client(const raw_client&) = delete;
    raw_client& operator=(const raw_client&) = delete;

    void send_bytes(const std::vector<std::uint8_t>& bytes) {
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0)
                throw std::system_error(errno, std::generic_category(), "send");
            sent += static_cast<std::size_t>(n);
        }
    }
    void send(const codec::packet& p) { send_bytes(codec::encode(p, version_)); }

    /// The next packet within `timeout`; nullopt on timeout, end of stream or a decode error
    /// (`closed()` tells which).
    std::optional<codec::packet> receive(std::chrono::milliseconds timeout = 3s) {
        const auto deadline = clock_type::now() + timeout;
        for (;;) {
            auto next = reader_.next();
            if (!next)
                return std::nullopt;
            if (*next) {
                auto p = codec::decode_body(**next, version_);
                if (!p)
                    return std::nullopt;
                return std::move(*p);
            }
            if (!wait_readable(deadline))
                return std::nullopt;
            std::uint8_t buffer[4096];
            const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n <= 0) {
                closed_ = true;
                return std::nullopt;
            }
            reader_.feed(std::span<const std::uint8_t>(buffer, static_cast<std::size_t>(n)));
        }
    }

    template <class T>
    T expect(std::chrono::milliseconds timeout = 3s) {
        auto p = receive(timeout);
        if (!p)
            throw std::runtime_error(closed_ ? "connection closed" : "no packet in time");
        if (!std::holds_alternative<T>(*p))
            throw std::runtime_error("unexpected packet type " +
                                     std::string(codec::to_string(codec::type_of(*p))));
        return std::get<T>(*p);
    }

    /// True when the broker closes the connection within `timeout` (anything it sends first is
    /// skipped).
    bool closed_within(std::chrono::milliseconds timeout) {
        const auto deadline = clock_type::now() + timeout;
        while (!closed_ && clock_type::now() < deadline) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
            receive(left);
        }
        return closed_;
    }

    /// CONNECT (clean, client id `id`) and its CONNACK.
    codec::connack connect(const std::string& id) {
        codec::connect c;
        c.version = version_;
        c.client_id = id;
        send(c);
        return expect<codec::connack>();
    }

    bool closed() const noexcept { return closed_; }

  private:
    bool wait_readable(clock_type::time_point deadline) {
        for (;;) {
            const auto left =
                std::chrono::ceil<std::chrono::milliseconds>(deadline - clock_type::now());
            if (left.count() <= 0)
                return false;
            pollfd p{fd_, POLLIN, 0};
            const int r = ::poll(&p, 1, static_cast<int>(left.count()));
            if (r > 0)
                return true;
            if (r == 0 || errno != EINTR)
                return false;
        }
    }

    int fd_ = -1;
    protocol_version version_;
    codec::frame_reader reader_;
    bool closed_ = false;
};

codec::subscribe subscribe(std::uint16_t id, std::vector<std::pair<std::string, codec::qos>> subs) {
    codec::subscribe s;
    s.packet_id = id;
    for (auto& [filter, qos] : subs) {
        codec::subscription sub;
        sub.topic_filter = filter;
        sub.max_qos = qos;
        s.subscriptions.push_back(sub);
    }
    return s;
}

codec::unsubscribe unsubscribe(std::uint16_t id, const std::string& filter) {
    codec::unsubscribe u;
    u.packet_id = id;
    u.topic_filters.push_back(filter);
    return u;
}

codec::publish publish(const std::string& topic, codec::qos q, std::uint16_t id,
                       const std::string& payload = "x") {
    codec::publish p;
    p.topic = topic;
    p.qos = q;
    p.packet_id = id;
    p.payload.assign(payload.begin(), payload.end());
    return p;
}

template <class Ack>
Ack with_id(std::uint16_t id) {
    Ack a;
    a.packet_id = id;
    return a;
}

/// A field of /proc/<pid>/status in kB (VmRSS), or -1.
long status_kb(pid_t pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field + ":", 0) == 0)
            return std::stol(line.substr(field.size() + 1));
    }
    return -1;
}

/// User plus system CPU time of `pid` in clock ticks, from /proc/<pid>/stat.
long cpu_ticks(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // after "pid (comm) "
    std::string skip;
    for (int i = 3; i < 14; ++i)  // fields 3 .. 13
        fields >> skip;
    long utime = 0;
    long stime = 0;
    fields >> utime >> stime;
    return utime + stime;
}

/// The exit status a SIGSEGV in the broker ends with: 139 without a sanitizer; under ASan its
/// handler reports it and exits 1, or aborts (134) with abort_on_error=1 in ASAN_OPTIONS.
int expected_segv_status() {
#if defined(__SANITIZE_ADDRESS__)
    const char* env = std::getenv("ASAN_OPTIONS");
    const std::string options = env != nullptr ? env : "";
    const bool aborts = options.find("abort_on_error=1") != std::string::npos ||
                        options.find("abort_on_error=true") != std::string::npos;
    return aborts ? 134 : 1;
#else
    return 139;
#endif
}

constexpr int sigabrt_status = 128 + 6;

TEST(BuggyBroker, UsageErrorsExitWith2) {
    child_process no_port(BUGGY_BROKER, {"--crash"});
    EXPECT_EQ(no_port.wait_for(5s), 2);
    child_process unknown(BUGGY_BROKER, {"--port", "0", "--explode"});
    EXPECT_EQ(unknown.wait_for(5s), 2);
    EXPECT_NE(unknown.errors().find("usage: buggy_broker"), std::string::npos);
}

TEST(BuggyBroker, ANormalSessionGetsRealAnswersWithEveryBugArmed) {
    buggy_broker broker({});  // no flag: all three bugs on
    raw_client subscriber(broker.port);
    const auto connack = subscriber.connect("subscriber");
    EXPECT_EQ(connack.reason_code, codec::connack_reason::success);
    EXPECT_FALSE(connack.session_present);
    EXPECT_TRUE(connack.properties.empty());

    subscriber.send(
        subscribe(1, {{"t/+", codec::qos::exactly_once}, {"x/y", codec::qos::at_least_once}}));
    const auto suback = subscriber.expect<codec::suback>();
    EXPECT_EQ(suback.packet_id, 1);
    EXPECT_EQ(suback.reason_codes, (std::vector{codec::suback_reason::granted_qos_2,
                                                codec::suback_reason::granted_qos_1}));

    raw_client publisher(broker.port, protocol_version::v3_1_1);
    EXPECT_EQ(publisher.connect("publisher").reason_code, codec::connack_reason::success);
    publisher.send(publish("t/1", codec::qos::at_least_once, 7, "hello"));
    EXPECT_EQ(publisher.expect<codec::puback>().packet_id, 7);
    const auto delivered = subscriber.expect<codec::publish>();
    EXPECT_EQ(delivered.topic, "t/1");
    EXPECT_EQ(std::string(delivered.payload.begin(), delivered.payload.end()), "hello");
    EXPECT_EQ(delivered.qos, codec::qos::at_most_once);

    publisher.send(publish("x/y", codec::qos::exactly_once, 8, "q2"));
    EXPECT_EQ(publisher.expect<codec::pubrec>().packet_id, 8);
    publisher.send(with_id<codec::pubrel>(8));
    EXPECT_EQ(publisher.expect<codec::pubcomp>().packet_id, 8);
    EXPECT_EQ(subscriber.expect<codec::publish>().topic, "x/y");

    // Not to itself, not on a topic nobody subscribed: the PINGRESP comes first.
    subscriber.send(publish("t/self", codec::qos::at_least_once, 2));
    EXPECT_EQ(subscriber.expect<codec::puback>().packet_id, 2);
    publisher.send(publish("other", codec::qos::at_least_once, 9));
    EXPECT_EQ(publisher.expect<codec::puback>().packet_id, 9);
    subscriber.send(codec::pingreq{});
    subscriber.expect<codec::pingresp>();

    subscriber.send(unsubscribe(3, "t/+"));
    const auto unsuback = subscriber.expect<codec::unsuback>();
    EXPECT_EQ(unsuback.packet_id, 3);
    EXPECT_EQ(unsuback.reason_codes, std::vector{codec::unsuback_reason::success});
    publisher.send(publish("t/2", codec::qos::at_least_once, 10));
    EXPECT_EQ(publisher.expect<codec::puback>().packet_id, 10);
    subscriber.send(codec::pingreq{});
    subscriber.expect<codec::pingresp>();  // nothing delivered after the UNSUBSCRIBE

    raw_client old(broker.port, protocol_version::v3_1);
    EXPECT_EQ(old.connect("mqtt-3.1").reason_code, codec::connack_reason::success);
    old.send(codec::pingreq{});
    old.expect<codec::pingresp>();

    publisher.send(codec::disconnect{});
    EXPECT_TRUE(publisher.closed_within(3s));
    EXPECT_TRUE(broker.process->running());
}

TEST(BuggyBroker, ProtocolErrorsCloseOnlyThatConnection) {
    buggy_broker broker({});

    raw_client ping_first(broker.port);
    ping_first.send(codec::pingreq{});
    EXPECT_TRUE(ping_first.closed_within(3s));

    raw_client suback_first(broker.port);  // server-only, but before CONNECT: no crash
    suback_first.send_bytes({0x90, 0x03, 0x00, 0x01, 0x00});
    EXPECT_TRUE(suback_first.closed_within(3s));

    raw_client twice(broker.port);
    twice.connect("twice");
    codec::connect again;
    again.client_id = "twice";
    twice.send(again);
    EXPECT_TRUE(twice.closed_within(3s));

    raw_client malformed(broker.port);
    malformed.connect("malformed");
    malformed.send_bytes({0x32, 0x03, 0x00, 0x05, 0x61});  // the topic runs past the packet
    EXPECT_TRUE(malformed.closed_within(3s));

    raw_client fresh(broker.port);
    EXPECT_EQ(fresh.connect("fresh").reason_code, codec::connack_reason::success);
    EXPECT_TRUE(broker.process->running());
}

/// A server-only packet, encoded at 5.0.
std::vector<std::uint8_t> server_only_packet(codec::packet_type type) {
    switch (type) {
        case codec::packet_type::connack:
            return codec::encode(codec::connack{}, protocol_version::v5);
        case codec::packet_type::suback: {
            auto ack = with_id<codec::suback>(1);
            ack.reason_codes.push_back(codec::suback_reason::granted_qos_0);
            return codec::encode(ack, protocol_version::v5);
        }
        case codec::packet_type::unsuback: {
            auto ack = with_id<codec::unsuback>(1);
            ack.reason_codes.push_back(codec::unsuback_reason::success);
            return codec::encode(ack, protocol_version::v5);
        }
        default:
            return codec::encode(codec::pingresp{}, protocol_version::v5);
    }
}

/// A server-only packet type as a test parameter, printed by name.
struct server_only {
    codec::packet_type type;
    friend void PrintTo(const server_only& p, std::ostream* os) { *os << codec::to_string(p.type); }
};

class ServerOnlyPacket : public testing::TestWithParam<server_only> {};

TEST_P(ServerOnlyPacket, AfterConnectItCrashesTheBroker) {
    buggy_broker broker({"--crash"});
    raw_client client(broker.port);
    client.connect("crasher");
    client.send_bytes(server_only_packet(GetParam().type));
    EXPECT_EQ(broker.process->wait_for(5s), expected_segv_status()) << broker.process->errors();
#if defined(__SANITIZE_ADDRESS__)
    const std::string report = broker.process->errors();
    EXPECT_NE(report.find("AddressSanitizer: SEGV on unknown address"), std::string::npos)
        << report;
    EXPECT_NE(report.find("handle_server_only_packet"), std::string::npos) << report;
#endif
}

TEST_P(ServerOnlyPacket, WithoutCrashItOnlyClosesTheConnection) {
    buggy_broker broker({"--hang", "--leak"});
    raw_client client(broker.port);
    client.connect("closed");
    client.send_bytes(server_only_packet(GetParam().type));
    EXPECT_TRUE(client.closed_within(3s));
    raw_client fresh(broker.port);
    EXPECT_EQ(fresh.connect("fresh").reason_code, codec::connack_reason::success);
    EXPECT_TRUE(broker.process->running());
}

INSTANTIATE_TEST_SUITE_P(BuggyBroker, ServerOnlyPacket,
                         testing::Values(server_only{codec::packet_type::connack},
                                         server_only{codec::packet_type::suback},
                                         server_only{codec::packet_type::unsuback},
                                         server_only{codec::packet_type::pingresp}),
                         [](const auto& info) {
                             return std::string(codec::to_string(info.param.type));
                         });

TEST(BuggyBroker, APublishWithMoreThanEightTopicLevelsHangsItWithoutUsingCpu) {
    buggy_broker broker({"--hang"});
    raw_client client(broker.port);
    client.connect("hanger");
    client.send(publish("a/b/c/d/e/f/g/h", codec::qos::at_least_once, 1));  // 8 levels: fine
    EXPECT_EQ(client.expect<codec::puback>().packet_id, 1);
    client.send(codec::pingreq{});
    client.expect<codec::pingresp>();

    client.send(publish("a/b/c/d/e/f/g/h/i", codec::qos::at_least_once, 2));
    EXPECT_FALSE(client.receive(1s).has_value());
    EXPECT_FALSE(client.closed());
    const long ticks_before = cpu_ticks(broker.process->pid());
    raw_client fresh(broker.port);  // the kernel still accepts; the broker never answers
    codec::connect c;
    c.client_id = "fresh";
    fresh.send(c);
    EXPECT_FALSE(fresh.receive(1s).has_value());
    EXPECT_FALSE(fresh.closed());
    EXPECT_TRUE(broker.process->running());
    EXPECT_LE(cpu_ticks(broker.process->pid()) - ticks_before, 5);  // of ~100 in that second
}

TEST(BuggyBroker, WithoutHangDeepTopicsAreServed) {
    buggy_broker broker({"--crash", "--leak"});
    raw_client client(broker.port);
    client.connect("deep");
    client.send(publish("a/b/c/d/e/f/g/h/i", codec::qos::at_least_once, 1));
    EXPECT_EQ(client.expect<codec::puback>().packet_id, 1);
    client.send(publish("1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16", codec::qos::at_most_once, 0));
    client.send(codec::pingreq{});
    client.expect<codec::pingresp>();
    raw_client fresh(broker.port);
    EXPECT_EQ(fresh.connect("fresh").reason_code, codec::connack_reason::success);
}

/// VmRSS growth in kB over `count` UNSUBSCRIBEs, each answered.
long rss_growth_kb(buggy_broker& broker, raw_client& client, int count) {
    client.send(unsubscribe(1, "warm/up"));  // first-use allocations out of the measurement
    client.expect<codec::unsuback>();
    const long before = status_kb(broker.process->pid(), "VmRSS");
    for (int i = 0; i < count; ++i) {
        client.send(unsubscribe(static_cast<std::uint16_t>(i + 2), "t/" + std::to_string(i)));
        client.expect<codec::unsuback>();
    }
    return status_kb(broker.process->pid(), "VmRSS") - before;
}

TEST(BuggyBroker, EveryUnsubscribeLeaksAMebibyte) {
    buggy_broker broker({"--leak", "--memory-limit", "1024"});
    raw_client client(broker.port);
    client.connect("leaker");
    constexpr int count = 32;
    const long growth = rss_growth_kb(broker, client, count);
    EXPECT_GE(growth, count * 1024 * 9 / 10);
    EXPECT_LE(growth, count * 1024 * 3 / 2);  // ASan's shadow adds an eighth
    EXPECT_TRUE(broker.process->running());
}

TEST(BuggyBroker, WithoutLeakUnsubscribeCostsNoMemory) {
    buggy_broker broker({"--crash", "--hang"});
    raw_client client(broker.port);
    client.connect("frugal");
    EXPECT_LT(rss_growth_kb(broker, client, 32), 4 * 1024);
}

TEST(BuggyBroker, PastTheMemoryLimitItAborts) {
    buggy_broker broker({"--leak", "--memory-limit", "8"});
    raw_client client(broker.port);
    client.connect("leaker");
    for (int i = 1; i <= 8; ++i) {
        client.send(unsubscribe(static_cast<std::uint16_t>(i), "t"));
        EXPECT_EQ(client.expect<codec::unsuback>().packet_id, i);
    }
    EXPECT_TRUE(broker.process->running());
    client.send(unsubscribe(9, "t"));
    EXPECT_TRUE(client.closed_within(5s));
    EXPECT_EQ(broker.process->wait_for(5s), sigabrt_status);
    EXPECT_NE(broker.process->errors().find("out of memory: 9 MiB leaked, limit 8 MiB"),
              std::string::npos)
        << broker.process->errors();
}

}  // namespace
