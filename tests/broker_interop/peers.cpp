// The peers of the broker interop tests: the broker binary, mosquitto's clients, Python, and
// the project's client.
#include "peers.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/child_process.hpp"

namespace harness::broker_interop {

broker_process::broker_process(std::vector<std::string> extra_args) {
    std::vector<std::string> args = {"broker", "-p", "0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    process_ = std::make_unique<child_process>(MQTT_HARNESS_BINARY, args);
    const std::string prefix = "listening on mqtt://127.0.0.1:";
    if (!process_->wait_for_output(prefix, step) || !process_->wait_for_output("\n", step))
        throw std::runtime_error("the broker did not start: " + describe(*process_));
    const auto out = process_->output();
    port_ = static_cast<std::uint16_t>(std::stoi(out.substr(out.find(prefix) + prefix.size())));
}

std::optional<long> broker_process::status_kb(const std::string& field) const {
    std::ifstream in("/proc/" + std::to_string(process_->pid()) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with(field + ":"))
            return std::stol(line.substr(field.size() + 1));  // "VmRSS:\t  1234 kB"
    }
    return std::nullopt;
}

int broker_process::stop() {
    return process_->stop();
}

void require_program(const std::string& name) {
    ASSERT_TRUE(test_support::find_executable(name).has_value())
        << name << " not found: the broker interop tests need Debian's mosquitto-clients and "
        << "python3-paho-mqtt (apt-get install mosquitto-clients python3-paho-mqtt).";
}

std::unique_ptr<child_process> mosquitto_tool(const std::string& tool, std::uint16_t port,
                                              const std::vector<std::string>& args) {
    std::vector<std::string> all = {"-oL", tool, "-h", "127.0.0.1", "-p", std::to_string(port)};
    all.insert(all.end(), args.begin(), args.end());
    return std::make_unique<child_process>("stdbuf", all);
}

std::unique_ptr<child_process> paho_script(const std::string& script, std::uint16_t port) {
    // -B: no __pycache__ in the source tree.
    std::vector<std::string> args = {"-B", std::string(PAHO_SCRIPT_DIR) + "/" + script,
                                     std::to_string(port)};
    return std::make_unique<child_process>("/usr/bin/python3", std::move(args));
}

int finish(child_process& p, std::chrono::milliseconds timeout) {
    const auto status = p.wait_for(timeout);
    EXPECT_TRUE(status.has_value()) << "did not exit in time" << describe(p);
    return status.value_or(-1);
}

std::string describe(const child_process& p) {
    return "\n  command: " + p.command() + "\n  stdout: " + p.output() +
           "\n  stderr: " + p.errors();
}

std::vector<std::string> message_lines(const child_process& p) {
    std::vector<std::string> lines;
    std::istringstream in(p.output());
    std::string line;
    while (std::getline(in, line)) {
        if (!line.starts_with("Client ") && !line.starts_with("Subscribed (mid"))
            lines.push_back(line);
    }
    return lines;
}

client::client_options client_options_for(std::uint16_t port, std::string client_id,
                                          codec::protocol_version version) {
    client::client_options o;
    std::string error;
    o.url = *transport::parse_broker_url("mqtt://127.0.0.1:" + std::to_string(port), error);
    o.session.connect.version = version;
    o.session.connect.client_id = std::move(client_id);
    o.timeout = step;
    return o;
}

codec::publish make_message(std::string topic, std::string payload, codec::qos q, bool retain) {
    codec::publish p;
    p.topic = std::move(topic);
    p.payload.assign(payload.begin(), payload.end());
    p.qos = q;
    p.retain = retain;
    return p;
}

}  // namespace harness::broker_interop
