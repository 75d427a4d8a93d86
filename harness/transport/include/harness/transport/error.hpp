// The transport's own errors: which stage of connecting failed, or how an established stream
// ended. Each failure also comes with a message (connect_result::message,
// stream::last_error()) that names the host, the port and the underlying cause.
#pragma once

#include <system_error>

namespace harness::transport {

enum class transport_errc {
    dns_failed = 1,            // the host name did not resolve
    tcp_refused,               // every address refused the TCP connection
    tcp_failed,                // TCP connect failed otherwise (unreachable, reset...)
    connect_timeout,           // connect() ran out of time (the message names the stage)
    tls_setup_failed,          // bad CA file, client certificate, key or server name
    tls_handshake_failed,      // the TLS handshake failed for another reason than verification
    tls_verify_failed,         // the server certificate did not verify (chain or name)
    websocket_upgrade_failed,  // the HTTP upgrade was refused or malformed
    closed,                    // the stream ended cleanly, or this side closed it
    read_failed,               // a read failed (connection reset, TLS error...)
    write_failed,              // a write failed (broken pipe, reset...)
    timeout,                   // read_some_for / write_for ran out of time
};

const std::error_category& transport_category() noexcept;

inline std::error_code make_error_code(transport_errc e) noexcept {
    return {static_cast<int>(e), transport_category()};
}

}  // namespace harness::transport

template <>
struct std::is_error_code_enum<harness::transport::transport_errc> : std::true_type {};
