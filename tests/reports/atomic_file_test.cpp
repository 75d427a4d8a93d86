// Atomic report files: the target is replaced whole, keeps its mode, and on every failure
// (directory not writable, a write that fails part way, a rename that fails) the old file is left
// as it was and no temporary file remains.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harness/reports/atomic_file.hpp"
#include "support/temp_dir.hpp"

namespace harness::reports::testing {
namespace {

namespace fs = std::filesystem;
using test_support::temp_dir;

std::string read(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
}

std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

TEST(AtomicFile, CreatesTheFileWithTheContentAndNothingElse) {
    temp_dir dir("atomic-test");
    const auto target = dir.path() / "report.xml";
    ASSERT_FALSE(write_file_atomically(target, "<whole/>"));
    EXPECT_EQ(read(target), "<whole/>");
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"report.xml"});
    EXPECT_EQ(fs::status(target).permissions(), fs::perms::owner_read | fs::perms::owner_write |
                                                    fs::perms::group_read | fs::perms::others_read);
}

TEST(AtomicFile, ReplacesAnExistingFileAndKeepsItsMode) {
    temp_dir dir("atomic-test");
    const auto target = fs::path(dir.write("report.json", "old content, longer than the new"));
    ::chmod(target.c_str(), 0640);
    ASSERT_FALSE(write_file_atomically(target, "new"));
    EXPECT_EQ(read(target), "new");
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"report.json"});
    struct stat st {};
    ASSERT_EQ(::stat(target.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST(AtomicFile, MissingDirectoryIsAnError) {
    temp_dir dir("atomic-test");
    const auto error = write_file_atomically(dir.path() / "absent" / "report.xml", "x");
    EXPECT_EQ(error, std::errc::no_such_file_or_directory) << error.message();
}

TEST(AtomicFile, UnwritableDirectoryLeavesTheOldFileIntact) {
    temp_dir dir("atomic-test");
    const auto target = fs::path(dir.write("report.xml", "old"));
    ::chmod(dir.path().c_str(), 0500);
    if (::access(dir.path().c_str(), W_OK) == 0) {
        ::chmod(dir.path().c_str(), 0700);
        GTEST_SKIP() << "running with privileges that ignore directory permissions (root); the "
                        "failed-write and failed-rename tests cover the same paths";
    }
    const auto error = write_file_atomically(target, "new");
    ::chmod(dir.path().c_str(), 0700);
    EXPECT_EQ(error, std::errc::permission_denied) << error.message();
    EXPECT_EQ(read(target), "old");
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"report.xml"});
}

/// A file size limit for this process, and SIGXFSZ ignored so exceeding it fails the write.
class file_size_limit {
  public:
    explicit file_size_limit(rlim_t bytes) {
        ::getrlimit(RLIMIT_FSIZE, &old_);
        old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit = old_;
        limit.rlim_cur = bytes;
        ::setrlimit(RLIMIT_FSIZE, &limit);
    }
    ~file_size_limit() {
        ::setrlimit(RLIMIT_FSIZE, &old_);
        std::signal(SIGXFSZ, old_handler_);
    }
    file_size_limit(const file_size_limit&) = delete;
    file_size_limit& operator=(const file_size_limit&) = delete;

  private:
    rlimit old_{};
    void (*old_handler_)(int) = nullptr;
};

TEST(AtomicFile, WriteFailingPartWayLeavesTheOldFileAndNoTemporary) {
    temp_dir dir("atomic-test");
    const auto target = fs::path(dir.write("report.xml", "old"));
    std::error_code error;
    {
        file_size_limit limit(1024);
        error = write_file_atomically(target, std::string(64 * 1024, 'x'));
    }
    EXPECT_EQ(error, std::errc::file_too_large) << error.message();
    EXPECT_EQ(read(target), "old");
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"report.xml"});
}

TEST(AtomicFile, RenameFailingLeavesTheTargetAndNoTemporary) {
    temp_dir dir("atomic-test");
    const auto target = dir.path() / "report.xml";
    fs::create_directory(target);  // a non-empty directory cannot be renamed over
    dir.write("report.xml/inside", "kept");
    const auto error = write_file_atomically(target, "new");
    EXPECT_TRUE(error);
    EXPECT_EQ(read(target / "inside"), "kept");
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"report.xml"});
}

TEST(AtomicFile, TargetWithoutAFileNameIsAnError) {
    EXPECT_TRUE(write_file_atomically("some/dir/", "x"));
}

}  // namespace
}  // namespace harness::reports::testing
