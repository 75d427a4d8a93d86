// Writing the recorded scenario with YAML::Emitter: block maps for steps, flow maps for payloads
// and properties, strings quoted where YAML would read them as something else.
#include "record_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace harness::cli::record {
namespace {

const char* const publisher = "publisher";
const char* const observer = "observer";

/// True when a plain scalar would not load back as this string (a bool, null, number) or would
/// break a flow map.
bool needs_quotes(const std::string& s) {
    if (s.empty())
        return true;
    std::string lower = s;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const char* word :
         {"true", "false", "null", "~", "yes", "no", "on", "off", ".inf", "-.inf", ".nan"})
        if (lower == word)
            return true;
    const auto c0 = static_cast<unsigned char>(s[0]);
    if (std::isdigit(c0) != 0)
        return true;
    if ((s[0] == '+' || s[0] == '-' || s[0] == '.') && s.size() > 1 &&
        std::isdigit(static_cast<unsigned char>(s[1])) != 0)
        return true;
    return s.find_first_of("{}[],#:&*!|>'\"%@`") != std::string::npos || std::isspace(c0) != 0 ||
           std::isspace(static_cast<unsigned char>(s.back())) != 0;
}

void string(YAML::Emitter& out, const std::string& s) {
    if (needs_quotes(s))
        out << YAML::DoubleQuoted;
    out << s;
}

std::string number_text(double d) {
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
    std::string text(buffer, ec == std::errc() ? end : buffer);
    if (text.find_first_of(".en") == std::string::npos)
        text += ".0";  // stays a floating-point number
    return text;
}

void json(YAML::Emitter& out, const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::object:
            out << YAML::Flow << YAML::BeginMap;
            for (const auto& member : v.get_object()) {
                out << YAML::Key;
                string(out, std::string(member.key()));
                out << YAML::Value;
                json(out, member.value());
            }
            out << YAML::EndMap;
            break;
        case boost::json::kind::array:
            out << YAML::Flow << YAML::BeginSeq;
            for (const auto& item : v.get_array())
                json(out, item);
            out << YAML::EndSeq;
            break;
        case boost::json::kind::string:
            string(out, std::string(v.get_string()));
            break;
        case boost::json::kind::int64:
            out << v.get_int64();
            break;
        case boost::json::kind::uint64:
            out << v.get_uint64();
            break;
        case boost::json::kind::double_:
            out << number_text(v.get_double());
            break;
        case boost::json::kind::bool_:
            out << (v.get_bool() ? "true" : "false");
            break;
        case boost::json::kind::null:
            out << YAML::Null;
            break;
    }
}

std::string joined(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items)
        text += (text.empty() ? "" : ", ") + item;
    return text;
}

/// `payload: ...` with a comment naming what was generalised; nothing for kind none.
void payload(YAML::Emitter& out, const payload_doc& p, bool expected) {
    using kind = payload_doc::kind;
    if (p.form == kind::none && p.notes.empty())
        return;
    if (p.form != kind::none) {
        out << YAML::Key << "payload" << YAML::Value;
        if (p.form == kind::text) {
            string(out, p.text);
        } else {
            out << YAML::Flow << YAML::BeginMap << YAML::Key;
            if (p.form == kind::json) {
                out << "json" << YAML::Value;
                json(out, p.json);
            } else if (p.form == kind::hex) {
                out << "hex" << YAML::Value << YAML::DoubleQuoted << p.text;
            } else {
                out << "regex" << YAML::Value;
                if (p.text.find('\n') == std::string::npos)
                    out << YAML::SingleQuoted;
                out << p.text;
            }
            out << YAML::EndMap;
        }
    }
    if (!p.notes.empty()) {
        const std::string what = !expected ? "made fresh at each run: "
                                 : p.form == kind::regex
                                     ? "varies between runs, any value matches: "
                                     : "varies between runs, not matched: ";
        out << YAML::Comment(what + joined(p.notes));
    }
}

