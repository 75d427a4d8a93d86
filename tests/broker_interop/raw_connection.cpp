// A raw TCP connection for the broker interop tests: POSIX sockets, poll() with deadlines, and
// the codec to frame and decode what the broker answers.
#include "raw_connection.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "support/loopback.hpp"

namespace harness::broker_interop {

using steady = std::chrono::steady_clock;

raw_connection::raw_connection(std::uint16_t port, int receive_buffer) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0)
        throw std::system_error(errno, std::generic_category(), "socket");
    if (receive_buffer > 0) {
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
        // A window smaller than loopback's 64 KB segment size: the receiver would never
        // advertise a reopened window (sender-side silly-window avoidance), and the flow would
        // resume only on the broker's zero-window probes, seconds apart once backed off. Small
        // segments keep the window updates coming when the reader reads again.
        const int segment = 1024;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_MAXSEG, &segment, sizeof segment);
    }
    const sockaddr_in address = test_support::loopback(port);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const int e = errno;
        ::close(fd_);
        throw std::system_error(e, std::generic_category(), "connect to the broker");
    }
}

raw_connection::~raw_connection() {
    if (fd_ >= 0)
        ::close(fd_);
}

bool raw_connection::send(std::span<const std::uint8_t> bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            error_ = std::string("send: ") + std::strerror(errno);
            return false;
        }
        bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
    return true;
}

bool raw_connection::send(const codec::packet& p, codec::protocol_version version) {
    return send(codec::encode(p, version));
}

bool raw_connection::read_some(steady::time_point deadline) {
    if (closed_)
        return false;
    const auto now = steady::now();
    if (now >= deadline)
        return false;
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(wait.count()));
    if (ready < 0 && errno == EINTR)
        return true;  // try again; the deadline still bounds the caller's loop
    if (ready <= 0)
        return false;
    std::uint8_t buffer[16 * 1024];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) {
        if (n < 0 && errno == EINTR)
            return true;
        if (n < 0)
            error_ = std::string("recv: ") + std::strerror(errno);
        closed_ = true;  // end of stream, or reset
        return false;
    }
    bytes_read_ += static_cast<std::size_t>(n);
    reader_.feed(std::span<const std::uint8_t>(buffer, static_cast<std::size_t>(n)));
    return true;
}

std::optional<codec::packet> raw_connection::next_buffered() {
    auto f = reader_.next();
    if (!f) {
        error_ = "framing: " + f.error().message;
        return std::nullopt;
    }
    if (!*f)
        return std::nullopt;
    auto p = codec::decode_body(**f, version_);
    if (!p) {
        error_ = "decoding: " + p.error().message;
        return std::nullopt;
    }
    return std::move(*p);
}

std::optional<codec::packet> raw_connection::receive(std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    for (;;) {
        if (auto p = next_buffered())
            return p;
        if (!error_.empty() || !read_some(deadline))
            return std::nullopt;
    }
}

bool raw_connection::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    while (!closed_) {
        if (!read_some(deadline) && !closed_)
            break;  // timed out
    }
    while (auto p = next_buffered())
        received_.push_back(std::move(*p));
    return closed_;
}

void raw_connection::handshake(codec::protocol_version version, const std::string& client_id,
                               std::uint16_t keep_alive) {
    version_ = version;
    reader_.set_protocol(version);
    codec::connect c;
    c.version = version;
    c.client_id = client_id;
    c.keep_alive = keep_alive;
    ASSERT_TRUE(send(c, version)) << error_;
    const auto ack = receive(std::chrono::milliseconds{10'000});
    ASSERT_TRUE(ack.has_value()) << "no CONNACK for " << client_id << ": " << error_;
    ASSERT_TRUE(std::holds_alternative<codec::connack>(*ack))
        << "got " << codec::to_string(codec::type_of(*ack)) << " instead of CONNACK";
    ASSERT_EQ(std::get<codec::connack>(*ack).reason_code, codec::connack_reason::success);
}

std::vector<std::uint8_t> bytes_of(std::string_view text) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == ' ') {
            ++i;
        } else if (text[i] == '\'') {
            const std::size_t end = text.find('\'', i + 1);
            for (std::size_t k = i + 1; k < end; ++k)
                out.push_back(static_cast<std::uint8_t>(text[k]));
            i = end + 1;
        } else {
            out.push_back(
                static_cast<std::uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
            i += 2;
        }
    }
    return out;
}

}  // namespace harness::broker_interop
