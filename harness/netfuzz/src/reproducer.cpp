// Findings on disk: the directory name from a stable hash of the signature, the case as text,
// each connection's bytes, the replaying scenario and a summary, each file written whole.
#include "harness/netfuzz/reproducer.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <optional>

#include "harness/codec/hex.hpp"

namespace harness::netfuzz {

namespace {

/// FNV-1a, 32 bits: the same value on every platform and run (std::hash is neither).
std::uint32_t fnv1a32(std::string_view text) {
    std::uint32_t h = 2166136261u;
    for (const char c : text) {
        h ^= static_cast<std::uint8_t>(c);
        h *= 16777619u;
    }
    return h;
}

/// Text on one line: control characters (line breaks included) become spaces.
std::string one_line(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = ' ';
    }
    return out;
}

/// A YAML double-quoted scalar.
std::string yaml_quoted(std::string_view text) {
    std::string out = "\"";
    for (const char c : one_line(text)) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string_view protocol_of(codec::protocol_version v) {
    switch (v) {
        case codec::protocol_version::v3_1:
            return "3.1";
        case codec::protocol_version::v3_1_1:
            return "3.1.1";
        case codec::protocol_version::v5:
            break;
    }
    return "5";
}

/// A 3.1.1 CONNECT: client id "fuzz-alive", clean session, keep alive 30 s.
constexpr std::string_view alive_connect =
    "1016"
    "00044d51545404"
    "02"
    "001e"
    "000a"
    "66757a7a2d616c697665";

/// Writes `content` to `path` whole: to a temporary name beside it, then renamed over it.
void write_whole(const std::filesystem::path& path, std::string_view content, std::error_code& ec) {
    if (ec)
        return;
    std::filesystem::path temporary = path;
    temporary += fmt::format(".tmp-{}", static_cast<long>(::getpid()));
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.close();
        if (!out) {
            ec = std::make_error_code(std::errc::io_error);
            std::error_code ignored;
            std::filesystem::remove(temporary, ignored);
            return;
        }
    }
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
    }
}

std::string sizes(std::size_t steps, std::size_t bytes) {
    return fmt::format("{} step{}, {} byte{}", steps, steps == 1 ? "" : "s", bytes,
                       bytes == 1 ? "" : "s");
}

}  // namespace

std::string_view to_string(finding_kind k) noexcept {
    switch (k) {
        case finding_kind::crash:
            return "crash";
        case finding_kind::hang:
            return "hang";
        case finding_kind::memory:
            return "memory";
    }
    return "unknown";
}

std::string finding_dir_name(const finding& f) {
    return fmt::format("{}-{:08x}", to_string(f.kind), fnv1a32(f.signature));
}

std::string scenario_yaml(const fuzz_case& c, const std::string& name, int alive_within_ms) {
    const auto used = c.connections();
    std::string y;
    y += "# Replays a case found by the network fuzzer (mqtt-harness fuzz): raw connections send\n";
    y += "# the bytes of each step in order, then a fresh connection must still get a CONNACK.\n";
    y += "name: " + yaml_quoted(name) + "\n";
    y += "description: " +
         yaml_quoted(fmt::format("Found by the network fuzzer: the broker must survive these bytes "
                                 "({}, {} connection{}) and still accept a new client "
                                 "(a CONNACK within {} ms).",
                                 sizes(c.steps.size(), c.byte_count()), used.size(),
                                 used.size() == 1 ? "" : "s", alive_within_ms)) +
         "\n";
    y += "clients:\n";
    // Connections open at their first step, as they did when the fuzzer ran the case.
    for (const std::uint8_t conn : used) {
        codec::protocol_version version = codec::protocol_version::v5;
        for (const auto& s : c.steps) {
            if (s.connection == conn) {
                version = s.version;
                break;
            }
        }
        y += fmt::format("  - {{name: c{}, raw: true, protocol: {}, connect: false}}\n", conn,
                         protocol_of(version));
    }
    y += "  - {name: alive, raw: true, protocol: 3.1.1, connect: false}\n";
    y += "steps:\n";
    // The fuzzer sends a PINGREQ (and waits for its PINGRESP) whenever the next step is on
    // another connection, before a reconnect, and on every connection at the end: the same
    // bytes go here, since a packet cut short by the minimizer may be completed by them.
    const auto barrier = [&y](unsigned conn) {
        y += fmt::format("  - send: {{client: c{}, hex: \"c000\"}}  # barrier (PINGREQ)\n", conn);
    };
    std::array<bool, 256> open{};
    std::optional<unsigned> last;
    for (const auto& s : c.steps) {
        const unsigned conn = s.connection;
        if (last && *last != conn && open[*last])
            barrier(*last);
        last = conn;
        if (!open[conn]) {
            y += fmt::format("  - connect: c{}\n", conn);
            open[conn] = true;
        } else if (s.reconnect) {
            barrier(conn);
            y += fmt::format("  - disconnect: c{}\n", conn);
            y += fmt::format("  - connect: c{}\n", conn);
        }
        const std::string note = one_line(s.note);
        if (!note.empty())
            y += "  # " + note + "\n";
        if (s.bytes.empty())
            continue;  // nothing to send: the step only (re)opens the connection
        y += fmt::format("  - send: {{client: c{}, hex: \"{}\"}}\n", conn, codec::to_hex(s.bytes));
    }
    for (unsigned conn = 0; conn < open.size(); ++conn)
        if (open[conn])
            barrier(conn);
    y += "  # let the broker work through the bytes before checking that it still answers\n";
    y += "  - sleep: 200ms\n";
    y += "  # a fresh client: CONNECT (3.1.1, client id fuzz-alive, clean session, keep alive "
         "30 s)\n";
    y += "  - connect: alive\n";
    y += fmt::format("  - send: {{client: alive, hex: \"{}\"}}\n", alive_connect);
    y += fmt::format(
        "  - expect_packet: {{client: alive, packet: {{type: connack}}, within: {}ms}}\n",
        alive_within_ms);
    return y;
}