void properties(YAML::Emitter& out, const properties_doc& p) {
    if (p.empty())
        return;
    out << YAML::Key << "properties" << YAML::Value << YAML::Flow << YAML::BeginMap;
    const auto text = [&](const char* key, const std::optional<std::string>& value) {
        if (value) {
            out << YAML::Key << key << YAML::Value;
            string(out, *value);
        }
    };
    text("content_type", p.content_type);
    text("response_topic", p.response_topic);
    text("correlation_data", p.correlation_data);
    if (!p.user_properties.empty()) {
        out << YAML::Key << "user_properties" << YAML::Value << YAML::BeginSeq;
        for (const auto& [name, value] : p.user_properties) {
            out << YAML::BeginMap << YAML::Key << "name" << YAML::Value;
            string(out, name);
            out << YAML::Key << "value" << YAML::Value;
            string(out, value);
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
    }
    out << YAML::EndMap;
}

void publish_step(YAML::Emitter& out, const publish_doc& p) {
    out << YAML::BeginMap << YAML::Key << "publish" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "client" << YAML::Value << publisher;
    out << YAML::Key << "topic" << YAML::Value;
    string(out, p.topic);
    payload(out, p.payload, false);
    if (p.qos != 0)
        out << YAML::Key << "qos" << YAML::Value << p.qos;
    if (p.retain)
        out << YAML::Key << "retain" << YAML::Value << true;
    properties(out, p.properties);
    out << YAML::EndMap << YAML::EndMap;
}

/// The keys of one match, inside a map the caller opened.
void match_keys(YAML::Emitter& out, const match_doc& m) {
    out << YAML::Key << "topic" << YAML::Value;
    string(out, m.topic);
    payload(out, m.payload, true);
    out << YAML::Key << "qos" << YAML::Value << m.qos;
    if (m.retain)
        out << YAML::Key << "retain" << YAML::Value << true;
    if (m.count != 1)
        out << YAML::Key << "count" << YAML::Value << m.count;
    properties(out, m.properties);
}

void expect_step(YAML::Emitter& out, const expect_doc& e) {
    out << YAML::BeginMap << YAML::Key << "expect" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "client" << YAML::Value << observer;
    if (e.messages.size() == 1) {
        match_keys(out, e.messages.front());
    } else {
        out << YAML::Key << "messages" << YAML::Value << YAML::BeginSeq;
        for (const auto& m : e.messages) {
            out << YAML::BeginMap;
            match_keys(out, m);
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
        if (!e.ordered)
            out << YAML::Key << "ordered" << YAML::Value << false;
    }
    out << YAML::Key << "within" << YAML::Value << duration_text(e.within);
    out << YAML::EndMap << YAML::EndMap;
}

void subscribe_step(YAML::Emitter& out, const scenario_doc& doc) {
    out << YAML::BeginMap << YAML::Key << "subscribe" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "client" << YAML::Value << observer;
    out << YAML::Key << "topics" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& f : doc.observe)
        string(out, f);
    out << YAML::EndSeq;
    out << YAML::Key << "qos" << YAML::Value << doc.qos;
    out << YAML::Key << "retain_as_published" << YAML::Value << true;
    out << YAML::Key << "retain_handling" << YAML::Value << (doc.observer_gets_retained ? 0 : 2);
    out << YAML::EndMap << YAML::EndMap;
}

}  // namespace

std::string duration_text(milliseconds d) {
    if (d.count() > 0 && d.count() % 1000 == 0)
        return std::to_string(d.count() / 1000) + "s";
    return std::to_string(d.count()) + "ms";
}

std::string to_yaml(const scenario_doc& doc) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value;
    string(out, doc.name);
    out << YAML::Key << "description" << YAML::Value;
    string(out, doc.description);
    out << YAML::Key << "clients" << YAML::Value << YAML::BeginSeq;
    for (const char* name : {publisher, observer})
        out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name
            << YAML::EndMap;
    out << YAML::EndSeq;
    out << YAML::Key << "steps" << YAML::Value << YAML::BeginSeq;
    for (const auto& p : doc.setup)
        publish_step(out, p);
    if (!doc.observe.empty())
        subscribe_step(out, doc);
    if (doc.retained)
        expect_step(out, *doc.retained);
    for (const auto& e : doc.episodes) {
        publish_step(out, e.trigger);
        for (const auto& x : e.expects)
            expect_step(out, x);
    }
    out << YAML::EndSeq << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

}  // namespace harness::cli::record
