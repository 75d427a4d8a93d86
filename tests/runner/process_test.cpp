// Components as child processes: output captured line by line from both streams, waits for a
// line (including one printed before anyone waited), exit statuses and early-exit reports,
// stopping by signal with a grace period and SIGKILL, the process group, start errors,
// environment and working directory, the destructor leaving nothing behind, and the port probe.
// GCC 12 reports a false -Wmaybe-uninitialized inside std::function when <regex> compiles a
// pattern (GCC bug 105562); the diagnostic points into libstdc++, so it is silenced file-wide.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "harness/runner/process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "support/run_bounded.hpp"
#include "support/temp_dir.hpp"

namespace harness::runner {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

void run(awaitable<void> (*body)(), std::chrono::seconds limit = 20s) {
    test_support::run_bounded(body, limit);
}

process_spec shell(std::string command) {
    process_spec s;
    s.command.push_back(std::move(command));
    s.shell = true;
    return s;
}

process_spec program(std::vector<std::string> argv) {
    process_spec s;
    s.command = std::move(argv);
    return s;
}

/// Whether `fd` (a pidfd) becomes readable, i.e. its process ends, within `timeout`.
bool ends_within(int pidfd, std::chrono::milliseconds timeout) {
    pollfd p{};
    p.fd = pidfd;
    p.events = POLLIN;
    return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
}

int open_pidfd(pid_t pid) {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

std::chrono::milliseconds since(clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start);
}

// --- Output ------------------------------------------------------------------------------------

awaitable<void> lines_from_both_streams_are_captured_in_order() {
    const auto ex = co_await asio::this_coro::executor;
    process p(ex, shell("echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three; printf four"));
    std::vector<std::string> seen;
    p.on_line([&](const output_line& l) { seen.push_back(l.text); });
    const auto error = p.start();
    EXPECT_FALSE(error) << error.message;
    EXPECT_EQ(co_await p.wait_exit(), 0);
    // The exit is reported after what was written before it has been read.
    const auto lines = p.lines();
    EXPECT_EQ(lines.size(), 4U);
    if (lines.size() != 4U)
        co_return;
    EXPECT_EQ(lines[0].text, "one");
    EXPECT_EQ(lines[0].stream, output_stream::out);
    EXPECT_EQ(lines[1].text, "two");
    EXPECT_EQ(lines[1].stream, output_stream::err);
    EXPECT_EQ(lines[2].text, "three");
    EXPECT_EQ(lines[3].text, "four");  // the unfinished last line, flushed at EOF
    for (std::size_t k = 0; k < lines.size(); ++k)
        EXPECT_EQ(lines[k].index, k);
    EXPECT_LE(lines[0].at, lines[1].at);
    EXPECT_EQ(seen, (std::vector<std::string>{"one", "two", "three", "four"}));
    EXPECT_EQ(p.log_text(), "[stdout] one\n[stderr] two\n[stdout] three\n[stdout] four\n");
}

TEST(Process, LinesFromBothStreamsAreCapturedInOrder) {
    run(lines_from_both_streams_are_captured_in_order);
}

awaitable<void> log_keeps_the_last_lines_and_counts_dropped_ones() {
    const auto ex = co_await asio::this_coro::executor;
    auto spec = program({"seq", "1", "1000"});
    spec.max_log_lines = 100;
    process p(ex, spec);
    const auto error = p.start();
    EXPECT_FALSE(error) << error.message;
    EXPECT_EQ(co_await p.wait_exit(), 0);
    const auto lines = p.lines();
    EXPECT_EQ(lines.size(), 100U);
    EXPECT_EQ(p.dropped_lines(), 900U);
    if (!lines.empty()) {
        EXPECT_EQ(lines.front().text, "901");
        EXPECT_EQ(lines.back().text, "1000");
    }
    EXPECT_EQ(p.log_text(2), "[... 998 earlier lines not shown]\n[stdout] 999\n[stdout] 1000\n");
}

TEST(Process, LogKeepsTheLastLinesAndCountsDroppedOnes) {
    run(log_keeps_the_last_lines_and_counts_dropped_ones);
}

awaitable<void> overlong_line_is_cut_into_pieces() {
    const auto ex = co_await asio::this_coro::executor;
    process p(ex, shell("head -c 70000 /dev/zero | tr '\\0' a"));
    const auto error = p.start();
    EXPECT_FALSE(error) << error.message;
    EXPECT_EQ(co_await p.wait_exit(), 0);
    co_await p.stop(SIGTERM, 1s);  // also waits for the output to close
    const auto lines = p.lines();
    EXPECT_EQ(lines.size(), 2U);
    if (lines.size() == 2U) {
        EXPECT_EQ(lines[0].text, std::string(64 * 1024, 'a'));
        EXPECT_EQ(lines[1].text, std::string(70000 - 64 * 1024, 'a'));
    }
}

TEST(Process, OverlongLineIsCutIntoPieces) {
    run(overlong_line_is_cut_into_pieces);
}

awaitable<void> line_printed_before_waiting_is_still_found() {
    const auto ex = co_await asio::this_coro::executor;
    process p(ex, shell("echo 'listening on 1883'; echo second; sleep 30"));
    const auto error = p.start();
    EXPECT_FALSE(error) << error.message;
    // Once "second" is in, the readiness line before it has been read too.
    EXPECT_TRUE(co_await p.wait_for_line(std::regex("^second$"), 5s));
    const auto found = co_await p.wait_for_line(std::regex("listening on [0-9]+"), 0ms);
    EXPECT_TRUE(found);
    if (found) {
        EXPECT_EQ(found->text, "listening on 1883");
        EXPECT_EQ(found->index, 0U);
    }
    // From the cursor on, the lines already read do not count.
    EXPECT_FALSE(co_await p.wait_for_line(std::regex("listening"), 50ms, p.line_cursor()));
    EXPECT_EQ(co_await p.stop(SIGTERM, 2s), 128 + SIGTERM);
}

TEST(Process, LinePrintedBeforeWaitingIsStillFound) {
    run(line_printed_before_waiting_is_still_found);
}

awaitable<void> wait_for_line_times_out_when_the_line_never_comes() {
    const auto ex = co_await asio::this_coro::executor;
    process p(ex, shell("echo hello; sleep 30"));
    const auto error = p.start();
    EXPECT_FALSE(error) << error.message;
    const auto start = clock::now();
    EXPECT_FALSE(co_await p.wait_for_line(std::regex("ready"), 300ms));
    EXPECT_GE(since(start), 300ms);
    EXPECT_TRUE(p.running());
    co_await p.stop(SIGTERM, 2s);
}

TEST(Process, WaitForLineTimesOutWhenTheLineNeverComes) {
    run(wait_for_line_times_out_when_the_line_never_comes);
}

awaitable<void> wait_for_line_gives_up_at_once_when_the_output_ends() {
    const auto ex = co_await asio::this_coro::executor;
    process p(ex, shell("echo hello"));
    const auto error = p.start();
    EXPECT_FALSE(error) << error.message;
    const auto start = clock::now();
    EXPECT_FALSE(co_await p.wait_for_line(std::regex("ready"), 10s));
    EXPECT_LT(since(start), 5s);
}

TEST(Process, WaitForLineGivesUpAtOnceWhenTheOutputEnds) {
    run(wait_for_line_gives_up_at_once_when_the_output_ends);
}

// --- Exit --------------------------------------------------------------------------------------

awaitable<void> exit_status_is_the_programs_exit_code() {
    const auto ex = co_await asio::this_coro::executor;
    process p(ex, shell("exit 3"));
    EXPECT_FALSE(p.exit_status());
    const auto error = p.start();
    EXPECT_FALSE(error) << error.message;
    EXPECT_EQ(co_await p.wait_exit(), 3);
    EXPECT_EQ(p.exit_status(), 3);
    EXPECT_FALSE(p.running());
}

TEST(Process, ExitStatusIsTheProgramsExitCode) {
    run(exit_status_is_the_programs_exit_code);
}

awaitable<void> killed_by_a_signal_gives_128_plus_the_signal() {
    const auto ex = co_await asio::this_coro::executor;
    process p(ex, shell("kill -USR1 $$; sleep 30"));
    const auto error = p.start();
    EXPECT_FALSE(error) << error.message;
    EXPECT_EQ(co_await p.wait_exit(), 128 + SIGUSR1);
}

TEST(Process, KilledByASignalGives128PlusTheSignal) {
    run(killed_by_a_signal_gives_128_plus_the_signal);
}

awaitable<void> early_exit_is_reported_through_on_exit() {
    const auto ex = co_await asio::this_coro::executor;
    process p(ex, shell("echo 'fatal: no config'; exit 7"));
    asio::steady_timer told(ex, clock::now() + 10s);
    std::optional<int> status;
    std::string log_when_told;
    p.on_exit([&](int s) {
        status = s;
        log_when_told = p.log_text();
        told.cancel();
    });
    const auto error = p.start();
    EXPECT_FALSE(error) << error.message;
    const auto [ec] = co_await told.async_wait(asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, asio::error::operation_aborted) << "on_exit was not called within 10 s";
    EXPECT_EQ(status, 7);
    EXPECT_EQ(log_when_told, "[stdout] fatal: no config\n");
}

TEST(Process, EarlyExitIsReportedThroughOnExit) {
    run(early_exit_is_reported_through_on_exit);
}

TEST(Process, HandlersAreNotCalledFromInsideStart) {
    asio::io_context io(1);
    process p(io.get_executor(), shell("echo hi"));
    bool told = false;
    bool line_seen = false;
    p.on_exit([&](int) { told = true; });
    p.on_line([&](const output_line&) { line_seen = true; });
    ASSERT_FALSE(p.start());
    ::usleep(100'000);  // the child has certainly ended: still nothing before the io_context runs
    EXPECT_FALSE(told);
    EXPECT_FALSE(line_seen);
    io.run_for(10s);
    EXPECT_TRUE(told);
    EXPECT_TRUE(line_seen);
}

// --- Stop --------------------------------------------------------------------------------------

awaitable<void> stop_ends_a_program_ignoring_term_with_sigkill_after_the_grace() {
    const auto ex = co_await asio::this_coro::executor;
    process p(ex, shell("trap '' TERM; echo trapped; while :; do sleep 0.1; done"));
    const auto error = p.start();
    EXPECT_FALSE(error) << error.message;
    EXPECT_TRUE(co_await p.wait_for_line(std::regex("trapped"), 5s));
    const auto start = clock::now();
    EXPECT_EQ(co_await p.stop(SIGTERM, 300ms), 128 + SIGKILL);
    EXPECT_GE(since(start), 300ms);
    EXPECT_LT(since(start), 5s);
}

TEST(Process, StopEndsAProgramIgnoringTermWithSigkillAfterTheGrace) {
    run(stop_ends_a_program_ignoring_term_with_sigkill_after_the_grace);
}

awaitable<void> stop_signals_the_shells_children_too() {
    const auto ex = co_await asio::this_coro::executor;
    process p(ex, shell("sleep 30 & echo $!; wait"));
    const auto error = p.start();
    EXPECT_FALSE(error) << error.message;
    const auto line = co_await p.wait_for_line(std::regex("^[0-9]+$"), 5s);
    EXPECT_TRUE(line);
    if (!line)
        co_return;
    const int child = open_pidfd(static_cast<pid_t>(std::stoi(line->text)));
    EXPECT_GE(child, 0);
    const auto start = clock::now();
    EXPECT_EQ(co_await p.stop(SIGTERM, 5s), 128 + SIGTERM);
    EXPECT_LT(since(start), 4s) << "the group should end on SIGTERM, without waiting the grace";
    EXPECT_TRUE(ends_within(child, 5s)) << "the shell's child still runs";
    ::close(child);
}

TEST(Process, StopSignalsTheShellsChildrenToo) {
    run(stop_signals_the_shells_children_too);
}

awaitable<void> stop_kills_what_of_the_group_outlives_the_child() {
    const auto ex = co_await asio::this_coro::executor;
    // The inner shell ignores TERM and becomes `sleep` (keeping the ignore and the output pipe).
    process p(ex, shell(R"(sh -c 'trap "" TERM; echo armed $$; exec sleep 30' & wait)"));
    const auto error = p.start();
    EXPECT_FALSE(error) << error.message;
    const auto line = co_await p.wait_for_line(std::regex("^armed [0-9]+$"), 5s);
    EXPECT_TRUE(line);
    if (!line)
        co_return;
    const int child = open_pidfd(static_cast<pid_t>(std::stoi(line->text.substr(6))));
    EXPECT_GE(child, 0);
    const auto start = clock::now();
    EXPECT_EQ(co_await p.stop(SIGTERM, 300ms), 128 + SIGTERM);
    EXPECT_GE(since(start), 300ms) << "it should have waited the grace for the group to end";
    EXPECT_TRUE(ends_within(child, 5s)) << "a member of the group survived stop()";
    ::close(child);
}

TEST(Process, StopKillsWhatOfTheGroupOutlivesTheChild) {
    run(stop_kills_what_of_the_group_outlives_the_child);
}

awaitable<void> stop_after_the_program_ended_returns_its_status() {
    const auto ex = co_await asio::this_coro::executor;
    process p(ex, shell("exit 5"));
    bool told = false;
    p.on_exit([&](int) { told = true; });
    const auto error = p.start();
    EXPECT_FALSE(error) << error.message;
    EXPECT_EQ(co_await p.wait_exit(), 5);
    EXPECT_TRUE(told);
    EXPECT_EQ(co_await p.stop(SIGTERM, 1s), 5);
    EXPECT_EQ(co_await p.stop(SIGTERM, 1s), 5);
}

TEST(Process, StopAfterTheProgramEndedReturnsItsStatus) {
    run(stop_after_the_program_ended_returns_its_status);
}

// --- Start -------------------------------------------------------------------------------------

TEST(Process, MissingProgramIsAClearStartError) {
    asio::io_context io(1);
    process p(io.get_executor(), program({"harness-no-such-program", "--flag"}));
    const auto error = p.start();
    EXPECT_EQ(error.error, std::errc::no_such_file_or_directory);
    EXPECT_NE(error.message.find("'harness-no-such-program'"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("PATH"), std::string::npos) << error.message;
    EXPECT_FALSE(p.started());

    process q(io.get_executor(), program({"/nonexistent/bin/tool"}));
    const auto error2 = q.start();
    EXPECT_EQ(error2.error, std::errc::no_such_file_or_directory);
    EXPECT_NE(error2.message.find("/nonexistent/bin/tool"), std::string::npos) << error2.message;
}

TEST(Process, BadWorkingDirectoryIsAClearStartError) {
    asio::io_context io(1);
    auto spec = program({"true"});
    spec.working_dir = "/nonexistent/dir";
    process p(io.get_executor(), spec);
    const auto error = p.start();
    EXPECT_EQ(error.error, std::errc::no_such_file_or_directory);
    EXPECT_NE(error.message.find("'true'"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("/nonexistent/dir"), std::string::npos) << error.message;
}

TEST(Process, EmptyCommandIsAStartError) {
    asio::io_context io(1);
    process p(io.get_executor(), program({}));
    EXPECT_TRUE(p.start());
}

awaitable<void> environment_and_working_directory_reach_the_child() {
    const auto ex = co_await asio::this_coro::executor;
    const test_support::temp_dir dir("process-test");
    ::setenv("HARNESS_PROCESS_TEST_KEPT", "kept", 1);
    ::setenv("HARNESS_PROCESS_TEST_REPLACED", "old", 1);
    auto spec = shell(
        "echo $FOO; pwd; echo $HARNESS_PROCESS_TEST_KEPT $HARNESS_PROCESS_TEST_REPLACED; "
        "env | grep -c '^HARNESS_PROCESS_TEST_REPLACED='");
    spec.env.emplace_back("FOO", "bar baz");
    spec.env.emplace_back("HARNESS_PROCESS_TEST_REPLACED", "new");
    spec.working_dir = dir.path().string();
    process p(ex, spec);
    const auto error = p.start();
    EXPECT_FALSE(error) << error.message;
    EXPECT_EQ(co_await p.wait_exit(), 0);
    const auto lines = p.lines();
    EXPECT_EQ(lines.size(), 4U);
    if (lines.size() == 4U) {
        EXPECT_EQ(lines[0].text, "bar baz");
        EXPECT_EQ(std::filesystem::path(lines[1].text), std::filesystem::canonical(dir.path()));
        EXPECT_EQ(lines[2].text, "kept new");
        EXPECT_EQ(lines[3].text, "1");
    }
    ::unsetenv("HARNESS_PROCESS_TEST_KEPT");
    ::unsetenv("HARNESS_PROCESS_TEST_REPLACED");
}

TEST(Process, EnvironmentAndWorkingDirectoryReachTheChild) {
    run(environment_and_working_directory_reach_the_child);
}

TEST(Process, StdinIsDevNull) {
    asio::io_context io(1);
    process p(io.get_executor(), program({"cat"}));
    ASSERT_FALSE(p.start());
    std::optional<int> status;
    p.on_exit([&](int s) { status = s; });
    io.run_for(10s);  // ends when nothing is left to do: cat saw EOF at once
    EXPECT_EQ(status, 0);
}

TEST(Process, CommandLineQuotesWhatNeedsIt) {
    asio::io_context io(1);
    const process a(io.get_executor(), program({"mosquitto", "-c", "my file.conf", "it's"}));
    EXPECT_EQ(a.command_line(), R"(mosquitto -c 'my file.conf' 'it'\''s')");
    const process b(io.get_executor(), shell("exec ./broker --port 1884"));
    EXPECT_EQ(b.command_line(), "exec ./broker --port 1884");
}

TEST(Process, HarnessDescriptorsDoNotLeakIntoTheChild) {
    const int fd = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
    ASSERT_GE(fd, 3);
    asio::io_context io(1);
    process p(io.get_executor(), shell("if [ -e /proc/$$/fd/" + std::to_string(fd) +
                                       " ]; then echo leaked; else echo closed; fi"));
    ASSERT_FALSE(p.start());
    io.run_for(10s);
    ::close(fd);
    EXPECT_EQ(p.exit_status(), 0);
    EXPECT_EQ(p.log_text(), "[stdout] closed\n");
}

// --- Lifetime ----------------------------------------------------------------------------------

/// How many descriptors this process has open.
std::size_t open_descriptors() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd"))
        ++n;
    return n;
}

TEST(Process, DestructorKillsARunningChild) {
    asio::io_context io(1);
    const asio::steady_timer reactor_made(io);  // the io_context opens its epoll, eventfd, timerfd
    const std::size_t descriptors_before = open_descriptors();
    pid_t pid = 0;
    {
        process p(io.get_executor(), program({"sleep", "30"}));
        ASSERT_FALSE(p.start());
        pid = p.pid();
        ASSERT_GT(pid, 0);
        EXPECT_EQ(::kill(pid, 0), 0);
        io.run_for(50ms);  // let its loops start waiting
    }
    errno = 0;
    EXPECT_EQ(::kill(pid, 0), -1);
    EXPECT_EQ(errno, ESRCH);
    // Nothing of it is left waiting on the io_context either.
    io.run_for(5s);
    EXPECT_TRUE(io.stopped());
    EXPECT_EQ(open_descriptors(), descriptors_before) << "pipes or the pidfd left open";
}

// --- Port readiness ----------------------------------------------------------------------------

/// A port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_port() {
    asio::io_context io(1);
    asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    return a.local_endpoint().port();
}

awaitable<void> wait_port_open_succeeds_once_something_listens() {
    const auto ex = co_await asio::this_coro::executor;
    const std::uint16_t port = free_port();
    asio::ip::tcp::acceptor acceptor(ex);
    asio::steady_timer later(ex, clock::now() + 200ms);
    later.async_wait([&](boost::system::error_code ec) {
        if (ec)
            return;
        const asio::ip::tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
        acceptor.open(endpoint.protocol());
        acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen();
    });
    const auto start = clock::now();
    EXPECT_TRUE(co_await wait_port_open(port, 5s));
    EXPECT_GE(since(start), 200ms);
    EXPECT_LT(since(start), 4s);
}

TEST(Process, WaitPortOpenSucceedsOnceSomethingListens) {
    run(wait_port_open_succeeds_once_something_listens);
}

awaitable<void> wait_port_open_gives_up_after_the_timeout() {
    const std::uint16_t port = free_port();
    const auto start = clock::now();
    EXPECT_FALSE(co_await wait_port_open(port, 300ms));
    EXPECT_GE(since(start), 300ms);
    EXPECT_LT(since(start), 3s);
}

TEST(Process, WaitPortOpenGivesUpAfterTheTimeout) {
    run(wait_port_open_gives_up_after_the_timeout);
}

}  // namespace
}  // namespace harness::runner
