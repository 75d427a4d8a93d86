// The transport error category.
#include "harness/transport/error.hpp"

#include <string>

namespace harness::transport {
namespace {

class transport_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "mqtt-transport"; }

    std::string message(int value) const override {
        switch (static_cast<transport_errc>(value)) {
            case transport_errc::dns_failed:
                return "DNS lookup failed";
            case transport_errc::tcp_refused:
                return "TCP connection refused";
            case transport_errc::tcp_failed:
                return "TCP connect failed";
            case transport_errc::connect_timeout:
                return "connect timed out";
            case transport_errc::tls_setup_failed:
                return "TLS setup failed (CA file, client certificate, key or server name)";
            case transport_errc::tls_handshake_failed:
                return "TLS handshake failed";
            case transport_errc::tls_verify_failed:
                return "TLS certificate verification failed";
            case transport_errc::websocket_upgrade_failed:
                return "WebSocket upgrade failed";
            case transport_errc::closed:
                return "connection closed";
            case transport_errc::read_failed:
                return "read failed";
            case transport_errc::write_failed:
                return "write failed";
            case transport_errc::timeout:
                return "timed out";
        }
        return "unknown transport error " + std::to_string(value);
    }
};

}  // namespace

const std::error_category& transport_category() noexcept {
    static const transport_category_impl category;
    return category;
}

}  // namespace harness::transport
