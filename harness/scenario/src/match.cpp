// Matching received messages against scenario expectations: topic, payload forms, QoS, retain
// and 5.0 properties, with every difference put in words. The JSON helpers (paths, subset and
// value equality) are in json_match.cpp.
// GCC 12 reports a false -Wmaybe-uninitialized inside std::function when <regex> compiles a
// pattern (GCC bug 105562); the diagnostic points into libstdc++, so it is silenced file-wide.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "harness/scenario/match.hpp"

#include <boost/json/parse.hpp>
#include <cstdint>
#include <memory>
#include <regex>
#include <unordered_map>

#include "harness/codec/topic.hpp"
#include "json_match.hpp"

namespace harness::scenario {

namespace {

std::string_view as_text(const codec::binary& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

/// Length of the UTF-8 sequence starting at `i` when it is valid and printable, else 0.
std::size_t printable_sequence(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80) {
        const bool control = lead < 0x20 && lead != '\t' && lead != '\n' && lead != '\r';
        return (control || lead == 0x7F) ? 0 : 1;
    }
    std::size_t length = 0;
    std::uint32_t code = 0;
    if ((lead & 0xE0) == 0xC0) {
        length = 2;
        code = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        code = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        code = lead & 0x07;
    } else {
        return 0;
    }
    if (i + length > s.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) {
            return 0;
        }
        code = (code << 6) | (byte(i + k) & 0x3F);
    }
    static constexpr std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    const bool overlong = code < smallest[length];
    const bool surrogate = code >= 0xD800 && code <= 0xDFFF;
    const bool c1_control = code >= 0x80 && code <= 0x9F;
    if (overlong || surrogate || c1_control || code > 0x10FFFF) {
        return 0;
    }
    return length;
}

bool is_printable_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = printable_sequence(s, i);
        if (n == 0) {
            return false;
        }
        i += n;
    }
    return true;
}

std::string to_hex(std::string_view bytes, std::size_t limit) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out = "hex:";
    std::size_t written = 0;
    for (const char c : bytes) {
        if (written + 2 > limit) {
            out += "…";
            break;
        }
        const auto b = static_cast<unsigned char>(c);
        out += digits[b >> 4];
        out += digits[b & 0x0F];
        written += 2;
    }
    return out;
}

/// A payload or byte string in a mismatch: quoted text, or hex:….
std::string shown(std::string_view bytes, std::size_t limit = 100) {
    if (is_printable_utf8(bytes)) {
        return "\"" + describe_payload(bytes, limit) + "\"";
    }
    return describe_payload(bytes, limit);
}

/// Decodes "de ad BE ef" into bytes; nullopt with `error` set on an odd count or a non-digit.
std::optional<std::string> decode_hex(std::string_view digits, std::string& error) {
    std::string out;
    int high = -1;
    for (const char c : digits) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            continue;
        }
        int value = -1;
        if (c >= '0' && c <= '9') {
            value = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            value = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            value = c - 'A' + 10;
        } else {
            error = std::string("hex payload has a non-hex character '") + c + "'";
            return std::nullopt;
        }
        if (high < 0) {
            high = value;
        } else {
            out += static_cast<char>((high << 4) | value);
            high = -1;
        }
    }
    if (high >= 0) {
        error = "hex payload has an odd number of digits";
        return std::nullopt;
    }
    return out;
}

/// Compiled patterns, kept per thread: an expectation is checked against many messages.
const std::regex* compiled_regex(const std::string& pattern, std::string& error) {
    thread_local std::unordered_map<std::string, std::unique_ptr<std::regex>> cache;
    if (const auto it = cache.find(pattern); it != cache.end()) {
        return it->second.get();
    }
    try {
        auto re = std::make_unique<std::regex>(pattern, std::regex::ECMAScript);
        if (cache.size() >= 64) {
            cache.clear();
        }
        return cache.emplace(pattern, std::move(re)).first->second.get();
    } catch (const std::regex_error& e) {
        error = "invalid regex /" + pattern + "/: " + e.what();
        return nullptr;
    }
}

/// Collects the differences of one message.
class mismatches {
  public:
    void add(std::string text) {
        if (!text_.empty()) {
            text_ += "; ";
        }
        text_ += std::move(text);
    }
    bool empty() const noexcept { return text_.empty(); }
    std::string take() { return std::move(text_); }

