// The broker supervisor against real processes: a mosquitto broker started on a free port (memory
// measured), a listener that dies by SIGSEGV when told to, one that prints a sanitizer report and
// exits (with and without the report's closing line), one that prints a UBSan report and goes on
// running, start errors (timeout, early exit, missing program, no {port}), a retry after the port
// was taken, restart after a crash, stop, and the destructor leaving no process behind. The
// listeners are a small Python script that acts when a connection sends "crash" (the
// supervisor's own port probes send nothing).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <optional>
#include <string>

#include "harness/netfuzz/broker_supervisor.hpp"
#include "support/run_bounded.hpp"
#include "support/temp_dir.hpp"

namespace harness::netfuzz {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

constexpr const char* python = "/usr/bin/python3";
constexpr const char* mosquitto = "/usr/sbin/mosquitto";

bool executable(const char* path) {
    return ::access(path, X_OK) == 0;
}

void run(std::function<awaitable<void>()> body, std::chrono::seconds limit = 9s) {
    test_support::run_bounded(body, limit);
}

/// A listener on 127.0.0.1:PORT; a connection that sends "crash" makes it do ACTION: "segv"
/// (kill itself with SIGSEGV), "return" (exit 0) or "ubsan" (print a UBSan report, go on).
constexpr const char* listener_script = R"(import os, signal, socket, sys
port = int(sys.argv[1])
action = sys.argv[2]
s = socket.socket()
s.bind(("127.0.0.1", port))
s.listen(16)
print("listening on", port, flush=True)
while True:
    c, _ = s.accept()
    data = c.recv(64)
    c.close()
    if not data.startswith(b"crash"):
        continue
    if action == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif action == "return":
        sys.exit(0)
    elif action == "ubsan":
        sys.stderr.write("/src/codec/varint.cpp:55:20: runtime error: signed integer overflow: "
                         "2147483647 + 1 cannot be represented in type 'int'\n"
                         "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior "
                         "/src/codec/varint.cpp:55:20 in \n")
        sys.stderr.flush()
)";

struct fixture {
    test_support::temp_dir dir{"netfuzz-supervisor"};
    std::string script = dir.write("listener.py", listener_script);

    /// The shell words that run the listener on {port} with `action`.
    std::string listener(const std::string& action) const {
        return std::string(python) + " " + script + " {port} " + action;
    }
};

supervisor_options options(std::string command, std::chrono::milliseconds start_timeout = 5'000ms) {
    supervisor_options o;
    o.command = std::move(command);
    o.start_timeout = start_timeout;
    return o;
}

/// Runs `test`, a coroutine, with a supervisor (not yet started) for these options.
template <class Test>
void with_supervisor(supervisor_options o, Test test) {
    run([&]() -> awaitable<void> {
        broker_supervisor broker(co_await asio::this_coro::executor, std::move(o));
        co_await test(broker);
    });
}

/// Connects to 127.0.0.1:port and sends `text`; false when the connection fails.
awaitable<bool> send_to(std::uint16_t port, std::string text) {
    const auto ex = co_await asio::this_coro::executor;
    asio::ip::tcp::socket socket(ex);
    const asio::ip::tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
    const auto [connect_error] =
        co_await socket.async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
    if (connect_error)
        co_return false;
    const auto buffer = asio::buffer(text);
    const auto [write_error, n] =
        co_await asio::async_write(socket, buffer, asio::as_tuple(asio::use_awaitable));
    co_return !write_error && n == text.size();
}

/// Sends the listener its "crash" word and returns the failure the supervisor saw within 5 s
/// (expected to be one).
awaitable<std::optional<broker_failure>> make_it_fail(broker_supervisor& broker) {
    EXPECT_TRUE(co_await send_to(broker.port(), "crash"));
    auto failure = co_await broker.wait_failure(5s);
    EXPECT_TRUE(failure) << "no failure seen";
    co_return failure;
}

std::chrono::milliseconds since(clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start);
}

