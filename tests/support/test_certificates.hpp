// Certificates for TLS tests, made at run time with the openssl command-line tool into a
// private temporary directory: a CA, a server certificate for localhost / 127.0.0.1 / ::1 and a
// client certificate signed by it, and a second CA with a server certificate of its own (for
// verification failures). EC P-256 keys, valid for two days.
#pragma once

#include <string>

#include "support/temp_dir.hpp"

namespace harness::test_support {

/// PEM file paths.
struct test_certificates {
    std::string ca;           // the CA the clients trust
    std::string server_cert;  // CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1
    std::string server_key;
    std::string client_cert;  // CN=harness-client, extended key usage clientAuth
    std::string client_key;
    std::string other_ca;           // a CA nobody trusts
    std::string other_server_cert;  // like server_cert, but signed by other_ca
    std::string other_server_key;
};

/// Runs openssl (found on PATH; each run bounded to 10 s) to fill `dir`. Throws
/// std::runtime_error with openssl's output when a step fails.
test_certificates make_test_certificates(const temp_dir& dir);

}  // namespace harness::test_support
