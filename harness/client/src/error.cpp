// Messages of the client error category.
#include "harness/client/error.hpp"

#include <string>

namespace harness::client {
namespace {

class client_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "mqtt-client"; }
    std::string message(int value) const override {
        switch (static_cast<client_errc>(value)) {
            case client_errc::not_connected:
                return "not connected";
            case client_errc::connack_timeout:
                return "no CONNACK within the connect timeout";
            case client_errc::connection_refused:
                return "connection refused by the server";
            case client_errc::keep_alive_timeout:
                return "no PINGRESP within the keep-alive timeout";
            case client_errc::server_disconnected:
                return "the server sent DISCONNECT";
            case client_errc::connection_lost:
                return "the connection was lost";
            case client_errc::malformed_packet:
                return "malformed packet from the server";
            case client_errc::protocol_error:
                return "protocol error by the server";
            case client_errc::receive_maximum_exceeded:
                return "the server exceeded our Receive Maximum";
            case client_errc::topic_alias_invalid:
                return "invalid topic alias from the server";
            case client_errc::packet_too_large:
                return "packet larger than the server's Maximum Packet Size";
            case client_errc::qos_not_supported:
                return "QoS above the server's Maximum QoS";
            case client_errc::retain_not_supported:
                return "the server does not support retain";
            case client_errc::no_packet_identifier:
                return "all packet identifiers are in use";
            case client_errc::session_lost:
                return "the server did not keep the session; in-flight messages were dropped";
        }
        return "unknown client error " + std::to_string(value);
    }
};

}  // namespace

const std::error_category& client_category() noexcept {
    static const client_category_impl instance;
    return instance;
}

}  // namespace harness::client
