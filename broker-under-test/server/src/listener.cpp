// Binding a listener: the address (every address when empty: IPv6 and IPv4 on one socket where
// the system has IPv6, else IPv4), the TLS context, and the URL clients use to reach it.
#include "listener.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/ssl/context.hpp>

#include <stdexcept>
#include <system_error>

#include "harness/transport/accept.hpp"

namespace harness::broker {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string listener_options::scheme() const {
    const bool ws = transport == protocol::websockets;
    return tls ? (ws ? "wss" : "mqtts") : (ws ? "ws" : "mqtt");
}

namespace detail {
namespace {

/// "listener 2 (wss on 127.0.0.1:8081)".
std::string name_of(const listener_options& o, std::size_t index) {
    const auto address = o.bind_address.empty() ? std::string("*") : o.bind_address;
    return "listener " + std::to_string(index + 1) + " (" + o.scheme() + " on " + address + ":" +
           std::to_string(o.port) + ")";
}

/// Opens, binds and listens; false with `ec` set when a step fails.
bool try_bind(acceptor_type& acceptor, const tcp::endpoint& endpoint, bool dual_stack,
              boost::system::error_code& ec) {
    acceptor.open(endpoint.protocol(), ec);
    if (ec)
        return false;
    acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && endpoint.address().is_v6())
        acceptor.set_option(asio::ip::v6_only(!dual_stack), ec);
    if (!ec)
        acceptor.bind(endpoint, ec);
    if (!ec)
        acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        boost::system::error_code ignored;
        acceptor.close(ignored);
        return false;
    }
    return true;
}

}  // namespace

std::string bound_listener::url() const {
    boost::system::error_code ec;
    const auto local = acceptor.local_endpoint(ec);
    auto host = local.address().to_string();
    if (local.address().is_unspecified()) {
        // "" binds dual-stack and 0.0.0.0 IPv4: both answer on 127.0.0.1; "::" is IPv6 only.
        host = local.address().is_v6() && !options.bind_address.empty() ? "[::1]" : "127.0.0.1";
    } else if (local.address().is_v6()) {
        host = "[" + host + "]";
    }
    auto url = options.scheme() + "://" + host + ":" + std::to_string(local.port());
    if (options.transport == listener_options::protocol::websockets)
        url += "/mqtt";
    return url;
}

std::unique_ptr<bound_listener> bind_listener(executor_type ex, const listener_options& options,
                                              std::size_t index) {
    auto l = std::make_unique<bound_listener>(ex, options);
    const auto name = name_of(options, index);
    if (options.tls) {
        if (options.tls->use_identity_as_username && !options.tls->require_certificate) {
            throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                                    name + ": use_identity_as_username needs require_certificate");
        }
        if (options.tls->require_certificate && options.tls->cafile.empty()) {
            throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                                    name + ": require_certificate needs a CA file");
        }
        transport::server_tls_files files;
        files.cert_file = options.tls->certfile;
        files.key_file = options.tls->keyfile;
        files.ca_file = options.tls->cafile;
        files.require_certificate = options.tls->require_certificate;
        try {
            l->tls = transport::make_server_context(files);
        } catch (const std::system_error& e) {
            throw std::system_error(e.code(), name + ": " + e.what());
        }
    }
    boost::system::error_code ec;
    if (options.bind_address.empty()) {
        if (!try_bind(l->acceptor, tcp::endpoint(asio::ip::address_v6::any(), options.port), true,
                      ec) &&
            (ec == asio::error::address_family_not_supported ||
             ec == boost::system::errc::address_not_available)) {
            try_bind(l->acceptor, tcp::endpoint(asio::ip::address_v4::any(), options.port), false,
                     ec);
        }
    } else {
        const auto address = asio::ip::make_address(options.bind_address, ec);
        if (ec) {
            throw std::system_error(
                std::make_error_code(std::errc::invalid_argument),
                name + ": '" + options.bind_address + "' is not an IPv4 or IPv6 address");
        }
        try_bind(l->acceptor, tcp::endpoint(address, options.port), false, ec);
    }
    if (ec)
        throw std::system_error(ec, "cannot listen: " + name);
    return l;
}

}  // namespace detail
}  // namespace harness::broker
