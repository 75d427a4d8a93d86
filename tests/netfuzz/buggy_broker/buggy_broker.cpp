// A deliberately buggy MQTT broker, the proof that the network fuzzer finds what it must. It is
// functional enough for well-formed sessions (CONNECT, SUBSCRIBE, UNSUBSCRIBE, PUBLISH at every
// QoS with delivery at QoS 0 to other clients, PINGREQ, DISCONNECT) and has three planted bugs,
// each enabled by a flag (no flag: all three):
//   --crash  a CONNACK, SUBACK, UNSUBACK or PINGRESP from a connected client: a write through a
//            null pointer (SIGSEGV) in handle_server_only_packet;
//   --hang   a PUBLISH whose topic name has more than 8 levels: the broker stops serving anything
//            forever, without using CPU (hang_forever);
//   --leak   every UNSUBSCRIBE leaks 1 MiB (leak_memory); past --memory-limit MiB (default 64)
//            the broker aborts, as a process killed for its memory use would end.
// Single-threaded: a poll() loop over non-blocking sockets on 127.0.0.1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/codec/codec.hpp"
#include "harness/codec/topic.hpp"
#include "planted_bugs.hpp"

namespace buggy {

namespace {

using harness::codec::packet_type;
using harness::codec::protocol_version;
namespace codec = harness::codec;

constexpr std::uint32_t max_packet_size = 1u << 20;
constexpr std::size_t max_pending_output = 4u << 20;  // a client that does not read is dropped
constexpr std::size_t max_connections = 256;
constexpr std::size_t hang_levels = 8;  // a topic name with more levels hangs the broker

struct options {
    int port = 1883;
    bool crash = false;
    bool hang = false;
    bool leak = false;
    std::size_t memory_limit_mib = 64;
};

struct connection {
    explicit connection(int f) : fd(f) {}
    ~connection() { ::close(fd); }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    int fd;
    codec::frame_reader reader{max_packet_size};
    protocol_version version = protocol_version::v5;
    bool connected = false;
    bool dead = false;  // closed at the end of the loop iteration
    std::vector<std::pair<std::string, codec::qos>> subscriptions;
    std::vector<std::uint8_t> output;
};

class broker {
  public:
    explicit broker(const options& o) : options_(o) {}
    int run(int listener);

  private:
    void accept_all(int listener);
    void read_from(connection& c);
    void write_to(connection& c);
    void on_frame(connection& c, const codec::frame& f);
    void on_packet(connection& c, codec::packet& p);
    void route(const connection& from, const codec::publish& message);
    void send(connection& c, const codec::packet& p);

    options options_;
    std::vector<std::unique_ptr<connection>> connections_;
    std::vector<void*> leaked_;
};

std::size_t topic_levels(std::string_view topic) {
    return static_cast<std::size_t>(std::count(topic.begin(), topic.end(), '/')) + 1;
}

template <class Ack>
Ack acknowledgement(std::uint16_t packet_id) {
    Ack ack;
    ack.packet_id = packet_id;
    return ack;
}

bool server_only(packet_type type) {
    return type == packet_type::connack || type == packet_type::suback ||
           type == packet_type::unsuback || type == packet_type::pingresp;
}

int broker::run(int listener) {
    std::vector<pollfd> fds;
    for (;;) {
        fds.clear();
        fds.push_back({listener, POLLIN, 0});
        for (const auto& c : connections_) {
            const short events = c->output.empty() ? POLLIN : POLLIN | POLLOUT;
            fds.push_back({c->fd, events, 0});
        }
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            std::perror("buggy_broker: poll");
            return 1;
        }
        // Connections accepted below come after the polled ones: fds[i + 1] is connections_[i].
        const std::size_t polled = fds.size() - 1;
        for (std::size_t i = 0; i < polled; ++i) {
            connection& c = *connections_[i];
            const short revents = fds[i + 1].revents;
            if (!c.dead && (revents & (POLLIN | POLLHUP | POLLERR)) != 0)
                read_from(c);
            if (!c.dead && (revents & POLLOUT) != 0)
                write_to(c);
        }
        if ((fds[0].revents & POLLIN) != 0)
            accept_all(listener);
        std::erase_if(connections_, [](const auto& c) { return c->dead; });
    }
}

void broker::accept_all(int listener) {
    for (;;) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;  // EAGAIN, or out of descriptors: the next poll tries again
        if (connections_.size() >= max_connections) {
            ::close(fd);
            continue;
        }
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        connections_.push_back(std::make_unique<connection>(fd));
    }
}

