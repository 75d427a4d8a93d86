// Exit statuses every subcommand shares, so CI jobs can rely on them.
#pragma once

namespace harness::cli::exit_status {

inline constexpr int ok = 0;
inline constexpr int malformed = 1;  // decode: malformed input; later: a failed verdict
inline constexpr int usage = 2;      // bad arguments or unusable input

}  // namespace harness::cli::exit_status
