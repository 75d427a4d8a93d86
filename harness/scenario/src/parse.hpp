// Internal to harness/scenario: the parsers of each part of a scenario file, from YAML nodes
// to the model. Each reports its mistakes through the reader and returns what it could read.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>
#include <vector>

#include "harness/scenario/model.hpp"
#include "yaml_reader.hpp"

namespace harness::scenario::detail {

// --- messages, payloads, properties, matches (parse_messages.cpp, parse_matches.cpp) -------

/// Keys of a message: topic, payload, qos, retain, properties.
extern const std::vector<std::string_view> message_keys;
/// Keys of a match: topic, payload, qos, retain, properties.
extern const std::vector<std::string_view> match_keys;

/// A YAML value as JSON: quoted scalars are strings; plain true/false, null, integers and
/// decimals are JSON values of those types. With `templates`, strings are checked as templates.
boost::json::value to_json(reader& r, const YAML::Node& node, bool templates, bool in_stand_in);

/// The single key of `map` that is in `choices`; reports none or several.
std::optional<std::string> one_of(reader& r, const YAML::Node& map,
                                  const std::vector<std::string_view>& choices,
                                  std::string_view what);
/// Hex digits with optional whitespace; the digits alone, or nullopt after a diagnostic.
std::optional<std::string> hex_digits(reader& r, const YAML::Node& node);

payload_spec parse_payload(reader& r, const YAML::Node& node, bool in_stand_in);
publish_properties_spec parse_properties(reader& r, const YAML::Node& node, bool in_stand_in);
/// Reads the message keys of `map` (the caller checks which keys are allowed); `topic` is
/// required. `default_qos` applies when the map gives none.
message_spec parse_message_fields(reader& r, const YAML::Node& map, std::string_view what,
                                  bool in_stand_in, int default_qos);
/// A message map with only the message keys.
message_spec parse_message(reader& r, const YAML::Node& node, std::string_view what,
                           bool in_stand_in);

/// Reads the match keys of `map` (the caller checks which keys are allowed).
message_match parse_match_fields(reader& r, const YAML::Node& map, std::string_view what,
                                 bool topic_required = true);

// --- clients and components (parse_clients.cpp) -------------------------------------------

client_spec parse_client(reader& r, const YAML::Node& node, const defaults_spec& defaults);
component_spec parse_component(reader& r, const YAML::Node& node, const defaults_spec& defaults);

// --- stand-ins and background publishers (parse_reactive.cpp) ------------------------------

stand_in_spec parse_stand_in(reader& r, const YAML::Node& node);
/// `index` counts from 1 and names unnamed publishers "background-<index>".
background_spec parse_background(reader& r, const YAML::Node& node, std::size_t index);

// --- steps (parse_steps.cpp) ---------------------------------------------------------------

/// The steps of one scenario; checks ids (unique, `after` names an earlier step).
std::vector<step> parse_steps(reader& r, const YAML::Node& list, const defaults_spec& defaults);

}  // namespace harness::scenario::detail
