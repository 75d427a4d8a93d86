// Starting mosquitto on a free port: mosquitto cannot listen on port 0, so we ask the kernel for
// a free port, release it and hand it over, and retry on another port if the broker loses the
// race for it.
#include "mosquitto_broker.hpp"
#include "tcp_relay.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace harness::interop {
namespace {

constexpr int max_attempts = 3;
constexpr auto poll_interval = std::chrono::milliseconds{20};

/// A loopback port that was free a moment ago.
std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw std::system_error(errno, std::generic_category(), "socket");
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    const bool ok = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    const int error = errno;
    ::close(fd);
    if (!ok)
        throw std::system_error(error, std::generic_category(), "bind to a free port");
    return ntohs(address.sin_port);
}

bool accepts_connections(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const sockaddr_in address = loopback(port);
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
}

std::filesystem::path make_temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "harness-interop-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    return pattern;
}

}  // namespace

std::string mosquitto_program() {
    const char* program = std::getenv("HARNESS_MOSQUITTO");
    return program != nullptr && *program != '\0' ? program : "/usr/sbin/mosquitto";
}

mosquitto_broker::mosquitto_broker(std::chrono::milliseconds timeout) : dir_(make_temp_dir()) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    try {
        for (int attempt = 0; attempt < max_attempts; ++attempt) {
            const std::uint16_t port = free_port();
            if (try_start(port, deadline)) {
                port_ = port;
                return;
            }
        }
        throw std::runtime_error("mosquitto exited " + std::to_string(max_attempts) +
                                 " times without listening:\n" + failed_log_);
    } catch (...) {
        process_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
        throw;
    }
}

mosquitto_broker::~mosquitto_broker() {
    process_.reset();  // stops the broker
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string mosquitto_broker::log() const {
    return process_ ? process_->errors() + process_->output() : failed_log_;
}

bool mosquitto_broker::try_start(std::uint16_t port,
                                 std::chrono::steady_clock::time_point deadline) {
    const auto config = dir_ / "mosquitto.conf";
    {
        std::ofstream out(config);
        out << "listener " << port << " 127.0.0.1\n"
            << "allow_anonymous true\n"
            << "persistence false\n"
            << "log_dest stderr\n"
            << "log_type all\n";
        if (!out)
            throw std::runtime_error("cannot write " + config.string());
    }
    process_ = std::make_unique<child_process>(mosquitto_program(),
                                               std::vector<std::string>{"-c", config.string()});
    // Poll until the listener answers; the pause between polls is spent waiting for the broker
    // to exit, so a broker that fails (port taken, bad config) is noticed at once.
    while (std::chrono::steady_clock::now() < deadline) {
        if (accepts_connections(port) && process_->running())
            return true;
        if (process_->wait_for(poll_interval)) {
            failed_log_ += process_->errors() + process_->output();
            process_.reset();
            return false;
        }
    }
    const std::string log = process_->errors() + process_->output();
    throw std::runtime_error("mosquitto did not accept connections on port " +
                             std::to_string(port) + " in time:\n" + log);
}

}  // namespace harness::interop
