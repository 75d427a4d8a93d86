// From observed messages to the scenario document: triggers and their reactions, payloads in
// the form a person would write them, timing bounds with a margin.
#include "record_model.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cstdio>

#include "harness/codec/topic.hpp"
#include "harness/codec/utf8.hpp"

namespace harness::cli::record {
namespace {

struct decoded {
    enum class shape { empty, text, json, binary };
    shape form = shape::empty;
    std::string text;
    boost::json::value json;
};

bool printable(std::string_view text) {
    return std::none_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7f;
    });
}

decoded decode(const std::vector<std::uint8_t>& bytes) {
    decoded d;
    if (bytes.empty())
        return d;
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (!codec::check_mqtt_utf8(text) || !printable(text)) {
        d.form = decoded::shape::binary;
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            char digits[4];
            std::snprintf(digits, sizeof digits, i == 0 ? "%02x" : " %02x", bytes[i]);
            d.text += digits;
        }
        return d;
    }
    d.form = decoded::shape::text;
    d.text = std::string(text);
    boost::system::error_code ec;
    auto json = boost::json::parse(text, ec);
    if (!ec && (json.is_object() || json.is_array())) {
        d.form = decoded::shape::json;
        d.json = std::move(json);
    }
    return d;
}

std::optional<std::string> text_of(const std::optional<std::vector<std::uint8_t>>& bytes) {
    if (!bytes)
        return std::nullopt;
    const std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    if (!codec::check_mqtt_utf8(text) || !printable(text))
        return std::nullopt;
    return std::string(text);
}

counter_paths counters_of(const recording& r) {
    std::map<std::string, std::vector<std::map<std::string, std::int64_t>>> series;
    for (const auto* list : {&r.retained, &r.live}) {
        for (const auto& m : *list) {
            auto d = decode(m.payload);
            if (d.form == decoded::shape::json) {
                series[m.topic].push_back(integer_leaves(d.json));
            } else if (d.form == decoded::shape::text) {
                boost::system::error_code ec;
                auto number = boost::json::parse(d.text, ec);
                if (!ec && number.is_number())
                    series[m.topic].push_back(integer_leaves(number));
            }
        }
    }
    return find_counters(series);
}

publish_doc make_publish(const observed_message& m, const time_window& window) {
    publish_doc p;
    p.topic = published_topic(m.topic);
    p.qos = m.qos;
    p.retain = m.retain;
    auto d = decode(m.payload);
    auto& out = p.payload;
    switch (d.form) {
        case decoded::shape::empty:
            break;
        case decoded::shape::binary:
            out.form = payload_doc::kind::hex;
            out.text = d.text;
            break;
        case decoded::shape::json:
            out.form = payload_doc::kind::json;
            out.json = published_json(d.json, out.notes);
            break;
        case decoded::shape::text:
            out.form = payload_doc::kind::text;
            out.text = published_text(d.text, window, out.notes);
            break;
    }
    auto& props = p.properties;
    if (m.content_type)
        props.content_type = escape_template(*m.content_type);
    if (m.response_topic)
        props.response_topic = escape_template(*m.response_topic);
    if (auto correlation = text_of(m.correlation_data))
        props.correlation_data = escape_template(*correlation);
    for (const auto& [name, value] : m.user_properties)
        props.user_properties.emplace_back(name, escape_template(value));
    return p;
}

match_doc make_match(const observed_message& m, const recording& r, const counter_paths& counters) {
    match_doc x;
    x.topic = expected_topic(m.topic);
    x.qos = m.qos;
    x.retain = m.retain;
    const auto found = counters.find(m.topic);
    const variability v{r.window, found == counters.end() ? nullptr : &found->second};
    auto d = decode(m.payload);
    auto& out = x.payload;
    switch (d.form) {
        case decoded::shape::empty:
            out.form = payload_doc::kind::text;  // exactly empty
            break;
        case decoded::shape::binary:
            out.form = payload_doc::kind::hex;
            out.text = d.text;
            break;
        case decoded::shape::json:
            if (auto subset = expected_json(d.json, v, out.notes)) {
                out.form = payload_doc::kind::json;
                out.json = std::move(*subset);
            }
            break;
        case decoded::shape::text:
            if (v.counters != nullptr && v.counters->contains("$")) {
                out.form = payload_doc::kind::regex;
                out.text = R"(^-?\d+$)";
                out.notes.push_back("$ (counter)");
            } else if (auto pattern = text_pattern(d.text, r.window, out.notes)) {
                out.form = payload_doc::kind::regex;
                out.text = *pattern;
            } else {
                out.form = payload_doc::kind::text;
                out.text = escape_template(d.text);
            }
            break;
    }
    if (m.content_type)
        x.properties.content_type = escape_template(*m.content_type);
    for (const auto& [name, value] : m.user_properties)
        x.properties.user_properties.emplace_back(name, escape_template(value));
    return x;
}