  private:
    std::string text_;
};

std::optional<std::string> expand(std::string_view raw, const template_resolver& resolve,
                                  mismatches& out) {
    std::string error;
    auto value = expand_template(raw, resolve, error);
    if (!value) {
        out.add("template error: " + error);
    }
    return value;
}

/// A copy of `value` with every string expanded as a template; nullopt on an error.
std::optional<boost::json::value> expand_json(const boost::json::value& value,
                                              const template_resolver& resolve, mismatches& out) {
    if (const auto* s = value.if_string()) {
        if (s->find("{{") == boost::json::string::npos) {
            return value;
        }
        auto text = expand({s->data(), s->size()}, resolve, out);
        if (!text) {
            return std::nullopt;
        }
        return boost::json::value(*text);
    }
    if (const auto* array = value.if_array()) {
        boost::json::array copy;
        for (const auto& item : *array) {
            auto expanded = expand_json(item, resolve, out);
            if (!expanded) {
                return std::nullopt;
            }
            copy.push_back(std::move(*expanded));
        }
        return boost::json::value(std::move(copy));
    }
    if (const auto* object = value.if_object()) {
        boost::json::object copy;
        for (const auto& member : *object) {
            auto expanded = expand_json(member.value(), resolve, out);
            if (!expanded) {
                return std::nullopt;
            }
            copy[member.key()] = std::move(*expanded);
        }
        return boost::json::value(std::move(copy));
    }
    return value;
}

std::optional<boost::json::value> parse_json(std::string_view text) {
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    if (ec) {
        return std::nullopt;
    }
    return value;
}

void match_payload(const payload_match& expected, std::string_view payload,
                   const template_resolver& resolve, mismatches& out) {
    switch (expected.how) {
        case payload_match::kind::any:
            return;
        case payload_match::kind::exact: {
            const auto text = expand(expected.text, resolve, out);
            if (text && payload != *text) {
                out.add("payload " + shown(payload) + " is not " + shown(*text));
            }
            return;
        }
        case payload_match::kind::regex: {
            std::string error;
            const std::regex* re = compiled_regex(expected.text, error);
            if (re == nullptr) {
                out.add(error);
            } else if (!std::regex_search(payload.begin(), payload.end(), *re)) {
                out.add("payload " + shown(payload) + " does not match /" + expected.text + "/");
            }
            return;
        }
        case payload_match::kind::json_subset: {
            const auto doc = parse_json(payload);
            if (!doc) {
                out.add("payload is not JSON");
                return;
            }
            const auto subset = expand_json(expected.json, resolve, out);
            if (subset) {
                if (auto difference = json_difference(*doc, *subset, "$")) {
                    out.add(std::move(*difference));
                }
            }
            return;
        }
        case payload_match::kind::json_path: {
            const auto doc = parse_json(payload);
            if (!doc) {
                out.add("payload is not JSON");
                return;
            }
            const boost::json::value* found = find_json_path(*doc, expected.path);
            if (expected.path_exists_only) {
                if (found == nullptr) {
                    out.add("JSON field " + expected.path + " is missing");
                }
                return;
            }
            const auto wanted = expand_json(expected.json, resolve, out);
            if (!wanted) {
                return;
            }
            if (found == nullptr) {
                out.add("JSON field " + expected.path + " is missing, expected " +
                        json_text(*wanted));
            } else if (!json_equal(*found, *wanted)) {
                out.add("JSON field " + expected.path + " is " + json_text(*found) + ", expected " +
                        json_text(*wanted));
            }
            return;
        }
        case payload_match::kind::hex: {
            std::string error;
            const auto bytes = decode_hex(expected.text, error);
            if (!bytes) {
                out.add(error);
            } else if (payload != *bytes) {
                out.add("payload " + to_hex(payload, 100) + " is not " + to_hex(*bytes, 100));
            }
            return;
        }
    }
}

void match_text_property(std::string_view label, const std::optional<std::string>& expected,
                         const std::string* received, const template_resolver& resolve,
                         mismatches& out) {
    if (!expected) {
        return;
    }
    const auto wanted = expand(*expected, resolve, out);
    if (!wanted) {
        return;
    }
    if (received == nullptr) {
        out.add(std::string(label) + " missing, expected " + shown(*wanted));
    } else if (*received != *wanted) {
        out.add(std::string(label) + " " + shown(*received) + ", expected " + shown(*wanted));
    }
}

