// Reason-code tables as data: which values each table allows, their names, their categories.
#include "harness/codec/reason_codes.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <string>

namespace harness::codec {
namespace {

struct named_code {
    std::uint8_t value;
    std::string_view name;
};

constexpr std::array<named_code, 43> all_codes{{
    {0x00, "Success"},
    {0x01, "Granted QoS 1"},
    {0x02, "Granted QoS 2"},
    {0x04, "Disconnect with Will Message"},
    {0x10, "No matching subscribers"},
    {0x11, "No subscription existed"},
    {0x18, "Continue authentication"},
    {0x19, "Re-authenticate"},
    {0x80, "Unspecified error"},
    {0x81, "Malformed Packet"},
    {0x82, "Protocol Error"},
    {0x83, "Implementation specific error"},
    {0x84, "Unsupported Protocol Version"},
    {0x85, "Client Identifier not valid"},
    {0x86, "Bad User Name or Password"},
    {0x87, "Not authorized"},
    {0x88, "Server unavailable"},
    {0x89, "Server busy"},
    {0x8A, "Banned"},
    {0x8B, "Server shutting down"},
    {0x8C, "Bad authentication method"},
    {0x8D, "Keep Alive timeout"},
    {0x8E, "Session taken over"},
    {0x8F, "Topic Filter invalid"},
    {0x90, "Topic Name invalid"},
    {0x91, "Packet Identifier in use"},
    {0x92, "Packet Identifier not found"},
    {0x93, "Receive Maximum exceeded"},
    {0x94, "Topic Alias invalid"},
    {0x95, "Packet too large"},
    {0x96, "Message rate too high"},
    {0x97, "Quota exceeded"},
    {0x98, "Administrative action"},
    {0x99, "Payload format invalid"},
    {0x9A, "Retain not supported"},
    {0x9B, "QoS not supported"},
    {0x9C, "Use another server"},
    {0x9D, "Server moved"},
    {0x9E, "Shared Subscriptions not supported"},
    {0x9F, "Connection rate exceeded"},
    {0xA0, "Maximum connect time"},
    {0xA1, "Subscription Identifiers not supported"},
    {0xA2, "Wildcard Subscriptions not supported"},
}};

using table = std::initializer_list<std::uint8_t>;

constexpr table connack_values{0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
                               0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F};
constexpr table puback_values{0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99};
constexpr table pubrel_values{0x00, 0x92};
constexpr table suback_values{0x00, 0x01, 0x02, 0x80, 0x83, 0x87,
                              0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2};
constexpr table unsuback_values{0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91};
// 0x8C is in table 2-6 though not in table 3-10; Mosquitto sends it, so it is accepted.
constexpr table disconnect_values{0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8C,
                                  0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98,
                                  0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2};
constexpr table auth_values{0x00, 0x18, 0x19};

template <class Enum>
bool listed(table values, Enum code) noexcept {
    return std::find(values.begin(), values.end(), static_cast<std::uint8_t>(code)) != values.end();
}

template <class Enum>
std::string_view name_in(table values, Enum code, std::string_view zero_name) noexcept {
    if (!listed(values, code))
        return "Unknown reason code";
    if (static_cast<std::uint8_t>(code) == 0)
        return zero_name;
    return to_string(static_cast<reason_code>(code));
}

template <class Enum>
class table_category final : public std::error_category {
  public:
    explicit table_category(const char* name) : name_(name) {}
    const char* name() const noexcept override { return name_; }
    std::string message(int value) const override {
        return std::string(to_string(static_cast<Enum>(value)));
    }