/// Whether process `pid` (opened as a pidfd before) has ended within `timeout`.
bool ends_within(int pidfd, std::chrono::milliseconds timeout) {
    pollfd p{};
    p.fd = pidfd;
    p.events = POLLIN;
    return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
}

#define REQUIRE_PROGRAM(path)                              \
    do {                                                   \
        if (!executable(path))                             \
            GTEST_SKIP() << (path) << " is not installed"; \
    } while (false)

// --- Starting ----------------------------------------------------------------------------------

TEST(BrokerSupervisor, StartsMosquittoOnAFreePort) {
    REQUIRE_PROGRAM(mosquitto);
    with_supervisor(
        options(std::string("exec ") + mosquitto + " -p {port}"),
        [&](broker_supervisor& broker) -> awaitable<void> {
            const auto error = co_await broker.start();
            EXPECT_EQ(error, "");
            const auto port = broker.port();
            EXPECT_NE(port, 0);
            EXPECT_TRUE(co_await send_to(port, ""));
            EXPECT_GT(broker.rss_bytes(), 0U);
            EXPECT_NE(broker.command_line().find("-p " + std::to_string(port)), std::string::npos)
                << broker.command_line();
            EXPECT_FALSE(broker.failure());
            // Stopping it is no failure.
            co_await broker.stop();
            EXPECT_FALSE(broker.failure());
            EXPECT_EQ(broker.rss_bytes(), 0U);
            EXPECT_FALSE(co_await broker.wait_failure(5s));
        });
}

TEST(BrokerSupervisor, MemoryCountsTheWholeProcessGroup) {
    REQUIRE_PROGRAM(python);
    fixture f;
    // The shell stays and runs the listener as its child: its memory must be counted too (a
    // Python interpreter holds several MiB, the shell well under one).
    auto command = f.listener("none") + "; exit 0";
    with_supervisor(options(command), [&](broker_supervisor& broker) -> awaitable<void> {
        const auto error = co_await broker.start();
        EXPECT_EQ(error, "");
        EXPECT_GT(broker.rss_bytes(), 4U * 1024 * 1024);
    });
}

TEST(BrokerSupervisor, NeverListeningIsATimeout) {
    run([]() -> awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        broker_supervisor broker(ex, options("echo starting; exec sleep 30 # {port}", 300ms));
        const auto start = clock::now();
        const auto error = co_await broker.start();
        EXPECT_GE(since(start), 300ms);
        EXPECT_LT(since(start), 5s);
        EXPECT_NE(error.find("did not accept connections on port " + std::to_string(broker.port()) +
                             " within the start timeout of 300 ms"),
                  std::string::npos)
            << error;
        EXPECT_NE(error.find("[stdout] starting"), std::string::npos) << error;
        EXPECT_NE(error.find("exec sleep 30"), std::string::npos) << error;
        EXPECT_EQ(broker.rss_bytes(), 0U);  // stopped
    });
}

TEST(BrokerSupervisor, ExitingAtOnceIsAnErrorWithStatusAndOutput) {
    run([]() -> awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        broker_supervisor broker(ex, options("echo 'bad option' >&2; exit 3 # {port}"));
        const auto error = co_await broker.start();
        EXPECT_NE(error.find("exited with status 3 before accepting connections"),
                  std::string::npos)
            << error;
        EXPECT_NE(error.find("[stderr] bad option"), std::string::npos) << error;
        const auto failure = broker.failure();
        EXPECT_TRUE(failure);
        if (failure) {
            EXPECT_EQ(failure->exit_status, 3);
        }
    });
}

TEST(BrokerSupervisor, CommandWithoutPortPlaceholderIsRefused) {
    with_supervisor(options("exec sleep 30"), [&](broker_supervisor& broker) -> awaitable<void> {
        const auto error = co_await broker.start();
        EXPECT_NE(error.find("no {port}"), std::string::npos) << error;
    });
}

