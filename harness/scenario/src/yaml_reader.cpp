// Reading YAML nodes into typed values with positions: maps with known keys, strings, booleans,
// numbers, durations, QoS and protocol versions. Each wrong value gives a diagnostic that says
// what was expected and what was found, and reading goes on.
#include "yaml_reader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace harness::scenario::detail {
namespace {

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

/// A decimal number ("12", "1.5"); nullopt for anything else.
std::optional<double> parse_decimal(std::string_view text) {
    if (text.empty())
        return std::nullopt;
    bool dot = false;
    bool digit = false;
    for (const char c : text) {
        if (c == '.' && !dot) {
            dot = true;
        } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
            digit = true;
        } else {
            return std::nullopt;
        }
    }
    if (!digit)
        return std::nullopt;
    try {
        return std::stod(std::string(text));
    } catch (const std::out_of_range&) {
        return std::nullopt;  // hundreds of digits, beyond a double: not a sensible value
    }
}

/// "500ms", "2s", "1.5s", "1m"; nullopt for anything else.
std::optional<milliseconds> parse_duration(std::string_view text) {
    std::size_t unit = text.size();
    while (unit > 0 && std::isalpha(static_cast<unsigned char>(text[unit - 1])) != 0)
        --unit;
    const std::string_view suffix = text.substr(unit);
    const std::optional<double> value = parse_decimal(text.substr(0, unit));
    double factor = 0;
    if (suffix == "ms")
        factor = 1;
    else if (suffix == "s")
        factor = 1000;
    else if (suffix == "m")
        factor = 60'000;
    if (!value || factor == 0 || *value * factor >= 1e12)
        return std::nullopt;
    return milliseconds(static_cast<std::int64_t>(std::llround(*value * factor)));
}

}  // namespace

std::string describe(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull())
        return "nothing";
    if (node.IsMap())
        return "a map";
    if (node.IsSequence())
        return "a list";
    std::string text = node.Scalar();
    if (text.size() > 60)
        text = text.substr(0, 57) + "...";
    return is_plain(node) ? "`" + text + "`" : "`\"" + text + "\"`";
}

bool is_plain(const YAML::Node& node) {
    return node.Tag() != "!";
}

std::optional<YAML::Node> get(const YAML::Node& map, std::string_view key) {
    if (!map.IsMap())
        return std::nullopt;
    for (const auto& entry : map) {
        if (entry.first.IsScalar() && entry.first.Scalar() == key)
            return entry.second;
    }
    return std::nullopt;
}

reader::reader(std::string file, std::vector<diagnostic>& errors)
    : file_(std::move(file)), errors_(errors) {
    std::error_code ec;
    std::filesystem::path parent = std::filesystem::path(file_).parent_path();
    base_ = std::filesystem::absolute(parent.empty() ? std::filesystem::path(".") : parent, ec)
                .lexically_normal();
    if (!base_.has_filename() && base_.has_relative_path())
        base_ = base_.parent_path();
}

position reader::where(const YAML::Node& node) const {
    const YAML::Mark mark = node.Mark();
    if (mark.is_null())
        return {file_, 0, 0};
    return {file_, mark.line + 1, mark.column + 1};
}

void reader::error(const YAML::Node& node, std::string message) {
    error(where(node), std::move(message));
}

void reader::error(const position& at, std::string message) {
    errors_.push_back({at, std::move(message)});
}

bool reader::expect_map(const YAML::Node& node, std::string_view what) {
    if (node.IsMap())
        return true;
    error(node, "expected " + std::string(what) + " (a map), got " + describe(node));
    return false;
}

bool reader::expect_list(const YAML::Node& node, std::string_view what) {
    if (node.IsSequence())
        return true;
    error(node, "expected " + std::string(what) + " (a list), got " + describe(node));
    return false;
}

void reader::check_keys(const YAML::Node& map, const std::vector<std::string_view>& known,
                        std::string_view what) {
    std::vector<std::string> seen;
    for (const auto& entry : map) {
        if (!entry.first.IsScalar()) {
            error(entry.first,
                  "expected a key name in " + std::string(what) + ", got " + describe(entry.first));
            continue;
        }
        const std::string& key = entry.first.Scalar();
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
            error(entry.first, "key `" + key + "` is given twice in " + std::string(what));
            continue;
        }
        seen.push_back(key);
        if (std::find(known.begin(), known.end(), key) != known.end())
            continue;
        std::string message = "unknown key `" + key + "` in " + std::string(what);
        const std::optional<std::string> best = closest(key, known);
        if (best) {
            message += " (did you mean `" + *best + "`?)";
        } else {
            message += "; expected one of:";
            for (std::size_t i = 0; i < known.size(); ++i)
                message += (i == 0 ? " " : ", ") + std::string(known[i]);
        }
        error(entry.first, std::move(message));
    }
}

