// One input of the network fuzzer: the bytes a set of connections send to a broker, in order.
// Steps keep the packet they were encoded from (when they were) so that mutations can work on
// fields and properties; a step changed at byte level keeps only its bytes. This is also what a
// reproducer holds and what the minimizer shrinks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/codec/packets.hpp"
#include "harness/codec/types.hpp"

namespace harness::netfuzz {

/// How many connections one case may use (connection indexes are 0 .. max_connections - 1).
inline constexpr std::uint8_t max_connections = 4;

struct fuzz_step {
    /// Which connection sends. A connection opens at its first step and stays open until the
    /// broker closes it or the case ends; `reconnect` closes it first and opens a fresh one.
    std::uint8_t connection = 0;
    bool reconnect = false;
    /// What goes on the wire, exactly.
    std::vector<std::uint8_t> bytes;
    /// The packet the bytes encode (at `version`), while they still do.
    std::optional<codec::packet> packet;
    codec::protocol_version version = codec::protocol_version::v5;
    /// What the step is, for people: "PUBLISH q1 id=7 t/1", "+ length lie", ...
    std::string note;

    bool operator==(const fuzz_step&) const = default;
};

struct fuzz_case {
    std::vector<fuzz_step> steps;

    bool operator==(const fuzz_case&) const = default;
    std::size_t byte_count() const noexcept;
    /// The distinct connections used, in first-use order.
    std::vector<std::uint8_t> connections() const;
};

/// The case as text, a step per line: `<connection>[!] <hex>  # <note>` (`!` = reconnect);
/// lines starting with `#` are comments. This is the `.case` file `fuzz replay` reads.
std::string to_text(const fuzz_case& c);
/// Parses to_text()'s format (blank lines and `#` comment lines skipped, hex digits in either
/// case, spaces between them allowed); on error, the message names the line ("line 3: ...").
/// Steps whose bytes are exactly the encoding of a packet get it back in `packet`, at the
/// level their connection's CONNECT announced (5.0 otherwise).
struct parse_case_result {
    std::optional<fuzz_case> value;
    std::string error;
};
parse_case_result case_from_text(std::string_view text);

/// `c` played `times` times in a row on fresh connections: in every round after the first, the
/// first step of each connection reconnects. What a memory finding's reproducer replays.
fuzz_case repeated(const fuzz_case& c, int times);

}  // namespace harness::netfuzz
