// The openssl commands behind make_test_certificates, with their own configuration file so the
// result does not depend on the system's openssl.cnf.
#include "support/test_certificates.hpp"

#include <chrono>
#include <stdexcept>
#include <vector>

#include "support/child_process.hpp"

namespace harness::test_support {
namespace {

constexpr auto step_timeout = std::chrono::seconds{10};

constexpr const char* openssl_config = R"(# harness test certificates
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
)";

void openssl(std::vector<std::string> args) {
    child_process run("openssl", std::move(args));
    const auto status = run.wait_for(step_timeout);
    if (!status || *status != 0) {
        throw std::runtime_error(run.command() + (status ? " failed" : " did not finish in time") +
                                 ":\n" + run.errors() + run.output());
    }
}

const std::vector<std::string> new_ec_key = {"-newkey", "ec", "-pkeyopt",
                                             "ec_paramgen_curve:prime256v1", "-nodes"};

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

void make_ca(const std::string& config, const std::string& cert, const std::string& key,
             const std::string& name) {
    openssl(concat({"req", "-config", config, "-x509"},
                   concat(new_ec_key, {"-keyout", key, "-out", cert, "-days", "2", "-subj",
                                       "/CN=" + name, "-extensions", "ca_ext"})));
}

void make_signed(const std::string& config, const std::string& ca_cert, const std::string& ca_key,
                 const std::string& cert, const std::string& key, const std::string& name,
                 const std::string& extensions, int serial) {
    const std::string request = cert + ".csr";
    openssl(concat({"req", "-config", config, "-new"},
                   concat(new_ec_key, {"-keyout", key, "-out", request, "-subj", "/CN=" + name})));
    openssl({"x509", "-req", "-in", request, "-CA", ca_cert, "-CAkey", ca_key, "-set_serial",
             std::to_string(serial), "-days", "2", "-out", cert, "-extfile", config, "-extensions",
             extensions});
}

}  // namespace

test_certificates make_test_certificates(const temp_dir& dir) {
    const std::string config = dir.write("openssl.cnf", openssl_config);
    test_certificates c;
    c.ca = dir.file("ca.pem");
    const auto ca_key = dir.file("ca.key");
    c.server_cert = dir.file("server.pem");
    c.server_key = dir.file("server.key");
    c.client_cert = dir.file("client.pem");
    c.client_key = dir.file("client.key");
    c.other_ca = dir.file("other-ca.pem");
    const auto other_ca_key = dir.file("other-ca.key");
    c.other_server_cert = dir.file("other-server.pem");
    c.other_server_key = dir.file("other-server.key");

    make_ca(config, c.ca, ca_key, "harness test CA");
    make_signed(config, c.ca, ca_key, c.server_cert, c.server_key, "localhost", "server_ext", 2);
    make_signed(config, c.ca, ca_key, c.client_cert, c.client_key, "harness-client", "client_ext",
                3);
    make_ca(config, c.other_ca, other_ca_key, "harness other CA");
    make_signed(config, c.other_ca, other_ca_key, c.other_server_cert, c.other_server_key,
                "localhost", "server_ext", 4);
    return c;
}

}  // namespace harness::test_support
