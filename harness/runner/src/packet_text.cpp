// One-line descriptions of packets for traces.
#include "packet_text.hpp"

#include <fmt/format.h>

#include "harness/scenario/match.hpp"

namespace harness::runner {

namespace {

std::string properties_text(const codec::property_list& props) {
    std::string out;
    if (auto* s = props.string(codec::property_id::content_type))
        out += fmt::format(" content_type=\"{}\"", *s);
    if (auto* s = props.string(codec::property_id::response_topic))
        out += fmt::format(" response_topic=\"{}\"", *s);
    if (auto* b = props.binary_data(codec::property_id::correlation_data))
        out += fmt::format(
            " correlation=\"{}\"",
            scenario::describe_payload(
                std::string_view(reinterpret_cast<const char*>(b->data()), b->size()), 60));
    for (const auto& [k, v] : props.user_properties())
        out += fmt::format(" {}={}", k, v);
    return out;
}

template <class Reasons>
std::string reasons_text(const Reasons& reasons) {
    std::string out = "[";
    for (const auto& r : reasons) {
        if (out.size() > 1)
            out += ", ";
        out += codec::to_string(r);
    }
    return out + "]";
}

struct describe {
    std::string operator()(const codec::connect& p) const {
        return fmt::format("CONNECT v{} id=\"{}\" clean={} keep_alive={}{}{}",
                           static_cast<int>(p.version), p.client_id, p.clean_start, p.keep_alive,
                           p.username ? " user=\"" + *p.username + "\"" : "",
                           p.will ? " will=\"" + p.will->topic + "\"" : "");
    }
    std::string operator()(const codec::connack& p) const {
        return fmt::format("CONNACK {} session_present={}", codec::to_string(p.reason_code),
                           p.session_present);
    }
    std::string operator()(const codec::publish& p) const {
        return fmt::format(
            "PUBLISH q{}{}{}{} \"{}\" \"{}\"{}", static_cast<int>(p.qos),
            p.packet_id ? fmt::format(" id={}", p.packet_id) : "", p.retain ? " retain" : "",
            p.dup ? " dup" : "", p.topic,
            scenario::describe_payload(
                std::string_view(reinterpret_cast<const char*>(p.payload.data()), p.payload.size()),
                120),
            properties_text(p.properties));
    }
    std::string operator()(const codec::puback& p) const {
        return fmt::format("PUBACK id={} {}", p.packet_id, codec::to_string(p.reason_code));
    }
    std::string operator()(const codec::pubrec& p) const {
        return fmt::format("PUBREC id={} {}", p.packet_id, codec::to_string(p.reason_code));
    }
    std::string operator()(const codec::pubrel& p) const {
        return fmt::format("PUBREL id={}", p.packet_id);
    }
    std::string operator()(const codec::pubcomp& p) const {
        return fmt::format("PUBCOMP id={}", p.packet_id);
    }
    std::string operator()(const codec::subscribe& p) const {
        std::string out = fmt::format("SUBSCRIBE id={}", p.packet_id);
        for (const auto& s : p.subscriptions)
            out += fmt::format(" \"{}\" q{}", s.topic_filter, static_cast<int>(s.max_qos));
        return out;
    }
    std::string operator()(const codec::suback& p) const {
        return fmt::format("SUBACK id={} {}", p.packet_id, reasons_text(p.reason_codes));
    }
    std::string operator()(const codec::unsubscribe& p) const {
        std::string out = fmt::format("UNSUBSCRIBE id={}", p.packet_id);
        for (const auto& f : p.topic_filters)
            out += fmt::format(" \"{}\"", f);
        return out;
    }
    std::string operator()(const codec::unsuback& p) const {
        return fmt::format("UNSUBACK id={}", p.packet_id);
    }
    std::string operator()(const codec::pingreq&) const { return "PINGREQ"; }
    std::string operator()(const codec::pingresp&) const { return "PINGRESP"; }
    std::string operator()(const codec::disconnect& p) const {
        return fmt::format("DISCONNECT {}", codec::to_string(p.reason_code));
    }
    std::string operator()(const codec::auth& p) const {
        return fmt::format("AUTH {}", codec::to_string(p.reason_code));
    }
};

}  // namespace

std::string packet_text(const codec::packet& p) {
    return std::visit(describe{}, p);
}

}  // namespace harness::runner
