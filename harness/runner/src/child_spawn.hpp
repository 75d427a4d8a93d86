// Starting a child process: the parts of fork + exec that the process class builds on. The
// child side makes only async-signal-safe calls; a failed exec is reported through a
// close-on-exec status pipe, so it is an error and not an exit status.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <system_error>
#include <utility>
#include <vector>

namespace harness::runner::detail {

std::error_code errno_code(int e);

/// A file descriptor closed when it goes out of scope.
class unique_fd {
  public:
    unique_fd() = default;
    explicit unique_fd(int fd) : fd_(fd) {}
    unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = std::exchange(o.fd_, -1);
        }
        return *this;
    }
    ~unique_fd() { reset(); }
    int get() const noexcept { return fd_; }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset() noexcept {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }

  private:
    int fd_ = -1;
};

/// A close-on-exec pipe; false (errno set) when it could not be made.
bool make_pipe(unique_fd& read_end, unique_fd& write_end);

/// What the child reports through the status pipe when it cannot exec.
struct child_failure {
    enum stage_t : int { stdio, working_dir, exec } stage = exec;
    int error = 0;
};

/// Everything the child needs, prepared before fork() so that the child only makes
/// async-signal-safe calls.
struct child_setup {
    std::vector<char*> argv;         // null-terminated
    std::vector<char*> envp;         // null-terminated
    std::vector<const char*> paths;  // where to look for the program, in order
    const char* working_dir = nullptr;
    int stdin_fd = -1;
    int stdout_fd = -1;
    int stderr_fd = -1;
    int status_fd = -1;
};

/// The child's side of fork(): sets up its process group, signals, descriptors and working
/// directory, then execs; on failure writes a child_failure to the status pipe and exits 127.
[[noreturn]] void run_child(const child_setup& s) noexcept;

/// The exit status the way a shell shows it: the code, or 128 + n when killed by signal n.
int status_from_wait(int st);
int status_from_siginfo(const siginfo_t& info);

}  // namespace harness::runner::detail
