// Starting mosquitto on free ports: mosquitto cannot listen on port 0, so we ask the kernel for
// free ports, release them and hand them over, and retry on other ports if the broker loses the
// race for one of them.
#include "support/mosquitto_broker.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "support/loopback.hpp"

namespace harness::test_support {
namespace {

constexpr int max_attempts = 3;
constexpr auto poll_interval = std::chrono::milliseconds{20};

std::vector<std::uint16_t> distinct_free_ports(std::size_t count) {
    std::vector<std::uint16_t> ports;
    while (ports.size() < count) {
        const auto port = free_port();
        if (std::find(ports.begin(), ports.end(), port) == ports.end())
            ports.push_back(port);
    }
    return ports;
}

std::string render(const mosquitto_config& config, const std::vector<std::uint16_t>& ports) {
    std::ostringstream out;
    out << "allow_anonymous " << (config.allow_anonymous ? "true" : "false") << "\n"
        << "persistence false\n"
        << "log_dest stderr\n"
        << "log_type all\n";
    // Run as root, mosquitto switches to the user "mosquitto" before it reads certificates and
    // password files, which then cannot be read from our private temporary directories.
    if (::geteuid() == 0)
        out << "user root\n";
    for (const auto& line : config.extra_lines)
        out << line << "\n";
    for (std::size_t i = 0; i < config.listeners.size(); ++i) {
        const auto& l = config.listeners[i];
        out << "\nlistener " << ports[i] << " 127.0.0.1\n";
        if (l.protocol == mosquitto_listener::kind::websockets)
            out << "protocol websockets\n";
        if (!l.certfile.empty()) {
            if (!l.cafile.empty())
                out << "cafile " << l.cafile << "\n";
            out << "certfile " << l.certfile << "\n"
                << "keyfile " << l.keyfile << "\n"
                << "require_certificate " << (l.require_certificate ? "true" : "false") << "\n";
        }
        for (const auto& line : l.extra_lines)
            out << line << "\n";
    }
    return out.str();
}

}  // namespace

std::string mosquitto_program() {
    const char* program = std::getenv("HARNESS_MOSQUITTO");
    return program != nullptr && *program != '\0' ? program : "/usr/sbin/mosquitto";
}

mosquitto_broker::mosquitto_broker(mosquitto_config config)
    : config_(std::move(config)), dir_("harness-mosquitto") {
    if (config_.listeners.empty())
        throw std::invalid_argument("mosquitto_broker needs at least one listener");
    const auto deadline = std::chrono::steady_clock::now() + config_.start_timeout;
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
        const auto ports = distinct_free_ports(config_.listeners.size());
        if (try_start(ports, deadline)) {
            ports_ = ports;
            return;
        }
    }
    throw std::runtime_error("mosquitto exited " + std::to_string(max_attempts) +
                             " times without listening:\n" + failed_log_ + "\nconfiguration:\n" +
                             configuration_);
}

mosquitto_broker::~mosquitto_broker() {
    process_.reset();  // stops the broker before dir_ goes
}

std::string mosquitto_broker::log() const {
    return process_ ? process_->errors() + process_->output() : failed_log_;
}

bool mosquitto_broker::try_start(const std::vector<std::uint16_t>& ports,
                                 std::chrono::steady_clock::time_point deadline) {
    configuration_ = render(config_, ports);
    const auto config_file = dir_.write("mosquitto.conf", configuration_);
    process_ = std::make_unique<child_process>(mosquitto_program(),
                                               std::vector<std::string>{"-c", config_file});
    // Poll until every listener answers; the pause between polls is spent waiting for the
    // broker to exit, so a broker that fails (port taken, bad config) is noticed at once.
    while (std::chrono::steady_clock::now() < deadline) {
        const bool all_listening = std::all_of(ports.begin(), ports.end(), accepts_connections);
        if (all_listening && process_->running())
            return true;
        if (process_->wait_for(poll_interval)) {
            failed_log_ += process_->errors() + process_->output();
            process_.reset();
            return false;
        }
    }
    const std::string log = process_->errors() + process_->output();
    process_.reset();
    throw std::runtime_error("mosquitto did not accept connections on every listener in time:\n" +
                             log + "\nconfiguration:\n" + configuration_);
}

}  // namespace harness::test_support