  private:
    const char* name_;
};

}  // namespace

std::string_view to_string(reason_code code) noexcept {
    for (const auto& entry : all_codes) {
        if (entry.value == static_cast<std::uint8_t>(code))
            return entry.name;
    }
    return "Unknown reason code";
}

bool is_valid(connack_reason c) noexcept {
    return listed(connack_values, c);
}
bool is_valid(puback_reason c) noexcept {
    return listed(puback_values, c);
}
bool is_valid(pubrel_reason c) noexcept {
    return listed(pubrel_values, c);
}
bool is_valid(suback_reason c) noexcept {
    return listed(suback_values, c);
}
bool is_valid(unsuback_reason c) noexcept {
    return listed(unsuback_values, c);
}
bool is_valid(disconnect_reason c) noexcept {
    return listed(disconnect_values, c);
}
bool is_valid(auth_reason c) noexcept {
    return listed(auth_values, c);
}
bool is_valid(connect_return_code c) noexcept {
    return static_cast<std::uint8_t>(c) <= 5;
}
bool is_valid(suback_return_code c) noexcept {
    const auto v = static_cast<std::uint8_t>(c);
    return v <= 2 || v == 0x80;
}

std::string_view to_string(connack_reason c) noexcept {
    return name_in(connack_values, c, "Success");
}
std::string_view to_string(puback_reason c) noexcept {
    return name_in(puback_values, c, "Success");
}
std::string_view to_string(pubrel_reason c) noexcept {
    return name_in(pubrel_values, c, "Success");
}
std::string_view to_string(suback_reason c) noexcept {
    return name_in(suback_values, c, "Granted QoS 0");
}
std::string_view to_string(unsuback_reason c) noexcept {
    return name_in(unsuback_values, c, "Success");
}
std::string_view to_string(disconnect_reason c) noexcept {
    return name_in(disconnect_values, c, "Normal disconnection");
}
std::string_view to_string(auth_reason c) noexcept {
    return name_in(auth_values, c, "Success");
}

std::string_view to_string(connect_return_code c) noexcept {
    switch (c) {
        case connect_return_code::accepted:
            return "Connection Accepted";
        case connect_return_code::unacceptable_protocol_version:
            return "Connection Refused, unacceptable protocol version";
        case connect_return_code::identifier_rejected:
            return "Connection Refused, identifier rejected";
        case connect_return_code::server_unavailable:
            return "Connection Refused, Server unavailable";
        case connect_return_code::bad_user_name_or_password:
            return "Connection Refused, bad user name or password";
        case connect_return_code::not_authorized:
            return "Connection Refused, not authorized";
    }
    return "Unknown return code";
}

std::string_view to_string(suback_return_code c) noexcept {
    switch (c) {
        case suback_return_code::success_qos_0:
            return "Success - Maximum QoS 0";
        case suback_return_code::success_qos_1:
            return "Success - Maximum QoS 1";
        case suback_return_code::success_qos_2:
            return "Success - Maximum QoS 2";
        case suback_return_code::failure:
            return "Failure";
    }
    return "Unknown return code";
}

connack_reason from_v3(connect_return_code c) noexcept {
    switch (c) {
        case connect_return_code::accepted:
            return connack_reason::success;
        case connect_return_code::unacceptable_protocol_version:
            return connack_reason::unsupported_protocol_version;
        case connect_return_code::identifier_rejected:
            return connack_reason::client_identifier_not_valid;
        case connect_return_code::server_unavailable:
            return connack_reason::server_unavailable;
        case connect_return_code::bad_user_name_or_password:
            return connack_reason::bad_user_name_or_password;
        case connect_return_code::not_authorized:
            return connack_reason::not_authorized;
    }
    return connack_reason::unspecified_error;
}

connect_return_code to_v3(connack_reason c) noexcept {
    switch (c) {
        case connack_reason::success:
            return connect_return_code::accepted;
        case connack_reason::unsupported_protocol_version:
            return connect_return_code::unacceptable_protocol_version;
        case connack_reason::client_identifier_not_valid:
            return connect_return_code::identifier_rejected;
        case connack_reason::bad_user_name_or_password:
        case connack_reason::bad_authentication_method:
            return connect_return_code::bad_user_name_or_password;
        case connack_reason::not_authorized:
        case connack_reason::banned:
            return connect_return_code::not_authorized;
        default:
            return connect_return_code::server_unavailable;
    }
}

#define HARNESS_REASON_CATEGORY(Enum)                              \
    const std::error_category& category_of(Enum) noexcept {        \
        static const table_category<Enum> instance("mqtt-" #Enum); \
        return instance;                                           \
    }

HARNESS_REASON_CATEGORY(connack_reason)
HARNESS_REASON_CATEGORY(puback_reason)
HARNESS_REASON_CATEGORY(pubrel_reason)
HARNESS_REASON_CATEGORY(suback_reason)
HARNESS_REASON_CATEGORY(unsuback_reason)
HARNESS_REASON_CATEGORY(disconnect_reason)
HARNESS_REASON_CATEGORY(auth_reason)
HARNESS_REASON_CATEGORY(connect_return_code)

#undef HARNESS_REASON_CATEGORY

}  // namespace harness::codec
