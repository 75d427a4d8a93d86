// The fuzz case: sizes, connections, its text form (a step per line, hex of the bytes and a note)
// and its repetition on fresh connections.
#include "harness/netfuzz/fuzz_case.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cctype>

#include "harness/codec/codec.hpp"
#include "harness/codec/hex.hpp"

namespace harness::netfuzz {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

/// A note on one line: line breaks and other control characters become spaces.
std::string one_line(std::string_view note) {
    std::string out(note);
    for (char& c : out) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = ' ';
    }
    return std::string(trim(out));
}

/// The packet `bytes` encode at `version`, when they are exactly its canonical encoding.
std::optional<codec::packet> packet_of(const std::vector<std::uint8_t>& bytes,
                                       codec::protocol_version version) {
    if (bytes.empty())
        return std::nullopt;
    auto decoded =
        codec::decode(std::span<const std::uint8_t>(bytes.data(), bytes.size()), version);
    if (!decoded)
        return std::nullopt;
    if (codec::encode(*decoded, version) != bytes)
        return std::nullopt;
    return std::move(*decoded);
}

}  // namespace

std::size_t fuzz_case::byte_count() const noexcept {
    std::size_t n = 0;
    for (const auto& s : steps)
        n += s.bytes.size();
    return n;
}

std::vector<std::uint8_t> fuzz_case::connections() const {
    std::vector<std::uint8_t> out;
    for (const auto& s : steps) {
        if (std::find(out.begin(), out.end(), s.connection) == out.end())
            out.push_back(s.connection);
    }
    return out;
}

std::string to_text(const fuzz_case& c) {
    std::string out;
    for (const auto& s : c.steps) {
        out += std::to_string(static_cast<unsigned>(s.connection));
        if (s.reconnect)
            out += '!';
        out += ' ';
        out += codec::to_hex(s.bytes);
        const std::string note = one_line(s.note);
        if (!note.empty())
            out += "  # " + note;
        out += '\n';
    }
    return out;
}

parse_case_result case_from_text(std::string_view text) {
    parse_case_result result;
    fuzz_case c;
    // The protocol level each connection's CONNECT announced: later steps decode at it.
    std::array<codec::protocol_version, max_connections> versions{};
    versions.fill(codec::protocol_version::v5);
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const std::size_t end = std::min(text.find('\n'), text.size());
        const std::string_view line = trim(text.substr(0, end));
        text.remove_prefix(std::min(end + 1, text.size()));
        if (line.empty() || line.front() == '#')
            continue;
        const auto fail = [&](const std::string& why) {
            result.error = fmt::format("line {}: {}", line_number, why);
            return result;
        };
        // <connection>[!]
        std::size_t i = 0;
        unsigned connection = 0;
        while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])) != 0) {
            connection = std::min(connection * 10 + static_cast<unsigned>(line[i] - '0'), 1000u);
            ++i;
        }
        if (i == 0)
            return fail(fmt::format("expected a connection number (0..{}) at the start, got `{}`",
                                    max_connections - 1, line.substr(0, 20)));
        if (connection >= max_connections)
            return fail(fmt::format("connection must be 0..{}", max_connections - 1));
        fuzz_step step;
        step.connection = static_cast<std::uint8_t>(connection);
        if (i < line.size() && line[i] == '!') {
            step.reconnect = true;
            ++i;
        }
        if (i < line.size() && !is_space(line[i]) && line[i] != '#')
            return fail(fmt::format("expected a space after the connection number, got `{}`",
                                    line.substr(i, 1)));
        // <hex>  # <note>
        std::string_view rest = line.substr(i);
        const std::size_t hash = rest.find('#');
        if (hash != std::string_view::npos) {
            step.note = std::string(trim(rest.substr(hash + 1)));
            rest = rest.substr(0, hash);
        }
        // Spaces between bytes are allowed (people may group them); to_text() writes none.
        codec::hex_error hex_problem;
        auto bytes = codec::parse_hex(rest, hex_problem);
        if (!bytes)
            return fail(hex_problem.message);
        step.bytes = std::move(*bytes);
        // The packet, when the bytes are one well-formed packet; a CONNECT sets the level of
        // the connection's later packets.
        auto& version = versions[step.connection];
        if (step.reconnect)
            version = codec::protocol_version::v5;
        if (!step.bytes.empty() && (step.bytes.front() >> 4) == 1) {
            if (auto p = packet_of(step.bytes, codec::protocol_version::v5)) {
                if (const auto* connect = std::get_if<codec::connect>(&*p))
                    version = connect->version;
            }
        }
        step.version = version;
        step.packet = packet_of(step.bytes, version);
        c.steps.push_back(std::move(step));
    }
    result.value = std::move(c);
    return result;
}

fuzz_case repeated(const fuzz_case& c, int times) {
    fuzz_case out;
    if (times <= 0)
        return out;
    out.steps.reserve(c.steps.size() * static_cast<std::size_t>(times));
    for (int round = 0; round < times; ++round) {
        std::array<bool, 256> seen{};
        for (const auto& s : c.steps) {
            fuzz_step step = s;
            if (round > 0 && !seen[step.connection])
                step.reconnect = true;
            seen[step.connection] = true;
            out.steps.push_back(std::move(step));
        }
    }
    return out;
}

}  // namespace harness::netfuzz
