// JSON paths, JSON subset and JSON equality for payload matching, and the words that say where
// an expected JSON value and a received one differ.
#include "json_match.hpp"
#include "harness/packet_json/json_text.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <string_view>
#include <vector>

#include "harness/scenario/match.hpp"

namespace harness::scenario {

namespace {

/// One step of a JSON path: a member name or an array index.
struct path_step {
    bool is_index = false;
    std::string name;
    std::size_t index = 0;
};

bool is_name_char(char c) {
    return c != '.' && c != '[' && c != ']' && c != '\'' && c != '"';
}

/// Splits "$.a['b c'][0]" into steps; false when the path is not valid.
bool parse_path(std::string_view path, std::vector<path_step>& steps) {
    std::size_t i = 0;
    if (!path.empty() && path[0] == '$') {
        i = 1;
    } else if (!path.empty() && path[0] != '.' && path[0] != '[') {
        // "a.b": an implied "$."
        std::size_t end = 0;
        while (end < path.size() && is_name_char(path[end])) {
            ++end;
        }
        if (end == 0) {
            return false;
        }
        steps.push_back({false, std::string(path.substr(0, end)), 0});
        i = end;
    } else if (path.empty()) {
        return false;
    }
    while (i < path.size()) {
        if (path[i] == '.') {
            std::size_t end = i + 1;
            while (end < path.size() && is_name_char(path[end])) {
                ++end;
            }
            if (end == i + 1) {
                return false;
            }
            steps.push_back({false, std::string(path.substr(i + 1, end - i - 1)), 0});
            i = end;
        } else if (path[i] == '[') {
            if (i + 1 < path.size() && (path[i + 1] == '\'' || path[i + 1] == '"')) {
                const char quote = path[i + 1];
                const std::size_t close = path.find(quote, i + 2);
                if (close == std::string_view::npos || close + 1 >= path.size() ||
                    path[close + 1] != ']') {
                    return false;
                }
                steps.push_back({false, std::string(path.substr(i + 2, close - i - 2)), 0});
                i = close + 2;
            } else {
                std::size_t end = i + 1;
                std::size_t index = 0;
                while (end < path.size() && path[end] >= '0' && path[end] <= '9') {
                    if (index > 100'000'000) {
                        return false;
                    }
                    index = index * 10 + static_cast<std::size_t>(path[end] - '0');
                    ++end;
                }
                if (end == i + 1 || end >= path.size() || path[end] != ']') {
                    return false;
                }
                steps.push_back({true, {}, index});
                i = end + 1;
            }
        } else {
            return false;
        }
    }
    return true;
}

bool is_number(const boost::json::value& v) {
    return v.is_int64() || v.is_uint64() || v.is_double();
}

bool numbers_equal(const boost::json::value& a, const boost::json::value& b) {
    if (a.is_double() || b.is_double()) {
        return a.to_number<double>() == b.to_number<double>();
    }
    if (a.is_int64() && b.is_int64()) {
        return a.get_int64() == b.get_int64();
    }
    if (a.is_uint64() && b.is_uint64()) {
        return a.get_uint64() == b.get_uint64();
    }
    const std::int64_t i = a.is_int64() ? a.get_int64() : b.get_int64();
    const std::uint64_t u = a.is_uint64() ? a.get_uint64() : b.get_uint64();
    return i >= 0 && static_cast<std::uint64_t>(i) == u;
}

std::string member_path(const std::string& path, std::string_view key) {
    const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return is_name_char(c) && c != ' ';
    });
    if (plain) {
        return path + "." + std::string(key);
    }
    return path + "['" + std::string(key) + "']";
}

}  // namespace

const boost::json::value* find_json_path(const boost::json::value& doc, std::string_view path) {
    std::vector<path_step> steps;
    if (!parse_path(path, steps)) {
        return nullptr;
    }
    const boost::json::value* at = &doc;
    for (const auto& step : steps) {
        if (step.is_index) {
            const auto* array = at->if_array();
            if (array == nullptr || step.index >= array->size()) {
                return nullptr;
            }
            at = &(*array)[step.index];
        } else {
            const auto* object = at->if_object();
            if (object == nullptr) {
                return nullptr;
            }
            at = object->if_contains(step.name);
            if (at == nullptr) {
                return nullptr;
            }
        }
    }
    return at;
}

bool is_valid_json_path(std::string_view path) {
    std::vector<path_step> steps;
    return parse_path(path, steps);
}

bool json_equal(const boost::json::value& a, const boost::json::value& b) {
    if (is_number(a) && is_number(b)) {
        return numbers_equal(a, b);
    }
    if (a.kind() != b.kind()) {
        return false;
    }
    if (const auto* array = a.if_array()) {
        const auto& other = b.get_array();
        if (array->size() != other.size()) {
            return false;
        }
        for (std::size_t i = 0; i < array->size(); ++i) {
            if (!json_equal((*array)[i], other[i])) {
                return false;
            }
        }
        return true;
    }
    if (const auto* object = a.if_object()) {
        const auto& other = b.get_object();
        if (object->size() != other.size()) {
            return false;
        }
        for (const auto& member : *object) {
            const auto* value = other.if_contains(member.key());
            if (value == nullptr || !json_equal(member.value(), *value)) {
                return false;
            }
        }
        return true;
    }
    return a == b;
}

bool json_contains(const boost::json::value& value, const boost::json::value& subset) {
    return !json_difference(value, subset, "$");
}

std::optional<std::string> json_difference(const boost::json::value& value,
                                           const boost::json::value& subset,
                                           const std::string& path) {
    const auto differs = [&] {
        return "JSON field " + path + " is " + json_text(value) + ", expected " + json_text(subset);
    };
    if (const auto* wanted = subset.if_object()) {
        const auto* got = value.if_object();
        if (got == nullptr) {
            return differs();
        }
        for (const auto& member : *wanted) {
            const std::string inner = member_path(path, member.key());
            const auto* item = got->if_contains(member.key());
            if (item == nullptr) {
                return "JSON field " + inner + " is missing, expected " + json_text(member.value());
            }
            if (auto difference = json_difference(*item, member.value(), inner)) {
                return difference;
            }
        }
        return std::nullopt;
    }
    if (const auto* wanted = subset.if_array()) {
        const auto* got = value.if_array();
        if (got == nullptr) {
            return differs();
        }
        if (got->size() != wanted->size()) {
            return "JSON field " + path + " has " + std::to_string(got->size()) +
                   " elements, expected " + std::to_string(wanted->size());
        }
        for (std::size_t i = 0; i < wanted->size(); ++i) {
            if (auto difference = json_difference((*got)[i], (*wanted)[i],
                                                  path + "[" + std::to_string(i) + "]")) {
                return difference;
            }
        }
        return std::nullopt;
    }
    if (!json_equal(value, subset)) {
        return differs();
    }
    return std::nullopt;
}

std::string json_text(const boost::json::value& value, std::size_t limit) {
    std::string text = packet_json::json_text(value);
    if (text.size() > limit) {
        std::size_t end = limit;
        // Do not cut inside a UTF-8 sequence.
        while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
            --end;
        }
        text.resize(end);
        text += "…";
    }
    return text;
}

}  // namespace harness::scenario