bool reader::require(const YAML::Node& map, std::string_view key, std::string_view what) {
    if (get(map, key))
        return true;
    error(map, "missing required key `" + std::string(key) + "` in " + std::string(what));
    return false;
}

std::optional<std::string> reader::string(const YAML::Node& node, std::string_view what) {
    if (node.IsScalar())
        return node.Scalar();
    error(node, "expected " + std::string(what) + " (a string), got " + describe(node));
    return std::nullopt;
}

std::optional<bool> reader::boolean(const YAML::Node& node) {
    if (node.IsScalar() && is_plain(node)) {
        std::string text = node.Scalar();
        std::transform(text.begin(), text.end(), text.begin(), lower);
        if (text == "true" || text == "yes" || text == "on")
            return true;
        if (text == "false" || text == "no" || text == "off")
            return false;
    }
    error(node, "expected true or false, got " + describe(node));
    return std::nullopt;
}

std::optional<std::int64_t> reader::integer(const YAML::Node& node, std::int64_t min,
                                            std::int64_t max) {
    const std::string range = std::to_string(min) + ".." + std::to_string(max);
    if (node.IsScalar() && is_plain(node)) {
        std::string_view text = node.Scalar();
        int base = 10;
        const bool negative = !text.empty() && text.front() == '-';
        if (negative)
            text.remove_prefix(1);
        if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
            base = 16;
            text.remove_prefix(2);
        }
        // One sign only: from_chars would take "--5" or "0x-5" (and negating INT64_MIN overflows).
        const bool unsigned_digits = !text.empty() && text.front() != '-';
        std::int64_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
        if (unsigned_digits && ec == std::errc() && end == text.data() + text.size()) {
            if (negative)
                value = -value;
            if (value >= min && value <= max)
                return value;
            error(node, "expected an integer in " + range + ", got " + describe(node));
            return std::nullopt;
        }
    }
    error(node, "expected an integer in " + range + ", got " + describe(node));
    return std::nullopt;
}

std::optional<double> reader::number(const YAML::Node& node, double min_exclusive) {
    if (node.IsScalar() && is_plain(node)) {
        const std::optional<double> value = parse_decimal(node.Scalar());
        if (value && *value > min_exclusive)
            return value;
    }
    error(node, "expected a number greater than " +
                    std::to_string(static_cast<int>(min_exclusive)) + ", got " + describe(node));
    return std::nullopt;
}

std::optional<milliseconds> reader::duration(const YAML::Node& node) {
    if (node.IsScalar()) {
        if (const std::optional<milliseconds> value = parse_duration(node.Scalar()))
            return value;
    }
    error(node, "expected a duration like 500ms or 2s, got " + describe(node));
    return std::nullopt;
}

std::optional<std::uint32_t> reader::seconds(const YAML::Node& node, std::uint32_t max) {
    if (node.IsScalar() && is_plain(node) && parse_decimal(node.Scalar()) &&
        node.Scalar().find('.') == std::string::npos) {
        const std::optional<std::int64_t> value = integer(node, 0, max);
        if (!value)
            return std::nullopt;
        return static_cast<std::uint32_t>(*value);
    }
    if (node.IsScalar()) {
        if (const std::optional<milliseconds> value = parse_duration(node.Scalar())) {
            if (value->count() % 1000 != 0 || value->count() / 1000 > max) {
                error(node, "expected a whole number of seconds up to " + std::to_string(max) +
                                ", got " + describe(node));
                return std::nullopt;
            }
            return static_cast<std::uint32_t>(value->count() / 1000);
        }
    }
    error(node,
          "expected a duration like 30s or an integer number of seconds, got " + describe(node));
    return std::nullopt;
}

std::optional<int> reader::qos(const YAML::Node& node) {
    if (node.IsScalar() && is_plain(node)) {
        const std::string& text = node.Scalar();
        if (text == "0" || text == "1" || text == "2")
            return text[0] - '0';
    }
    error(node, "expected a QoS of 0, 1 or 2, got " + describe(node));
    return std::nullopt;
}

std::optional<int> reader::protocol(const YAML::Node& node) {
    if (node.IsScalar()) {
        const std::string& text = node.Scalar();
        if (text == "3.1")
            return 3;
        if (text == "3.1.1")
            return 4;
        if (text == "5" || text == "5.0")
            return 5;
    }
    error(node, "expected a protocol version of 3.1, 3.1.1 or 5, got " + describe(node));
    return std::nullopt;
}

}  // namespace harness::scenario::detail
