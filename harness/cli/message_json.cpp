// Builds the --json object of a received message.
#include "message_json.hpp"

#include <openssl/evp.h>

#include <ctime>
#include <string>

#include "harness/codec/utf8.hpp"
#include "harness/packet_json/packet_json.hpp"

namespace harness::cli {
namespace {

std::string base64(const codec::binary& data) {
    std::string out(4 * ((data.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                                  static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

/// 2026-11-25T23:59:59.123Z
std::string iso8601(std::chrono::system_clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
    const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  static_cast<int>(ms.count() % 1000));
    return text;
}

}  // namespace

boost::json::object message_json(const codec::publish& m, codec::protocol_version version,
                                 std::chrono::system_clock::time_point received_at) {
    boost::json::object out;
    out["topic"] = m.topic;
    out["qos"] = static_cast<int>(m.qos);
    out["retain"] = m.retain;
    const std::string_view text(reinterpret_cast<const char*>(m.payload.data()), m.payload.size());
    if (codec::check_mqtt_utf8(text)) {
        out["payload"] = text;
    } else {
        out["payload_base64"] = base64(m.payload);
    }
    if (version == codec::protocol_version::v5) {
        out["properties"] = packet_json::to_json(codec::packet{m}, version).at("properties");
    }
    out["received_at"] = iso8601(received_at);
    return out;
}

}  // namespace harness::cli