std::filesystem::path write_reproducer(const std::filesystem::path& out_dir, const finding& f,
                                       std::error_code& ec) {
    ec.clear();
    const std::filesystem::path dir = out_dir / finding_dir_name(f);
    std::filesystem::create_directories(dir, ec);
    if (ec)
        return dir;
    const fuzz_case& c = f.reproducer;
    const std::string kind(to_string(f.kind));
    const std::string before = sizes(f.original_steps, f.original_bytes);
    const std::string after = sizes(c.steps.size(), c.byte_count());
    const int repeat = std::max(f.repeat, 1);

    std::string text;
    text += "# mqtt-harness fuzz finding: " + kind + "\n";
    text += "# signature: " + one_line(f.signature) + "\n";
    text += "# minimized from " + before + " to " + after + "\n";
    // One round of the case; `fuzz replay` plays it `repeat` times on fresh connections.
    text += fmt::format("# repeat: {}\n", repeat);
    text += "# replay: mqtt-harness fuzz replay repro.case --broker URL\n";
    text += "# a step per line: <connection>[!] <hex bytes>  # <note>  (! = reconnect first)\n";
    text += to_text(c);
    write_whole(dir / "repro.case", text, ec);

    // conn<N>.bin: everything connection N sent; bytes sent after a reconnect follow those of
    // the connection before it.
    std::array<std::string, 256> sent;
    for (const auto& s : c.steps)
        sent[s.connection].append(s.bytes.begin(), s.bytes.end());
    const auto used = c.connections();
    for (unsigned conn = 0; conn < 256; ++conn) {
        const auto file = dir / fmt::format("conn{}.bin", conn);
        if (std::find(used.begin(), used.end(), conn) != used.end()) {
            write_whole(file, sent[conn], ec);
        } else if (conn < max_connections) {
            std::error_code ignored;  // left over from an earlier run of the same finding
            std::filesystem::remove(file, ignored);
        }
    }

    write_whole(dir / "repro.yaml",
                scenario_yaml(repeat > 1 ? repeated(c, repeat) : c, "fuzz " + finding_dir_name(f)),
                ec);

    std::string summary;
    summary += "kind: " + kind + "\n";
    summary += "signature: " + one_line(f.signature) + "\n";
    summary += fmt::format("reproducer: {} on {} connection{} (minimized from {})\n", after,
                           used.size(), used.size() == 1 ? "" : "s", before);
    if (repeat > 1)
        summary += fmt::format(
            "rounds: {} (the case played {} times in a row on fresh connections "
            "shows the fault)\n",
            repeat, repeat);
    summary += "\nfiles:\n";
    summary +=
        "  repro.case   the case (one round), a step per line (connection, hex bytes, note)\n";
    summary += "  conn<N>.bin  the bytes connection N sent in one round, concatenated (after a\n";
    summary += "               reconnect the new connection's bytes follow the old one's); the\n";
    summary += "               fuzzer and repro.yaml also send a PINGREQ (c000) when the next\n";
    summary += "               step is on another connection, before a reconnect and at the end\n";
    summary +=
        "  repro.yaml   a scenario: raw clients send the bytes (every round), then a fresh\n";
    summary += "               client must get a CONNACK (passes when the broker survives)\n";
    summary += "\nreplay:\n";
    summary += "  mqtt-harness fuzz replay repro.case --broker URL\n";
    summary += "  mqtt-harness run repro.yaml --broker URL\n";
    summary += "\ndetails:\n";
    summary += f.details;
    if (!f.details.empty() && f.details.back() != '\n')
        summary += '\n';
    write_whole(dir / "finding.txt", summary, ec);
    return dir;
}

}  // namespace harness::netfuzz
