// Child processes for the tests: posix_spawn with piped output, bounded waits, and a
// kill on destruction.
#include "support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <string_view>
#include <system_error>

extern char** environ;

namespace harness::test_support {
namespace {

std::system_error last_error(const std::string& what) {
    return {errno, std::generic_category(), what};
}

int exit_status_of(const siginfo_t& info) {
    return info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
}

}  // namespace

std::optional<std::string> find_executable(const std::string& name) {
    const auto executable = [](const std::string& path) {
        struct stat st {};
        return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
               ::access(path.c_str(), X_OK) == 0;
    };
    if (name.find('/') != std::string::npos) {
        if (executable(name))
            return name;
        return std::nullopt;
    }
    const char* path = std::getenv("PATH");
    std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
    while (!dirs.empty()) {
        const auto colon = dirs.find(':');
        const std::string dir(dirs.substr(0, colon));
        dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
        const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
        if (executable(candidate))
            return candidate;
    }
    return std::nullopt;
}

child_process::child_process(std::string program, std::vector<std::string> args) {
    command_ = program;
    for (const auto& arg : args)
        command_ += " '" + arg + "'";

    // Close-on-exec on every end: a concurrently spawned child must not inherit them, or our
    // reader would not see end-of-file until that other child exits too.
    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0)
        throw last_error("pipe2");
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        const auto error = last_error("pipe2");
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        throw error;
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);  // dup2 clears close-on-exec
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);

    std::vector<char*> argv;
    argv.push_back(program.data());
    for (auto& arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);

    const int rc = ::posix_spawnp(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (rc != 0) {
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        throw std::system_error(rc, std::generic_category(), "posix_spawn " + command_);
    }
    reader_ =
        std::thread([this, out = out_pipe[0], err = err_pipe[0]] { read_until_exit(out, err); });
}

child_process::~child_process() {
    if (reader_.joinable()) {
        stop(std::chrono::milliseconds{500});
        reader_.join();
    }
}

void child_process::read_until_exit(int out_fd, int err_fd) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    std::string* sinks[2] = {&out_, &err_};
    char buffer[4096];
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0)
                continue;
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0) {
                const std::lock_guard lock(mutex_);
                sinks[i]->append(buffer, static_cast<std::size_t>(n));
                exited_cv_.notify_all();  // also wakes wait_for_output()
            } else if (n == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;  // poll ignores negative descriptors
            }
        }
    }
    for (const auto& p : fds) {
        if (p.fd >= 0)
            ::close(p.fd);
    }

    // Wait without reaping, so that stop() can still signal the pid safely under the mutex
    // until the status is recorded: a reaped pid could be reused by another process.
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) != 0 &&
           errno == EINTR) {
    }
    const std::lock_guard lock(mutex_);
    while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED) != 0 && errno == EINTR) {
    }
    status_ = exit_status_of(info);
    exited_cv_.notify_all();
}

bool child_process::wait_for_output(std::string_view needle, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return exited_cv_.wait_for(lock, timeout, [&] {
        return out_.find(needle) != std::string::npos || status_.has_value();
    }) && out_.find(needle) != std::string::npos;
}

std::optional<int> child_process::wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    exited_cv_.wait_for(lock, timeout, [this] { return status_.has_value(); });
    return status_;
}

int child_process::stop(std::chrono::milliseconds grace) {
    {
        const std::lock_guard lock(mutex_);
        if (status_)
            return *status_;
        ::kill(pid_, SIGTERM);
    }
    if (const auto status = wait_for(grace))
        return *status;
    std::unique_lock lock(mutex_);
    if (!status_)
        ::kill(pid_, SIGKILL);
    exited_cv_.wait(lock, [this] { return status_.has_value(); });
    return *status_;
}

void child_process::send_signal(int signal) {
    const std::lock_guard lock(mutex_);
    if (!status_)
        ::kill(pid_, signal);  // not reaped yet (see read_until_exit): the pid is still ours
}

bool child_process::running() const {
    const std::lock_guard lock(mutex_);
    return !status_.has_value();
}

std::string child_process::output() const {
    const std::lock_guard lock(mutex_);
    return out_;
}

std::string child_process::errors() const {
    const std::lock_guard lock(mutex_);
    return err_;
}

}  // namespace harness::test_support