TEST(BrokerSupervisor, MissingProgramShowsTheShellsMessage) {
    with_supervisor(options("exec /nonexistent/broker -p {port}"),
                    [&](broker_supervisor& broker) -> awaitable<void> {
                        const auto error = co_await broker.start();
                        EXPECT_NE(error.find("exited with status 127"), std::string::npos) << error;
                        EXPECT_NE(error.find("/nonexistent/broker"), std::string::npos) << error;
                    });
}

TEST(BrokerSupervisor, PortTakenMeanwhileIsRetriedOnAnotherPort) {
    REQUIRE_PROGRAM(python);
    fixture f;
    // The first attempt behaves as a broker whose port was taken; the second one listens.
    const auto flag = f.dir.file("tried");
    const auto command = "if [ ! -e " + flag + " ]; then : > " + flag +
                         "; echo 'Error: Address already in use' >&2; exit 1; fi; exec " +
                         f.listener("none");
    with_supervisor(options(command), [&](broker_supervisor& broker) -> awaitable<void> {
        const auto error = co_await broker.start();
        EXPECT_EQ(error, "");
        EXPECT_FALSE(broker.failure());
        EXPECT_TRUE(co_await send_to(broker.port(), "hello"));
    });
}

TEST(BrokerSupervisor, PortAlwaysTakenGivesUp) {
    run([]() -> awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        broker_supervisor broker(
            ex, options("echo 'bind: Address already in use' >&2; exit 1 # {port}"));
        const auto error = co_await broker.start();
        EXPECT_NE(error.find("exited with status 1"), std::string::npos) << error;
        EXPECT_NE(error.find("Address already in use"), std::string::npos) << error;
    });
}

// --- Failures ----------------------------------------------------------------------------------

TEST(BrokerSupervisor, DeathBySignalIsAFailure) {
    REQUIRE_PROGRAM(python);
    fixture f;
    const auto command = "ulimit -c 0; exec " + f.listener("segv");
    with_supervisor(options(command), [&](broker_supervisor& broker) -> awaitable<void> {
        const auto error = co_await broker.start();
        EXPECT_EQ(error, "");
        EXPECT_FALSE(broker.failure());
        // Nothing happens while it runs.
        EXPECT_FALSE(co_await broker.wait_failure(50ms));
        const auto failure = co_await make_it_fail(broker);
        if (!failure)
            co_return;
        EXPECT_EQ(failure->exit_status, 139);
        EXPECT_EQ(failure->sanitizer_report, "");
        EXPECT_NE(failure->log_tail.find("[stdout] listening on"), std::string::npos)
            << failure->log_tail;
        EXPECT_EQ(crash_signature(*failure), "signal SEGV");
        EXPECT_TRUE(broker.failure());
        EXPECT_EQ(broker.rss_bytes(), 0U);
    });
}

/// An AddressSanitizer report; PID and BASE stand for what changes from run to run.
constexpr const char* asan_report =
    R"(=================================================================
==PID==ERROR: AddressSanitizer: heap-use-after-free on address 0xBASE0010 at pc 0xBASEb2c3 bp 0x7ffd1234 sp 0x7ffd1228
READ of size 4 at 0xBASE0010 thread T0
    #0 0xBASEb2c2 in __interceptor_memcpy ../../../../src/libsanitizer/sanitizer_common/sanitizer_common_interceptors.inc:827
    #1 0xBASEb2c2 in buggy::handle_packet(int) /src/buggy.cpp:42:7
    #2 0xBASEc000 in buggy::serve(int) /src/buggy.cpp:88:5
    #3 0xBASEd000 in main /src/buggy.cpp:120:3
    #4 0x7f0011223344 in __libc_start_main (/lib/x86_64-linux-gnu/libc.so.6+0x2724a)

SUMMARY: AddressSanitizer: heap-use-after-free /src/buggy.cpp:42:7 in handle_packet
Shadow bytes around the buggy address:
  0x0c047fff7fb0: 00 00 00 00 fd fd
==PID==ABORTING
)";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

