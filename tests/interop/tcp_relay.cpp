// The recording relay: POSIX sockets, one thread accepting and one per relayed connection, each
// polling its two sockets and a shared stop pipe.
#include "tcp_relay.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "support/loopback.hpp"

namespace harness::interop {
namespace {

using test_support::loopback;

std::system_error last_error(const char* what) {
    return {errno, std::generic_category(), what};
}

/// Writes everything unless the peer has gone; MSG_NOSIGNAL spares us SIGPIPE.
void send_all(int fd, const std::uint8_t* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

}  // namespace

tcp_relay::tcp_relay(std::uint16_t broker_port) : broker_port_(broker_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0)
        throw last_error("relay socket");
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
        ::pipe2(stop_pipe_, O_CLOEXEC) != 0) {
        const auto error = last_error("relay listen");
        ::close(listen_fd_);
        throw error;
    }
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

tcp_relay::~tcp_relay() {
    const char stop = 1;
    while (::write(stop_pipe_[1], &stop, 1) < 0 && errno == EINTR) {
    }
    acceptor_.join();  // after this, nobody adds workers
    for (auto& worker : workers_)
        worker.join();
    ::close(listen_fd_);
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
}

bool tcp_relay::wait_until(const capture_predicate& done, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return done(connections_); });
}

std::vector<captured_connection> tcp_relay::captures() const {
    const std::lock_guard lock(mutex_);
    return connections_;
}

void tcp_relay::accept_loop() {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    while (true) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (fds[1].revents != 0)
            return;
        if (fds[0].revents == 0)
            continue;
        const int client_fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client_fd < 0)
            continue;
        std::size_t index = 0;
        {
            const std::lock_guard lock(mutex_);
            index = connections_.size();
            connections_.emplace_back();
        }
        changed_.notify_all();
        workers_.emplace_back([this, index, client_fd] { relay(index, client_fd); });
    }
}

void tcp_relay::relay(std::size_t index, int client_fd) {
    const int broker_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in broker = loopback(broker_port_);
    if (broker_fd < 0 ||
        ::connect(broker_fd, reinterpret_cast<const sockaddr*>(&broker), sizeof broker) != 0) {
        if (broker_fd >= 0)
            ::close(broker_fd);
        ::close(client_fd);
        {
            const std::lock_guard lock(mutex_);
            connections_[index].broker_connect_failed = true;
            connections_[index].closed = true;
        }
        changed_.notify_all();
        return;
    }

    // fds[0] reads the client, fds[1] the broker; an ended direction gets fd -1, which poll()
    // skips, and its end-of-file is passed on as a half-close.
    pollfd fds[3] = {{client_fd, POLLIN, 0}, {broker_fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    const int peer_of[2] = {broker_fd, client_fd};
    const direction dir_of[2] = {direction::to_broker, direction::to_client};
    std::uint8_t buffer[16384];
    bool stopped = false;
    while (!stopped && (fds[0].fd >= 0 || fds[1].fd >= 0)) {
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        stopped = fds[2].revents != 0;
        for (int i = 0; i < 2 && !stopped; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0)
                continue;
            const ssize_t n = ::recv(fds[i].fd, buffer, sizeof buffer, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n > 0) {
                const auto size = static_cast<std::size_t>(n);
                record(index, dir_of[i], buffer, size);
                send_all(peer_of[i], buffer, size);
            } else {
                ::shutdown(peer_of[i], SHUT_WR);
                fds[i].fd = -1;
            }
        }
    }
    ::close(client_fd);
    ::close(broker_fd);
    if (!stopped) {
        {
            const std::lock_guard lock(mutex_);
            connections_[index].closed = true;
        }
        changed_.notify_all();
    }
}

void tcp_relay::record(std::size_t index, direction dir, const std::uint8_t* data,
                       std::size_t size) {
    {
        const std::lock_guard lock(mutex_);
        auto& connection = connections_[index];
        auto& bytes =
            dir == direction::to_broker ? connection.client_to_broker : connection.broker_to_client;
        bytes.insert(bytes.end(), data, data + size);
    }
    changed_.notify_all();
}

}  // namespace harness::interop
