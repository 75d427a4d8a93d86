// TLS for the broker's listeners: the server context (certificate chain, key, the CAs client
// certificates must chain to), the server handshake, and the identity of a client certificate.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

#include "stages.hpp"
#include "stream_base.hpp"

namespace harness::transport {
namespace detail {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

[[noreturn]] void fail(const boost::system::error_code& ec, const std::string& what) {
    throw std::system_error(ec, what);
}

/// The common name of the verified client certificate; empty without one.
std::string peer_common_name(SSL* ssl) {
    std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl), X509_free);
    if (!cert || SSL_get_verify_result(ssl) != X509_V_OK)
        return {};
    X509_NAME* subject = X509_get_subject_name(cert.get());
    const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (index < 0)
        return {};
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length < 0)
        return {};
    std::string name(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    return name;
}

}  // namespace

asio::awaitable<stage_result> tls_server_handshake(tls_layer& layer, const connect_budget& budget,
                                                   std::string& identity) {
    auto& socket = layer.next_layer();
    boost::system::error_code ignored;
    const auto peer = to_string(socket.remote_endpoint(ignored));
    const auto result = co_await before_deadline(
        layer.async_handshake(ssl::stream_base::server, asio::as_tuple(asio::use_awaitable)),
        budget.deadline, [&socket] {
            boost::system::error_code ignored;
            socket.close(ignored);
        });
    if (!result) {
        co_return stage_failure{transport_errc::timeout,
                                "TLS handshake with " + peer + " timed out after " +
                                    std::to_string(budget.timeout.count()) + " ms"};
    }
    const auto [ec] = *result;
    if (ec) {
        const long verify = SSL_get_verify_result(layer.native_handle());
        if (verify != X509_V_OK) {
            co_return stage_failure{transport_errc::tls_verify_failed,
                                    "TLS handshake with " + peer +
                                        " failed: client certificate verify failed (" +
                                        X509_verify_cert_error_string(verify) + ")"};
        }
        co_return stage_failure{transport_errc::tls_handshake_failed,
                                "TLS handshake with " + peer + " failed: " + describe_error(ec)};
    }
    identity = peer_common_name(layer.native_handle());
    co_return std::nullopt;
}

}  // namespace detail

std::shared_ptr<boost::asio::ssl::context> make_server_context(const server_tls_files& files) {
    namespace ssl = boost::asio::ssl;
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    boost::system::error_code ec;
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                             ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                             ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                         ec);
    if (ec)
        detail::fail(ec, "TLS setup failed");
    context->use_certificate_chain_file(files.cert_file, ec);
    if (ec)
        detail::fail(ec, "cannot load certificate file " + files.cert_file);
    context->use_private_key_file(files.key_file, ssl::context::pem, ec);
    if (ec)
        detail::fail(ec, "cannot load key file " + files.key_file);
    if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
        detail::fail(
            std::make_error_code(std::errc::invalid_argument),
            "key file " + files.key_file + " does not match certificate file " + files.cert_file);
    }
    if (!files.ca_file.empty()) {
        context->load_verify_file(files.ca_file, ec);
        if (ec)
            detail::fail(ec, "cannot load CA file " + files.ca_file);
        // Tell clients which CAs their certificate must come from.
        if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.ca_file.c_str()))
            SSL_CTX_set_client_CA_list(context->native_handle(), names);
    }
    // As Mosquitto: a client certificate is asked for only where it is required.
    context->set_verify_mode(files.require_certificate
                                 ? ssl::verify_peer | ssl::verify_fail_if_no_peer_cert
                                 : ssl::verify_none,
                             ec);
    if (ec)
        detail::fail(ec, "TLS setup failed");
    // Session resumption with client certificates needs a session id context.
    static constexpr unsigned char session_context[] = "mqtt-harness";
    SSL_CTX_set_session_id_context(context->native_handle(), session_context,
                                   sizeof(session_context) - 1);
    return context;
}

}  // namespace harness::transport
