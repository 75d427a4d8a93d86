// Recognising timestamps, UUIDs and counters in recorded payloads and topics, and writing
// expectations and publishes that hold across runs.
#include "record_variables.hpp"

#include <cmath>
#include <regex>

namespace harness::cli::record {
namespace {

constexpr std::int64_t day_ms = 24LL * 3600 * 1000;

// The same shapes inside a longer text (no anchors).
const char* const iso_shape =
    R"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)";
const char* const uuid_shape =
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

const std::regex& iso_regex() {
    static const std::regex r(std::string("^") + iso_shape + "$");
    return r;
}

const std::regex& uuid_regex() {
    static const std::regex r(std::string("^") + uuid_shape + "$");
    return r;
}

/// Timestamps, UUIDs and 10- or 13-digit numbers inside a text.
const std::regex& token_regex() {
    static const std::regex r(std::string("(") + iso_shape + ")|(" + uuid_shape +
                              R"()|(\b\d{13}\b|\b\d{10}\b))");
    return r;
}

std::string member_path(const std::string& path, std::string_view key) {
    return path + "." + std::string(key);
}

std::string noted(const std::string& path, value_kind kind) {
    return path + " (" + std::string(describe(kind)) + ")";
}

value_kind classify(const boost::json::value& v, const std::string& path, const variability& var) {
    if (v.is_string())
        return classify_text(v.get_string());
    if (v.is_number()) {
        if (var.counters != nullptr && var.counters->contains(path))
            return value_kind::counter;
        return classify_number(v.to_number<double>(), var.window);
    }
    return value_kind::fixed;
}

/// False when `v` holds a varying value where a subset cannot leave it out (inside an array).
bool strip(boost::json::value& v, const std::string& path, const variability& var,
           std::vector<std::string>& left_out) {
    if (auto* object = v.if_object()) {
        boost::json::object kept;  // erase() would move the last member into the gap
        for (auto& member : *object) {
            const std::string inner = member_path(path, member.key());
            const auto kind = classify(member.value(), inner, var);
            std::vector<std::string> inside;
            if (kind != value_kind::fixed) {
                left_out.push_back(noted(inner, kind));
            } else if (!strip(member.value(), inner, var, inside)) {
                left_out.push_back(inner + " (an array with varying values)");
            } else {
                left_out.insert(left_out.end(), inside.begin(), inside.end());
                kept.emplace(member.key(), std::move(member.value()));
            }
        }
        *object = std::move(kept);
        return true;
    }
    if (auto* array = v.if_array()) {
        for (auto& item : *array) {
            if (classify(item, path + "[]", var) != value_kind::fixed)
                return false;
            std::vector<std::string> inside;
            if (!strip(item, path + "[]", var, inside) || !inside.empty())
                return false;  // element-wise subsets need every element; keep it simple
        }
        return true;
    }
    if (v.is_string())
        v = boost::json::string(escape_template(v.get_string()));
    return true;
}

void fill(boost::json::value& v, const std::string& path, std::vector<std::string>& templated) {
    if (auto* object = v.if_object()) {
        for (auto& member : *object)
            fill(member.value(), member_path(path, member.key()), templated);
    } else if (auto* array = v.if_array()) {
        for (std::size_t i = 0; i < array->size(); ++i)
            fill((*array)[i], path + "[" + std::to_string(i) + "]", templated);
    } else if (v.is_string()) {
        const auto kind = classify_text(v.get_string());
        if (kind == value_kind::iso_timestamp) {
            v = "{{now_iso}}";
            templated.push_back(noted(path, kind));
        } else if (kind == value_kind::uuid) {
            v = "{{uuid}}";
            templated.push_back(noted(path, kind));
        } else {
            v = boost::json::string(escape_template(v.get_string()));
        }
    }
}

std::string regex_escape(std::string_view text) {
    static const std::string special = R"(\^$.|?*+()[]{}/)";
    std::string out;
    for (char c : text) {
        if (special.find(c) != std::string::npos)
            out += '\\';
        out += c;
    }
    return out;
}

/// Splits `text` at the tokens token_regex() finds that are variable; calls on_text for the
/// parts between and on_token(kind, token) for each.
template <class OnText, class OnToken>
void scan_tokens(std::string_view text, const time_window& window, OnText on_text,
                 OnToken on_token) {
    const std::string s(text);
    std::size_t done = 0;
    for (std::sregex_iterator it(s.begin(), s.end(), token_regex()), end; it != end; ++it) {
        const auto& m = *it;
        value_kind kind = value_kind::fixed;
        if (m[1].matched)
            kind = value_kind::iso_timestamp;
        else if (m[2].matched)
            kind = value_kind::uuid;
        else
            kind = classify_number(std::stod(m.str()), window);
        if (kind == value_kind::fixed)
            continue;
        const auto at = static_cast<std::size_t>(m.position());
        on_text(std::string_view(s).substr(done, at - done));
        on_token(kind, m.str());
        done = at + static_cast<std::size_t>(m.length());
    }
    on_text(std::string_view(s).substr(done));
}

std::string map_levels(std::string_view topic, const std::string& replacement) {
    std::string out;
    std::size_t start = 0;
    for (;;) {
        const auto slash = topic.find('/', start);
        const auto level = topic.substr(
            start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        out += classify_text(level) == value_kind::uuid ? replacement : escape_template(level);
        if (slash == std::string_view::npos)
            return out;
        out += '/';
        start = slash + 1;
    }
}

}  // namespace

std::string_view describe(value_kind kind) noexcept {
    switch (kind) {
        case value_kind::fixed:
            return "fixed";
        case value_kind::iso_timestamp:
            return "ISO timestamp";
        case value_kind::uuid:
            return "UUID";
        case value_kind::epoch_seconds:
            return "epoch seconds";
        case value_kind::epoch_millis:
            return "epoch milliseconds";
        case value_kind::counter:
            return "counter";
    }
    return "fixed";
}

value_kind classify_text(std::string_view text) noexcept {
    if (text.size() < 10 || text.size() > 40)
        return value_kind::fixed;
    const std::string s(text);
    if (std::regex_match(s, uuid_regex()))
        return value_kind::uuid;
    if (std::regex_match(s, iso_regex()))
        return value_kind::iso_timestamp;
    return value_kind::fixed;
}

value_kind classify_number(double value, const time_window& window) noexcept {
    if (!std::isfinite(value) || value <= 0)
        return value_kind::fixed;
    const double lo = static_cast<double>(window.first_ms - day_ms);
    const double hi = static_cast<double>(window.last_ms + day_ms);
    if (value * 1000 >= lo && value * 1000 <= hi)
        return value_kind::epoch_seconds;
    if (value >= lo && value <= hi)
        return value_kind::epoch_millis;
    return value_kind::fixed;
}

std::map<std::string, std::int64_t> integer_leaves(const boost::json::value& payload) {
    std::map<std::string, std::int64_t> out;
    const auto visit = [&](auto& self, const boost::json::value& v,
                           const std::string& path) -> void {
        if (const auto* object = v.if_object()) {
            for (const auto& member : *object)
                self(self, member.value(), member_path(path, member.key()));
        } else if (v.is_int64()) {
            out[path] = v.get_int64();
        } else if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
            out[path] = static_cast<std::int64_t>(v.get_uint64());
        }
    };
    visit(visit, payload, "$");
    return out;
}

counter_paths find_counters(
    const std::map<std::string, std::vector<std::map<std::string, std::int64_t>>>& series) {
    counter_paths out;
    for (const auto& [topic, messages] : series) {
        std::map<std::string, std::vector<std::int64_t>> values;  // path -> in order
        for (const auto& leaves : messages)
            for (const auto& [path, value] : leaves)
                values[path].push_back(value);
        for (const auto& [path, list] : values) {
            bool increasing = list.size() >= 3;
            for (std::size_t i = 1; increasing && i < list.size(); ++i)
                increasing = list[i] > list[i - 1];
            if (increasing)
                out[topic].insert(path);
        }
    }
    return out;
}

std::optional<boost::json::value> expected_json(const boost::json::value& payload,
                                                const variability& v,
                                                std::vector<std::string>& left_out) {
    const auto kind = classify(payload, "$", v);
    if (kind != value_kind::fixed) {
        left_out.push_back(noted("$", kind));
        return std::nullopt;
    }
    boost::json::value copy = payload;
    if (!strip(copy, "$", v, left_out)) {
        left_out.push_back("$ (an array with varying values)");
        return std::nullopt;
    }
    return copy;
}

boost::json::value published_json(const boost::json::value& payload,
                                  std::vector<std::string>& templated) {
    boost::json::value copy = payload;
    fill(copy, "$", templated);
    return copy;
}

std::optional<std::string> text_pattern(std::string_view text, const time_window& window,
                                        std::vector<std::string>& found) {
    std::string pattern = "^";
    scan_tokens(
        text, window, [&](std::string_view part) { pattern += regex_escape(part); },
        [&](value_kind kind, const std::string& token) {
            found.push_back(token + " (" + std::string(describe(kind)) + ")");
            if (kind == value_kind::iso_timestamp)
                pattern += R"(\d{4}-\d{2}-\d{2}[T ][0-9:.,]+(Z|[+-][0-9:]+)?)";
            else if (kind == value_kind::uuid)
                pattern += "[0-9a-fA-F-]{36}";
            else
                pattern += R"(\d+)";
        });
    if (found.empty())
        return std::nullopt;
    return pattern + "$";
}

std::string published_text(std::string_view text, const time_window& window,
                           std::vector<std::string>& templated) {
    std::string out;
    scan_tokens(
        text, window, [&](std::string_view part) { out += escape_template(part); },
        [&](value_kind kind, const std::string& token) {
            if (kind == value_kind::epoch_seconds) {
                out += token;  // no template gives seconds
                return;
            }
            templated.push_back(token + " (" + std::string(describe(kind)) + ")");
            out += kind == value_kind::iso_timestamp ? "{{now_iso}}"
                   : kind == value_kind::uuid        ? "{{uuid}}"
                                                     : "{{now}}";
        });
    return out;
}

std::string escape_template(std::string_view text) {
    std::string out;
    std::size_t start = 0;
    for (auto at = text.find("{{"); at != std::string_view::npos; at = text.find("{{", start)) {
        out.append(text.substr(start, at - start));
        out += "{{{{";
        start = at + 2;
    }
    out.append(text.substr(start));
    return out;
}

std::string expected_topic(std::string_view topic) {
    return map_levels(topic, "+");
}

std::string published_topic(std::string_view topic) {
    return map_levels(topic, "{{uuid}}");
}

}  // namespace harness::cli::record