/// A listener that, told to crash, ends and leaves the shell to print the AddressSanitizer
/// report with process id `pid` and addresses starting `base`, then exit 1.
std::string asan_command(const fixture& f, const std::string& pid, const std::string& base) {
    const auto report = replace_all(replace_all(asan_report, "PID", pid), "BASE", base);
    return f.listener("return") + "\ncat >&2 <<'EOF'\n" + report +
           "EOF\necho after the report\nexit 1\n";
}

TEST(BrokerSupervisor, SanitizerReportIsCapturedAndSigned) {
    REQUIRE_PROGRAM(python);
    fixture f;
    std::string signatures[2];
    for (int run_number = 0; run_number < 2; ++run_number) {
        const auto command = run_number == 0 ? asan_command(f, "1234", "602000000")
                                             : asan_command(f, "98765", "5610aa0ff");
        run([&]() -> awaitable<void> {
            const auto ex = co_await asio::this_coro::executor;
            broker_supervisor broker(ex, options(command));
            const auto error = co_await broker.start();
            EXPECT_EQ(error, "");
            const auto failure = co_await make_it_fail(broker);
            if (!failure)
                co_return;
            const auto& report = failure->sanitizer_report;
            EXPECT_TRUE(report.starts_with("==" + std::string(run_number == 0 ? "1234" : "98765") +
                                           "==ERROR: AddressSanitizer: heap-use-after-free"))
                << report;
            EXPECT_NE(report.find("#2 0x"), std::string::npos) << report;
            EXPECT_NE(report.find("SUMMARY: AddressSanitizer"), std::string::npos) << report;
            EXPECT_EQ(report.find("after the report"), std::string::npos) << report;
            signatures[run_number] = crash_signature(*failure);
        });
        EXPECT_NE(signatures[run_number].find("heap-use-after-free"), std::string::npos);
    }
    EXPECT_EQ(signatures[0],
              "heap-use-after-free | buggy::handle_packet buggy.cpp:42 < buggy::serve buggy.cpp:88 "
              "< main buggy.cpp:120");
    EXPECT_EQ(signatures[0], signatures[1]);
}

TEST(BrokerSupervisor, StopAfterAReportKeepsIt) {
    REQUIRE_PROGRAM(python);
    fixture f;
    const auto command = asan_command(f, "4321", "602000000");
    with_supervisor(options(command), [&](broker_supervisor& broker) -> awaitable<void> {
        EXPECT_EQ(co_await broker.start(), "");
        EXPECT_TRUE(co_await send_to(broker.port(), "crash"));
        EXPECT_TRUE(co_await broker.wait_failure(5s));
        co_await broker.stop();
        const auto failure = broker.failure();
        EXPECT_TRUE(failure);
        if (!failure)
            co_return;
        EXPECT_NE(failure->log_tail.find("[stderr] ==4321==ERROR: AddressSanitizer"),
                  std::string::npos)
            << failure->log_tail;
        EXPECT_NE(failure->sanitizer_report.find("heap-use-after-free"), std::string::npos);
    });
}

TEST(BrokerSupervisor, ReportWithoutClosingLineEndsWithTheProcess) {
    REQUIRE_PROGRAM(python);
    fixture f;
    const auto command =
        f.listener("return") +
        "\necho '==55==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000008 "
        "(pc 0x1 bp 0x2 sp 0x3 T0)' >&2\n"
        "echo '    #0 0x55aa in parse_header /src/p.cpp:10:12' >&2\n"
        "exit 1\n";
    with_supervisor(options(command), [&](broker_supervisor& broker) -> awaitable<void> {
        EXPECT_EQ(co_await broker.start(), "");
        const auto failure = co_await make_it_fail(broker);
        if (!failure)
            co_return;
        EXPECT_EQ(failure->exit_status, 1);
        EXPECT_EQ(
            failure->sanitizer_report,
            "==55==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000008 (pc 0x1 bp "
            "0x2 sp 0x3 T0)\n    #0 0x55aa in parse_header /src/p.cpp:10:12\n");
        EXPECT_EQ(crash_signature(*failure), "SEGV on unknown address | parse_header p.cpp:10");
    });
}

