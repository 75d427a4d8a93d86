// Compact JSON text with shortest round-trip numbers.
#include "harness/packet_json/json_text.hpp"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>

namespace harness::packet_json {

namespace {

void append_double(std::string& out, double d) {
    if (!std::isfinite(d)) {
        out += "null";
        return;
    }
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);  // shortest exact representation
    out.append(buf, r.ptr);
}

void append(std::string& out, const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::null:
            out += "null";
            break;
        case boost::json::kind::bool_:
            out += v.get_bool() ? "true" : "false";
            break;
        case boost::json::kind::int64:
            out += std::to_string(v.get_int64());
            break;
        case boost::json::kind::uint64:
            out += std::to_string(v.get_uint64());
            break;
        case boost::json::kind::double_:
            append_double(out, v.get_double());
            break;
        case boost::json::kind::string:
            out += boost::json::serialize(v.get_string());
            break;
        case boost::json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& e : v.get_array()) {
                if (!first)
                    out += ',';
                first = false;
                append(out, e);
            }
            out += ']';
            break;
        }
        case boost::json::kind::object: {
            out += '{';
            bool first = true;
            for (const auto& [k, e] : v.get_object()) {
                if (!first)
                    out += ',';
                first = false;
                out += boost::json::serialize(boost::json::string_view(k));
                out += ':';
                append(out, e);
            }
            out += '}';
            break;
        }
    }
}

}  // namespace

std::string json_text(const boost::json::value& value) {
    std::string out;
    append(out, value);
    return out;
}

}  // namespace harness::packet_json
