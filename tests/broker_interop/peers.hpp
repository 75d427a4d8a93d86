// What the broker interop tests share: the `mqtt-harness broker` binary as a child process,
// mosquitto_pub/mosquitto_sub and Python pointed at a broker, the project's async_client set up
// for a port, and a bounded way to run a coroutine to its end.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/client/async_client.hpp"
#include "support/child_process.hpp"
#include "support/run_bounded.hpp"

namespace harness::broker_interop {

using test_support::child_process;
using namespace std::chrono_literals;

/// Bound on every single wait of these tests (a process start, an output line, an exit).
inline constexpr std::chrono::milliseconds step{10'000};

/// `mqtt-harness broker -p 0 [extra]` as a child: started by the constructor, which waits for
/// the "listening on" line and reads the port from it; stopped with SIGTERM by stop() or the
/// destructor.
class broker_process {
  public:
    explicit broker_process(std::vector<std::string> extra_args = {});
    std::uint16_t port() const noexcept { return port_; }
    child_process& process() noexcept { return *process_; }
    /// A line of /proc/<pid>/status ("VmRSS", "VmHWM") in kB; nullopt when unreadable.
    std::optional<long> status_kb(const std::string& field) const;
    /// Stops the broker; its exit status.
    int stop();

  private:
    std::unique_ptr<child_process> process_;
    std::uint16_t port_ = 0;
};

/// Fails the current test (fatally) when a program the tests need is missing.
void require_program(const std::string& name);

/// `stdbuf -oL <tool> -h 127.0.0.1 -p <port> <args>`: a mosquitto client with line-buffered
/// stdout, so -d lines and messages can be waited for as they are printed.
std::unique_ptr<child_process> mosquitto_tool(const std::string& tool, std::uint16_t port,
                                              const std::vector<std::string>& args);

/// /usr/bin/python3 -B <tests/broker_interop/paho/script> <port>.
std::unique_ptr<child_process> paho_script(const std::string& script, std::uint16_t port);

/// Waits for a program to exit and returns its status; fails the test when it did not.
int finish(child_process& p, std::chrono::milliseconds timeout = step);

/// The command, stdout and stderr of a program, for failure messages.
std::string describe(const child_process& p);

/// Lines of a program's stdout, without the "Client ... sending/received" lines of -d.
std::vector<std::string> message_lines(const child_process& p);

/// Options for the project's client towards 127.0.0.1:port.
client::client_options client_options_for(
    std::uint16_t port, std::string client_id,
    codec::protocol_version version = codec::protocol_version::v5);

codec::publish make_message(std::string topic, std::string payload, codec::qos q,
                            bool retain = false);

using test_support::run_bounded;

}  // namespace harness::broker_interop
