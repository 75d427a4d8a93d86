// Atomic report files: mkostemp beside the target, a full write, fsync, rename, and the
// temporary file removed on every failure path.
#include "harness/reports/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <utility>

namespace harness::reports {

namespace {

std::error_code last_error() {
    return {errno, std::generic_category()};
}

/// The temporary file while it exists: closed and removed unless committed.
class temporary_file {
  public:
    explicit temporary_file(std::string path) : path_(std::move(path)) {
        fd_ = ::mkostemp(path_.data(), O_CLOEXEC);
        created_ = fd_ >= 0;
    }
    ~temporary_file() {
        close();
        if (created_ && !committed_)
            ::unlink(path_.c_str());
    }
    temporary_file(const temporary_file&) = delete;
    temporary_file& operator=(const temporary_file&) = delete;

    int fd() const noexcept { return fd_; }
    const std::string& path() const noexcept { return path_; }

    /// Closes the descriptor; false (errno set) when close reported an error.
    bool close() {
        if (fd_ < 0)
            return true;
        const int fd = fd_;
        fd_ = -1;
        return ::close(fd) == 0;
    }
    void commit() noexcept { committed_ = true; }

  private:
    std::string path_;
    int fd_ = -1;
    bool created_ = false;
    bool committed_ = false;
};

bool write_all(int fd, std::string_view content) {
    while (!content.empty()) {
        const ssize_t n = ::write(fd, content.data(), content.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        content.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

/// Makes the rename durable; failures here do not undo a report that is already in place.
void sync_directory(const std::filesystem::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

std::error_code write_file_atomically(const std::filesystem::path& target,
                                      std::string_view content) {
    const std::string name = target.filename().string();
    if (name.empty() || name == "." || name == "..")
        return std::make_error_code(std::errc::is_a_directory);
    const std::filesystem::path dir =
        target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");

    temporary_file temp((dir / ("." + name + ".tmp-XXXXXX")).string());
    if (temp.fd() < 0)
        return last_error();

    mode_t mode = 0644;
    struct stat existing {};
    if (::stat(target.c_str(), &existing) == 0)
        mode = existing.st_mode & 07777;

    if (!write_all(temp.fd(), content) || ::fchmod(temp.fd(), mode) != 0 ||
        ::fsync(temp.fd()) != 0 || !temp.close())
        return last_error();
    if (::rename(temp.path().c_str(), target.c_str()) != 0)
        return last_error();
    temp.commit();
    sync_directory(dir);
    return {};
}

}  // namespace harness::reports
