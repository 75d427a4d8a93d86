// `-D COMMAND NAME VALUE...` as mosquitto_pub/_sub take it: MQTT 5.0 properties for CONNECT,
// PUBLISH, SUBSCRIBE, UNSUBSCRIBE, DISCONNECT or the will, named as Mosquitto names them
// (content-type, user-property, message-expiry-interval...).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/codec/properties.hpp"

namespace harness::cli {

struct property_arguments {
    codec::property_list connect;
    codec::property_list publish;
    codec::property_list subscribe;
    codec::property_list unsubscribe;
    codec::property_list disconnect;
    codec::property_list will;
};

/// Parses every `-D` group (each: command, property name, one value or two for user-property).
/// On a mistake, returns nullopt and sets `error` to a sentence naming it.
std::optional<property_arguments> parse_property_arguments(
    const std::vector<std::vector<std::string>>& groups, std::string& error);

}  // namespace harness::cli
