// Writing a report so that it is whole or absent: the content goes to a temporary file beside the
// target, is flushed to disk, and is renamed over the target in one step.
#pragma once

#include <filesystem>
#include <string_view>
#include <system_error>

namespace harness::reports {

/// Writes `content` to `target` atomically: a temporary file in the same directory
/// (".<name>.tmp-XXXXXX"), written in full, fsync'd, given the mode of the file it replaces (0644
/// for a new file), then renamed over `target`, and the directory fsync'd. On any failure the
/// temporary file is removed, `target` is left as it was, and the error is returned; an empty
/// error_code means success.
std::error_code write_file_atomically(const std::filesystem::path& target,
                                      std::string_view content);

}  // namespace harness::reports