void broker::read_from(connection& c) {
    std::uint8_t buffer[65536];
    const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) {
        c.dead = true;
        return;
    }
    c.reader.feed(std::span<const std::uint8_t>(buffer, static_cast<std::size_t>(n)));
    while (!c.dead) {
        auto next = c.reader.next();
        if (!next || !*next) {
            c.dead = !next;  // malformed framing (or too large): close
            break;
        }
        on_frame(c, **next);
    }
    if (!c.dead)
        write_to(c);
}

void broker::write_to(connection& c) {
    while (!c.output.empty()) {
        const ssize_t n = ::send(c.fd, c.output.data(), c.output.size(), MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            c.dead = true;
            return;
        }
        c.output.erase(c.output.begin(), c.output.begin() + n);
    }
}

void broker::send(connection& c, const codec::packet& p) {
    if (codec::encode(p, c.version, c.output) || c.output.size() > max_pending_output)
        c.dead = true;
}

void broker::on_frame(connection& c, const codec::frame& f) {
    if (c.connected && server_only(f.type())) {
        if (options_.crash)
            handle_server_only_packet(f.type());
        c.dead = true;  // a protocol error
        return;
    }
    codec::packet p;
    codec::decode_error error;
    if (!codec::decode_body(f, c.version, p, error)) {
        c.dead = true;  // malformed
        return;
    }
    on_packet(c, p);
}

void broker::on_packet(connection& c, codec::packet& p) {
    if (auto* connect = std::get_if<codec::connect>(&p)) {
        if (c.connected) {
            c.dead = true;  // a second CONNECT
            return;
        }
        c.connected = true;
        c.version = connect->version;
        c.reader.set_protocol(c.version);
        send(c, codec::connack{});
        return;
    }
    if (!c.connected) {
        c.dead = true;  // the first packet must be CONNECT
        return;
    }
    if (auto* publish = std::get_if<codec::publish>(&p)) {
        if (options_.hang && topic_levels(publish->topic) > hang_levels)
            hang_forever();
        if (publish->qos == codec::qos::at_least_once)
            send(c, acknowledgement<codec::puback>(publish->packet_id));
        else if (publish->qos == codec::qos::exactly_once)
            send(c, acknowledgement<codec::pubrec>(publish->packet_id));
        route(c, *publish);
    } else if (auto* subscribe = std::get_if<codec::subscribe>(&p)) {
        codec::suback ack;
        ack.packet_id = subscribe->packet_id;
        for (const auto& s : subscribe->subscriptions) {
            std::erase_if(c.subscriptions,
                          [&](const auto& e) { return e.first == s.topic_filter; });
            c.subscriptions.emplace_back(s.topic_filter, s.max_qos);
            ack.reason_codes.push_back(static_cast<codec::suback_reason>(s.max_qos));
        }
        send(c, ack);
    } else if (auto* unsubscribe = std::get_if<codec::unsubscribe>(&p)) {
        if (options_.leak)
            leak_memory(leaked_, options_.memory_limit_mib);
        codec::unsuback ack;
        ack.packet_id = unsubscribe->packet_id;
        for (const auto& filter : unsubscribe->topic_filters) {
            const auto removed =
                std::erase_if(c.subscriptions, [&](const auto& e) { return e.first == filter; });
            if (c.version == protocol_version::v5)
                ack.reason_codes.push_back(removed > 0
                                               ? codec::unsuback_reason::success
                                               : codec::unsuback_reason::no_subscription_existed);
        }
        send(c, ack);
    } else if (auto* pubrel = std::get_if<codec::pubrel>(&p)) {
        send(c, acknowledgement<codec::pubcomp>(pubrel->packet_id));
    } else if (std::holds_alternative<codec::pingreq>(p)) {
        send(c, codec::pingresp{});
    } else if (std::holds_alternative<codec::puback>(p) ||
               std::holds_alternative<codec::pubrec>(p) ||
               std::holds_alternative<codec::pubcomp>(p)) {
        // acknowledgements of nothing: deliveries are QoS 0
    } else {
        c.dead = true;  // DISCONNECT, AUTH, and server-only packets before CONNECT was answered
    }
}

