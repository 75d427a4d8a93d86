// The codec error category: messages and the reason code each error calls for.
#include "harness/codec/error.hpp"

#include <string>

namespace harness::codec {
namespace {

class codec_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "mqtt-codec"; }

    std::string message(int value) const override {
        const std::string_view text = describe(static_cast<codec_errc>(value));
        if (text.empty())
            return "unknown codec error " + std::to_string(value);
        return std::string(text);
    }
};

}  // namespace

std::string_view describe(codec_errc e) noexcept {
    switch (e) {
        case codec_errc::truncated:
            return "field runs past the end of the packet";
        case codec_errc::trailing_bytes:
            return "unexpected bytes after the last field";
        case codec_errc::remaining_length_too_long:
            return "variable byte integer longer than 4 bytes";
        case codec_errc::non_minimal_varint:
            return "variable byte integer not encoded in the minimum number of bytes";
        case codec_errc::reserved_packet_type:
            return "reserved packet type";
        case codec_errc::invalid_fixed_header_flags:
            return "reserved flag bits of the fixed header have the wrong value";
        case codec_errc::invalid_qos:
            return "QoS 3 is not a valid QoS";
        case codec_errc::invalid_utf8:
            return "ill-formed UTF-8";
        case codec_errc::utf8_null_character:
            return "UTF-8 string contains U+0000";
        case codec_errc::connect_reserved_flag:
            return "CONNECT reserved flag bit 0 is set";
        case codec_errc::invalid_will_flags:
            return "will QoS or will retain set without the will flag";
        case codec_errc::password_without_user_name:
            return "password flag set without the user name flag";
        case codec_errc::invalid_connack_flags:
            return "reserved bits 7-1 of the CONNACK flags are set";
        case codec_errc::invalid_subscription_options:
            return "reserved bits of the subscription options are set";
        case codec_errc::unknown_property:
            return "unknown property identifier";
        case codec_errc::property_not_allowed:
            return "property not allowed in this packet";
        case codec_errc::invalid_topic_filter:
            return "invalid topic filter (empty, misplaced wildcard or malformed $share)";
        case codec_errc::topic_name_has_wildcard:
            return "topic name contains a wildcard";
        case codec_errc::empty_topic_name:
            return "topic name is empty";
        case codec_errc::zero_packet_identifier:
            return "packet identifier must not be 0";
        case codec_errc::empty_subscription_list:
            return "payload must not be empty";
        case codec_errc::invalid_retain_handling:
            return "retain handling 3 is not valid";
        case codec_errc::no_local_on_shared_subscription:
            return "no local set on a shared subscription";
        case codec_errc::invalid_reason_code:
            return "reason code not valid for this packet";
        case codec_errc::session_present_on_failure:
            return "session present set with a failure return code";
        case codec_errc::duplicate_property:
            return "property included more than once";
        case codec_errc::invalid_property_value:
            return "property value not allowed";
        case codec_errc::authentication_data_without_method:
            return "authentication data without an authentication method";
        case codec_errc::dup_on_qos0:
            return "DUP flag set on a QoS 0 PUBLISH";
        case codec_errc::invalid_subscription_qos:
            return "maximum QoS 3 in the subscription options";
        case codec_errc::missing_authentication_method:
            return "AUTH without an authentication method";
        case codec_errc::invalid_topic_alias:
            return "topic alias 0 is not valid";
        case codec_errc::unsupported_protocol_version:
            return "unsupported protocol name or level";
        case codec_errc::packet_too_large:
            return "packet exceeds the maximum packet size";
        case codec_errc::value_too_large:
            return "value does not fit its wire type";
    }
    return {};
}

const std::error_category& codec_category() noexcept {
    static const codec_category_impl instance;
    return instance;
}

reason_code reason_for(codec_errc e) noexcept {
    switch (e) {
        case codec_errc::zero_packet_identifier:
        case codec_errc::empty_subscription_list:
        case codec_errc::invalid_retain_handling:
        case codec_errc::no_local_on_shared_subscription:
        case codec_errc::invalid_reason_code:
        case codec_errc::session_present_on_failure:
        case codec_errc::duplicate_property:
        case codec_errc::invalid_property_value:
        case codec_errc::authentication_data_without_method:
        case codec_errc::empty_topic_name:
        case codec_errc::invalid_subscription_qos:
        case codec_errc::missing_authentication_method:
            return reason_code::protocol_error;
        case codec_errc::unsupported_protocol_version:
            return reason_code::unsupported_protocol_version;
        case codec_errc::packet_too_large:
            return reason_code::packet_too_large;
        case codec_errc::invalid_topic_alias:
            return reason_code::topic_alias_invalid;
        case codec_errc::value_too_large:
            return reason_code::implementation_specific_error;
        default:
            return reason_code::malformed_packet;
    }
}

}  // namespace harness::codec