void match_properties(const publish_properties_spec& expected, const codec::property_list& got,
                      const template_resolver& resolve, mismatches& out) {
    using codec::property_id;
    match_text_property("content type", expected.content_type,
                        got.string(property_id::content_type), resolve, out);
    match_text_property("response topic", expected.response_topic,
                        got.string(property_id::response_topic), resolve, out);
    if (expected.correlation_data) {
        const codec::binary* data = got.binary_data(property_id::correlation_data);
        std::optional<std::string> received;
        if (data != nullptr) {
            received = std::string(as_text(*data));
        }
        match_text_property("correlation data", expected.correlation_data,
                            received ? &*received : nullptr, resolve, out);
    }
    if (expected.payload_format_utf8) {
        const bool utf8 = got.integer(property_id::payload_format_indicator).value_or(0) == 1;
        if (utf8 != *expected.payload_format_utf8) {
            out.add(std::string("payload format ") + (utf8 ? "utf8" : "bytes") + ", expected " +
                    (*expected.payload_format_utf8 ? "utf8" : "bytes"));
        }
    }
    if (expected.message_expiry_interval) {
        const auto wanted = *expected.message_expiry_interval;
        const auto received = got.integer(property_id::message_expiry_interval);
        if (!received) {
            out.add("message expiry missing, expected " + std::to_string(wanted));
        } else if (*received > wanted || *received + 2 < wanted) {
            out.add("message expiry " + std::to_string(*received) + ", expected " +
                    std::to_string(wanted));
        }
    }
    if (!expected.user_properties.empty()) {
        const auto received = got.user_properties();
        for (const auto& [raw_name, raw_value] : expected.user_properties) {
            const auto name = expand(raw_name, resolve, out);
            const auto value = expand(raw_value, resolve, out);
            if (!name || !value) {
                continue;
            }
            bool found = false;
            std::string others;
            for (const auto& [n, v] : received) {
                if (n == *name && v == *value) {
                    found = true;
                    break;
                }
                if (n == *name) {
                    others += (others.empty() ? "" : ", ") + n + "=" + v;
                }
            }
            if (!found) {
                std::string text = "missing user property " + *name + "=" + *value;
                if (!others.empty()) {
                    text += " (has " + others + ")";
                }
                out.add(std::move(text));
            }
        }
    }
}

}  // namespace

match_outcome match_message(const message_match& expected, const codec::publish& message,
                            const template_resolver& resolve) {
    match_outcome outcome;
    mismatches out;
    const auto raw_filter = expand(expected.topic_filter, resolve, out);
    if (!raw_filter) {
        outcome.mismatch = out.take();
        return outcome;
    }
    std::string_view filter = *raw_filter;
    if (const auto shared = codec::parse_shared_subscription(filter)) {
        filter = shared->filter;
    }
    if (!codec::topic_matches(filter, message.topic)) {
        outcome.mismatch = "topic \"" + message.topic + "\" does not match \"" + *raw_filter + "\"";
        return outcome;
    }
    outcome.topic_matched = true;

    const int qos = static_cast<int>(message.qos);
    if (expected.qos && *expected.qos != qos) {
        out.add("qos " + std::to_string(qos) + ", expected " + std::to_string(*expected.qos));
    }
    if (expected.retain && *expected.retain != message.retain) {
        out.add(std::string("retain ") + (message.retain ? "true" : "false") + ", expected " +
                (*expected.retain ? "true" : "false"));
    }
    match_payload(expected.payload, as_text(message.payload), resolve, out);
    match_properties(expected.properties, message.properties, resolve, out);

    outcome.matched = out.empty();
    outcome.mismatch = out.take();
    return outcome;
}

std::string describe_payload(std::string_view bytes, std::size_t limit) {
    if (!is_printable_utf8(bytes)) {
        return to_hex(bytes, limit);
    }
    if (bytes.size() <= limit) {
        return std::string(bytes);
    }
    // Cut on a character boundary at or before `limit`.
    std::size_t end = 0;
    while (end < bytes.size()) {
        const std::size_t n = printable_sequence(bytes, end);
        if (end + n > limit) {
            break;
        }
        end += n;
    }
    return std::string(bytes.substr(0, end)) + "…";
}

}  // namespace harness::scenario