bool same(const match_doc& a, const match_doc& b) {
    return a.topic == b.topic && a.payload.form == b.payload.form &&
           a.payload.text == b.payload.text && a.payload.json == b.payload.json && a.qos == b.qos &&
           a.retain == b.retain && a.properties.content_type == b.properties.content_type &&
           a.properties.user_properties == b.properties.user_properties;
}

struct reaction {
    match_doc match;
    milliseconds delay;
};

/// One expect per topic (order kept), or one unordered expect when each topic has one message.
std::vector<expect_doc> expectations(const std::vector<reaction>& reactions,
                                     const record_settings& settings) {
    std::vector<std::pair<std::string, std::vector<const reaction*>>> groups;
    for (const auto& r : reactions) {
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const auto& g) { return g.first == r.match.topic; });
        if (it == groups.end())
            groups.push_back({r.match.topic, {&r}});
        else
            it->second.push_back(&r);
    }
    const bool singles =
        groups.size() > 1 &&
        std::all_of(groups.begin(), groups.end(), [](auto& g) { return g.second.size() == 1; });
    std::vector<expect_doc> out;
    if (singles) {
        expect_doc e;
        e.ordered = false;
        milliseconds latest{0};
        for (const auto& g : groups) {
            e.messages.push_back(g.second.front()->match);
            latest = std::max(latest, g.second.front()->delay);
        }
        e.within = within_bound(latest, settings);
        out.push_back(std::move(e));
        return out;
    }
    for (const auto& g : groups) {
        expect_doc e;
        milliseconds latest{0};
        for (const auto* r : g.second) {
            latest = std::max(latest, r->delay);
            if (!e.messages.empty() && same(e.messages.back(), r->match))
                ++e.messages.back().count;
            else
                e.messages.push_back(r->match);
        }
        e.within = within_bound(latest, settings);
        out.push_back(std::move(e));
    }
    return out;
}

void add_filter(std::vector<std::string>& filters, const std::string& filter) {
    if (std::find(filters.begin(), filters.end(), filter) == filters.end())
        filters.push_back(filter);
}

}  // namespace

std::vector<bool> classify_triggers(const std::vector<observed_message>& live,
                                    const record_settings& settings) {
    std::vector<bool> out(live.size(), false);
    for (std::size_t i = 0; i < live.size(); ++i) {
        if (!settings.trigger_filters.empty()) {
            out[i] = std::any_of(
                settings.trigger_filters.begin(), settings.trigger_filters.end(),
                [&](const std::string& f) { return codec::topic_matches(f, live[i].topic); });
        } else {
            out[i] = i == 0 || live[i].at - live[i - 1].at >= settings.gap;
        }
    }
    return out;
}

milliseconds within_bound(milliseconds delay, const record_settings& settings) {
    const auto raw = settings.factor * std::max(delay, milliseconds{0}) + settings.floor;
    return milliseconds{(raw.count() + 99) / 100 * 100};
}

scenario_doc build_scenario(const recording& r, const record_settings& settings) {
    scenario_doc doc;
    doc.name = settings.name;
    doc.qos = settings.qos;
    const auto counters = counters_of(r);

    if (settings.retained == retained_mode::setup) {
        for (const auto& m : r.retained)
            doc.setup.push_back(make_publish(m, r.window));
    } else if (settings.retained == retained_mode::expect && !r.retained.empty()) {
        doc.observer_gets_retained = true;
        expect_doc e;
        e.ordered = false;
        e.within = within_bound(milliseconds{0}, settings);
        for (const auto& m : r.retained) {
            e.messages.push_back(make_match(m, r, counters));
            add_filter(doc.observe, e.messages.back().topic);
        }
        doc.retained = std::move(e);
    }

    const auto triggers = classify_triggers(r.live, settings);
    std::size_t unprompted = 0, expected = 0;
    std::vector<reaction> reactions;
    const auto close_episode = [&] {
        if (!doc.episodes.empty())
            doc.episodes.back().expects = expectations(reactions, settings);
        reactions.clear();
    };
    milliseconds trigger_at{0};
    for (std::size_t i = 0; i < r.live.size(); ++i) {
        const auto& m = r.live[i];
        if (triggers[i]) {
            close_episode();
            doc.episodes.push_back({make_publish(m, r.window), {}});
            trigger_at = m.at;
        } else if (doc.episodes.empty()) {
            ++unprompted;
        } else {
            reactions.push_back({make_match(m, r, counters), m.at - trigger_at});
            add_filter(doc.observe, reactions.back().match.topic);
            ++expected;
        }
    }
    close_episode();

    doc.description = "Recorded by mqtt-harness record from " + r.broker + ": " +
                      std::to_string(doc.episodes.size()) + " trigger(s), " +
                      std::to_string(expected) + " expected message(s), " +
                      std::to_string(r.retained.size()) + " retained at the start";
    if (unprompted > 0)
        doc.description +=
            "; " + std::to_string(unprompted) + " message(s) before the first trigger left out";
    doc.description +=
        ". Replay against the live system: mqtt-harness run FILE --broker URL --no-topic-prefix";
    return doc;
}

}  // namespace harness::cli::record