TEST(BrokerSupervisor, ReportWhileStillRunningIsAFailure) {
    REQUIRE_PROGRAM(python);
    fixture f;
    const auto command = "exec " + f.listener("ubsan");
    with_supervisor(options(command), [&](broker_supervisor& broker) -> awaitable<void> {
        EXPECT_EQ(co_await broker.start(), "");
        const auto failure = co_await make_it_fail(broker);
        if (!failure)
            co_return;
        EXPECT_FALSE(failure->exit_status);  // still running
        EXPECT_TRUE(failure->sanitizer_report.starts_with(
            "/src/codec/varint.cpp:55:20: runtime error: signed integer overflow"))
            << failure->sanitizer_report;
        EXPECT_EQ(crash_signature(*failure),
                  "runtime error: signed integer overflow: + cannot be represented in type "
                  "'int' | varint.cpp:55");
        EXPECT_TRUE(co_await send_to(broker.port(), "hello"));  // it does go on
        EXPECT_GT(broker.rss_bytes(), 0U);
    });
}

// --- Restart, stop, destructor -----------------------------------------------------------------

TEST(BrokerSupervisor, RestartAfterACrashGivesANewBrokerAndClearsTheFailure) {
    REQUIRE_PROGRAM(python);
    fixture f;
    const auto command = "ulimit -c 0; exec " + f.listener("segv");
    with_supervisor(options(command), [&](broker_supervisor& broker) -> awaitable<void> {
        EXPECT_EQ(co_await broker.start(), "");
        const auto failure = co_await make_it_fail(broker);
        EXPECT_EQ(broker.rss_bytes(), 0U);

        EXPECT_EQ(co_await broker.restart(), "");
        EXPECT_FALSE(broker.failure());
        EXPECT_GT(broker.rss_bytes(), 0U);
        EXPECT_TRUE(co_await send_to(broker.port(), "hello"));
        EXPECT_FALSE(co_await broker.wait_failure(50ms));

        // And again from a healthy broker.
        EXPECT_EQ(co_await broker.restart(), "");
        EXPECT_FALSE(broker.failure());
        const auto second = co_await make_it_fail(broker);
        if (second) {
            EXPECT_EQ(second->exit_status, 139);
        }
    });
}

TEST(BrokerSupervisor, DestructorLeavesNoProcessBehind) {
    REQUIRE_PROGRAM(python);
    fixture f;
    // The shell notes its own pid (the process group's) and that of a background child.
    const auto pids = f.dir.file("pids");
    const auto command =
        "echo $$ > " + pids + "; sleep 300 & echo $! >> " + pids + "; exec " + f.listener("none");
    int leader_fd = -1;
    int child_fd = -1;
    run([&]() -> awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        {
            broker_supervisor broker(ex, options(command));
            EXPECT_EQ(co_await broker.start(), "");
            // The file was written before the listener started listening.
            std::ifstream in(pids);
            pid_t leader = 0;
            pid_t child = 0;
            in >> leader >> child;
            EXPECT_GT(leader, 0);
            EXPECT_GT(child, 0);
            leader_fd = static_cast<int>(::syscall(SYS_pidfd_open, leader, 0));
            child_fd = static_cast<int>(::syscall(SYS_pidfd_open, child, 0));
            EXPECT_GE(leader_fd, 0);
            EXPECT_GE(child_fd, 0);
            EXPECT_FALSE(ends_within(child_fd, 0ms));
        }
    });
    EXPECT_TRUE(ends_within(leader_fd, 2s));
    EXPECT_TRUE(ends_within(child_fd, 2s));
    if (leader_fd >= 0)
        ::close(leader_fd);
    if (child_fd >= 0)
        ::close(child_fd);
}

}  // namespace
}  // namespace harness::netfuzz
