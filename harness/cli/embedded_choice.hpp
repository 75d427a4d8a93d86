// `--broker embedded[:mqtt|mqtts|ws|wss]` as `run` and `conformance` take it: the embedded
// broker's listener, and for TLS a self-signed certificate made for the run, which the clients
// trust unless the command line says otherwise.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "harness/runner/run.hpp"
#include "harness/transport/self_signed.hpp"

namespace harness::cli {

/// `embedded` or `embedded:SCHEME`; nullopt for anything else.
std::optional<runner::embedded_listener> embedded_listener_of(std::string_view text);

/// A self-signed certificate in a private temporary folder, removed at the end of the run.
struct embedded_certificate {
    /// Throws std::runtime_error (the folder removed again) when it cannot be made.
    embedded_certificate();
    ~embedded_certificate() { remove(); }
    embedded_certificate(const embedded_certificate&) = delete;
    embedded_certificate& operator=(const embedded_certificate&) = delete;

    void remove() noexcept;

    std::filesystem::path dir;
    transport::certificate_files files;
};

/// Sets `o.embedded` from `--broker` text starting with "embedded" (making `certificate` for
/// TLS, and trusting it in `o.tls` when no CA or --insecure was given). Returns "" or the
/// message for people: "--broker 'embedded:x': expected embedded, embedded:mqtt, ...".
std::string use_embedded_broker(const std::string& broker, runner::run_options& o,
                                std::optional<embedded_certificate>& certificate);

}  // namespace harness::cli
