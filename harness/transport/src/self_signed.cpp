// make_self_signed_certificate(): an EC P-256 key and an X.509 v3 certificate signed by itself,
// with the loopback names as subject alternative names, written as PEM.
#include "harness/transport/self_signed.hpp"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace harness::transport {
namespace {

template <typename T, void (*Free)(T*)>
struct freer {
    void operator()(T* p) const noexcept { Free(p); }
};
using key_ptr = std::unique_ptr<EVP_PKEY, freer<EVP_PKEY, EVP_PKEY_free>>;
using cert_ptr = std::unique_ptr<X509, freer<X509, X509_free>>;
using extension_ptr = std::unique_ptr<X509_EXTENSION, freer<X509_EXTENSION, X509_EXTENSION_free>>;

void check(bool ok, const char* what) {
    if (!ok)
        throw std::runtime_error(std::string("self-signed certificate: ") + what + " failed");
}

void add_extension(X509* cert, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    extension_ptr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    check(ext != nullptr, "making an extension");
    check(X509_add_ext(cert, ext.get(), -1) == 1, "adding an extension");
}

/// Writes `write(file)` to `path`, readable by the owner only.
template <typename Write>
void write_pem(const std::filesystem::path& path, Write write) {
    FILE* file = std::fopen(path.c_str(), "wb");
    if (!file)
        throw std::runtime_error("self-signed certificate: cannot write " + path.string());
    std::error_code ignored;  // the folder is private already
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ignored);
    const bool written = write(file);
    const bool closed = std::fclose(file) == 0;
    check(written && closed, "writing PEM");
}

}  // namespace

certificate_files make_self_signed_certificate(const std::filesystem::path& dir) {
    key_ptr key(EVP_EC_gen("P-256"));
    check(key != nullptr, "generating the key");
    cert_ptr cert(X509_new());
    check(cert != nullptr, "allocating the certificate");
    check(X509_set_version(cert.get(), 2) == 1, "setting the version");
    unsigned char serial[16];
    check(RAND_bytes(serial, sizeof serial) == 1, "drawing the serial number");
    serial[0] &= 0x7f;  // positive
    std::unique_ptr<BIGNUM, freer<BIGNUM, BN_free>> number(
        BN_bin2bn(serial, sizeof serial, nullptr));
    check(number && BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(cert.get())),
          "setting the serial number");
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 60 * 60);
    check(X509_set_pubkey(cert.get(), key.get()) == 1, "setting the public key");
    X509_NAME* name = X509_get_subject_name(cert.get());
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                                     0) == 1,
          "setting the subject");
    check(X509_set_issuer_name(cert.get(), name) == 1, "setting the issuer");
    add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
    check(X509_sign(cert.get(), key.get(), EVP_sha256()) != 0, "signing");

    certificate_files files;
    files.cert_file = (dir / "cert.pem").string();
    files.key_file = (dir / "key.pem").string();
    write_pem(files.key_file, [&](FILE* f) {
        return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
    });
    write_pem(files.cert_file, [&](FILE* f) { return PEM_write_X509(f, cert.get()) == 1; });
    return files;
}

}  // namespace harness::transport
