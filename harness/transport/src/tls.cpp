// TLS for mqtts and wss: the client context (trust store, client certificate), SNI, the name
// check done by OpenSSL itself (so a mismatch is a verification error like a bad chain), and
// the handshake.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "stages.hpp"
#include "stream_base.hpp"

namespace harness::transport::detail {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

bool is_ip_address(const std::string& name) {
    boost::system::error_code ec;
    asio::ip::make_address(name, ec);
    return !ec;
}

/// SNI and the name the certificate must carry; false with a message when OpenSSL refuses the
/// name.
bool prepare_peer_check(SSL* ssl, const std::string& name, bool insecure, std::string& error) {
    const bool ip = is_ip_address(name);
    // RFC 6066: SNI carries host names only, never addresses.
    if (!ip && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
        error = "TLS setup failed: bad server name '" + name + "' for SNI";
        return false;
    }
    if (insecure)
        return true;
    int ok = 0;
    if (ip) {
        ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
    } else {
        SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        ok = SSL_set1_host(ssl, name.c_str());
    }
    if (ok != 1) {
        error = "TLS setup failed: cannot check the server certificate for '" + name + "'";
        return false;
    }
    return true;
}

}  // namespace

std::optional<ssl::context> make_client_context(const tls_options& tls, std::string& error) {
    ssl::context context(ssl::context::tls_client);
    boost::system::error_code ec;
    if (!tls.ca_file.empty()) {
        context.load_verify_file(tls.ca_file, ec);
        if (ec) {
            error = "TLS setup failed: cannot load CA file " + tls.ca_file + ": " + ec.message();
            return std::nullopt;
        }
    } else if (!tls.insecure) {
        context.set_default_verify_paths(ec);
        if (ec) {
            error = "TLS setup failed: cannot load the system's CA certificates: " + ec.message();
            return std::nullopt;
        }
    }
    if (!tls.cert_file.empty()) {
        context.use_certificate_chain_file(tls.cert_file, ec);
        if (ec) {
            error = "TLS setup failed: cannot load client certificate " + tls.cert_file + ": " +
                    ec.message();
            return std::nullopt;
        }
        const auto& key_file = tls.key_file.empty() ? tls.cert_file : tls.key_file;
        context.use_private_key_file(key_file, ssl::context::pem, ec);
        if (ec) {
            error = "TLS setup failed: cannot load client key " + key_file + " for certificate " +
                    tls.cert_file + ": " + ec.message();
            return std::nullopt;
        }
        if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
            error = "TLS setup failed: client key " + key_file + " does not match certificate " +
                    tls.cert_file;
            return std::nullopt;
        }
    } else if (!tls.key_file.empty()) {
        error = "TLS setup failed: client key " + tls.key_file + " given without a certificate";
        return std::nullopt;
    }
    context.set_verify_mode(tls.insecure ? ssl::verify_none : ssl::verify_peer, ec);
    if (ec) {
        error = "TLS setup failed: " + ec.message();
        return std::nullopt;
    }
    return context;
}

asio::awaitable<stage_result> tls_handshake(tls_layer& layer, const broker_url& url,
                                            const tls_options& tls, const connect_budget& budget) {
    const std::string name = tls.server_name.empty() ? url.host : tls.server_name;
    std::string error;
    if (!prepare_peer_check(layer.native_handle(), name, tls.insecure, error))
        co_return stage_failure{transport_errc::tls_setup_failed, error};

    auto& socket = layer.next_layer();
    const auto result = co_await before_deadline(
        layer.async_handshake(ssl::stream_base::client, asio::as_tuple(asio::use_awaitable)),
        budget.deadline, [&socket] {
            boost::system::error_code ignored;
            socket.close(ignored);
        });
    const auto state = co_await asio::this_coro::cancellation_state;
    const bool cancelled = state.cancelled() != asio::cancellation_type::none;
    if (!result || cancelled)
        co_return interrupted("TLS handshake with " + host_and_port(url), cancelled, budget);
    const auto [ec] = *result;
    if (!ec)
        co_return std::nullopt;

    const long verify = SSL_get_verify_result(layer.native_handle());
    if (!tls.insecure && verify != X509_V_OK) {
        co_return stage_failure{transport_errc::tls_verify_failed,
                                "TLS verification of " + name +
                                    " failed: certificate verify failed (" +
                                    X509_verify_cert_error_string(verify) + ")"};
    }
    co_return stage_failure{
        transport_errc::tls_handshake_failed,
        "TLS handshake with " + host_and_port(url) + " failed: " + describe_error(ec)};
}

}  // namespace harness::transport::detail
