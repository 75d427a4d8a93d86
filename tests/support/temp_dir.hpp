// A private temporary directory that is removed with everything in it when the object goes
// away: broker configurations, certificates and keys live there for one test (or suite).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace harness::test_support {

class temp_dir {
  public:
    /// Creates $TMPDIR/<prefix>-XXXXXX (mode 0700); throws std::system_error on failure.
    explicit temp_dir(std::string_view prefix = "harness-test");
    ~temp_dir();

    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const std::filesystem::path& path() const noexcept { return path_; }
    /// path() / name, as a string for configuration files and command lines.
    std::string file(std::string_view name) const;
    /// Writes `content` to path() / name and returns that path; throws std::runtime_error.
    std::string write(std::string_view name, std::string_view content) const;

  private:
    std::filesystem::path path_;
};

}  // namespace harness::test_support
