// Parsing and printing broker URLs. Only what a broker address needs: scheme, host (name, IPv4,
// bracketed IPv6), optional port, and for WebSocket a request target.
#include "harness/transport/url.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace harness::transport {
namespace {

struct scheme_entry {
    std::string_view name;
    scheme kind;
};

constexpr std::array<scheme_entry, 4> schemes = {{
    {"mqtt", scheme::mqtt},
    {"mqtts", scheme::mqtts},
    {"ws", scheme::ws},
    {"wss", scheme::wss},
}};

constexpr std::string_view default_websocket_path = "/mqtt";

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

bool is_ipv6_literal(const std::string& text) {
    in6_addr address{};
    return ::inet_pton(AF_INET6, text.c_str(), &address) == 1;
}

std::string quoted(std::string_view text) {
    return "'" + std::string(text) + "'";
}

/// Parses "host", "host:port", "[v6]" or "[v6]:port" into url.host and url.port.
bool parse_authority(std::string_view authority, std::string_view text, broker_url& url,
                     std::string& error) {
    std::string_view port_text;
    bool has_port = false;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            error = "missing ']' after the IPv6 address in " + quoted(text);
            return false;
        }
        url.host = std::string(authority.substr(1, close - 1));
        if (!is_ipv6_literal(url.host)) {
            error = "bad IPv6 address " + quoted(url.host) + " in " + quoted(text);
            return false;
        }
        const auto rest = authority.substr(close + 1);
        if (!rest.empty() && !rest.starts_with(':')) {
            error = "unexpected " + quoted(rest) + " after the IPv6 address in " + quoted(text);
            return false;
        }
        has_port = !rest.empty();
        port_text = has_port ? rest.substr(1) : rest;
    } else {
        const auto colon = authority.find(':');
        if (colon != std::string_view::npos &&
            authority.find(':', colon + 1) != std::string_view::npos) {
            error = "IPv6 addresses must be written in brackets, e.g. mqtt://[::1]:1883, in " +
                    quoted(text);
            return false;
        }
        url.host = std::string(authority.substr(0, colon));
        has_port = colon != std::string_view::npos;
        if (has_port)
            port_text = authority.substr(colon + 1);
        if (!std::all_of(url.host.begin(), url.host.end(), is_name_char)) {
            error = "bad host " + quoted(url.host) + " in " + quoted(text);
            return false;
        }
    }
    if (url.host.empty()) {
        error = "missing host in " + quoted(text);
        return false;
    }
    url.port = default_port(url.kind);
    if (has_port) {
        unsigned value = 0;
        const auto* end = port_text.data() + port_text.size();
        const auto [ptr, ec] = std::from_chars(port_text.data(), end, value);
        if (port_text.empty() || ec != std::errc{} || ptr != end || value == 0 || value > 65535) {
            error = "bad port " + quoted(port_text) + " in " + quoted(text) +
                    " (expected a number from 1 to 65535)";
            return false;
        }
        url.port = static_cast<std::uint16_t>(value);
    }
    return true;
}

}  // namespace

std::string_view to_string(scheme kind) noexcept {
    for (const auto& entry : schemes) {
        if (entry.kind == kind)
            return entry.name;
    }
    return "?";
}

std::uint16_t default_port(scheme kind) noexcept {
    switch (kind) {
        case scheme::mqtt:
            return 1883;
        case scheme::mqtts:
            return 8883;
        case scheme::ws:
            return 80;
        case scheme::wss:
            return 443;
    }
    return 0;
}

bool broker_url::secure() const noexcept {
    return kind == scheme::mqtts || kind == scheme::wss;
}

std::string broker_url::to_string() const {
    std::string text(transport::to_string(kind));
    text += "://";
    if (host.find(':') != std::string::npos)
        text += "[" + host + "]";
    else
        text += host;
    text += ":" + std::to_string(port);
    text += path;
    return text;
}

std::optional<broker_url> parse_broker_url(std::string_view text, std::string& error) {
    const auto separator = text.find("://");
    if (separator == std::string_view::npos) {
        error =
            "missing scheme in " + quoted(text) + " (expected mqtt://, mqtts://, ws:// or wss://)";
        return std::nullopt;
    }
    const auto scheme_text = text.substr(0, separator);
    const auto entry = std::find_if(schemes.begin(), schemes.end(),
                                    [&](const auto& e) { return iequals(e.name, scheme_text); });
    if (entry == schemes.end()) {
        error = "unknown scheme " + quoted(scheme_text) + " in " + quoted(text) +
                " (expected mqtt, mqtts, ws or wss)";
        return std::nullopt;
    }
    broker_url url;
    url.kind = entry->kind;

    const auto rest = text.substr(separator + 3);
    const auto authority_end = rest.find_first_of("/?#");
    const auto authority = rest.substr(0, authority_end);
    const auto target =
        authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
    if (authority.find('@') != std::string_view::npos) {
        error = "user information ('user@host') is not supported in " + quoted(text) +
                "; give credentials in the client options";
        return std::nullopt;
    }
    if (target.find('#') != std::string_view::npos) {
        error = "a fragment ('#...') is not allowed in " + quoted(text);
        return std::nullopt;
    }
    if (!parse_authority(authority, text, url, error))
        return std::nullopt;

    if (url.kind == scheme::ws || url.kind == scheme::wss) {
        if (target.empty())
            url.path = default_websocket_path;
        else if (target.starts_with('?'))
            url.path = "/" + std::string(target);
        else
            url.path = std::string(target);
    } else if (!target.empty() && target != "/") {
        error = std::string(transport::to_string(url.kind)) + ":// URLs have no path, but " +
                quoted(text) + " has " + quoted(target);
        return std::nullopt;
    }
    error.clear();
    return url;
}

}  // namespace harness::transport