void broker::route(const connection& from, const codec::publish& message) {
    if (message.topic.empty())
        return;  // a topic alias alone: none were allowed
    for (const auto& c : connections_) {
        if (c.get() == &from || c->dead || !c->connected)
            continue;
        const bool matches = std::any_of(
            c->subscriptions.begin(), c->subscriptions.end(),
            [&](const auto& s) { return codec::topic_matches(s.first, message.topic); });
        if (!matches)
            continue;
        codec::publish out;
        out.topic = message.topic;
        out.payload = message.payload;
        send(*c, out);
    }
}

int usage(const char* error) {
    std::fprintf(stderr,
                 "buggy_broker: %s\nusage: buggy_broker --port P [--crash] [--hang] [--leak] "
                 "[--memory-limit MiB]\n",
                 error);
    return 2;
}

bool parse_number(const char* text, long max, long& out) {
    char* end = nullptr;
    errno = 0;
    const long value = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 0 || value > max)
        return false;
    out = value;
    return true;
}

int listen_on(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd, SOMAXCONN) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

int main_impl(int argc, char** argv) {
    options o;
    bool any_bug = false;
    bool have_port = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        long value = 0;
        if (arg == "--crash") {
            o.crash = any_bug = true;
        } else if (arg == "--hang") {
            o.hang = any_bug = true;
        } else if (arg == "--leak") {
            o.leak = any_bug = true;
        } else if (arg == "--port" && i + 1 < argc) {
            if (!parse_number(argv[++i], 65535, value))
                return usage("--port needs a number from 0 to 65535");
            o.port = static_cast<int>(value);
            have_port = true;
        } else if (arg == "--memory-limit" && i + 1 < argc) {
            if (!parse_number(argv[++i], 1 << 20, value))
                return usage("--memory-limit needs a number of MiB");
            o.memory_limit_mib = static_cast<std::size_t>(value);
        } else {
            return usage(("unknown or incomplete option " + std::string(arg)).c_str());
        }
    }
    if (!have_port)
        return usage("--port is required");
    if (!any_bug)
        o.crash = o.hang = o.leak = true;

    const int listener = listen_on(o.port);
    if (listener < 0) {
        std::perror("buggy_broker: cannot listen");
        return 1;
    }
    sockaddr_in bound{};
    socklen_t length = sizeof bound;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&bound), &length);
    std::printf("buggy_broker listening on %u\n", static_cast<unsigned>(ntohs(bound.sin_port)));
    std::fflush(stdout);
    broker b(o);
    return b.run(listener);
}

}  // namespace
}  // namespace buggy

#if defined(__SANITIZE_ADDRESS__)
// The fuzzer judges leaks by the broker's resident memory, and freed memory that ASan holds in
// its quarantine (256 MiB by default) would look leaked: a 1 MiB PUBLISH played 100 times grows
// it by about 200 MiB. A small quarantine keeps use-after-free detection and leaves the planted
// leak as the only growth. ASAN_OPTIONS still overrides it.
extern "C" const char* __asan_default_options() {
    return "quarantine_size_mb=1";
}
#endif

int main(int argc, char** argv) {
    return buggy::main_impl(argc, argv);
}
