// A throw-away TLS identity for a broker started by the harness itself (the runner's embedded
// broker on mqtts:// or wss://): a self-signed certificate for localhost, 127.0.0.1 and ::1,
// made in-process with OpenSSL, which clients then trust as their CA file.
#pragma once

#include <filesystem>
#include <string>

namespace harness::transport {

struct certificate_files {
    std::string cert_file;  // PEM; also the CA file clients trust
    std::string key_file;   // PEM private key (EC P-256)
};

/// Writes cert.pem and key.pem (mode 0600) into `dir`, valid for a day. Throws
/// std::runtime_error naming what failed.
certificate_files make_self_signed_certificate(const std::filesystem::path& dir);

}  // namespace harness::transport
