// One bound listener of the server: its acceptor, its options, and its TLS context, made from
// listener_options at start-up (where every failure is a configuration error that names the
// listener).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <string>

#include "harness/broker/server.hpp"

namespace boost::asio::ssl {
class context;
}

namespace harness::broker::detail {

/// Typed on the io_context's executor (not any_io_executor): each socket and pending operation
/// is then smaller, which idle connections add up.
using executor_type = boost::asio::io_context::executor_type;
using acceptor_type = boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, executor_type>;

struct bound_listener {
    bound_listener(executor_type ex, listener_options o) : options(std::move(o)), acceptor(ex) {}

    listener_options options;
    acceptor_type acceptor;
    /// Set for TLS listeners.
    std::shared_ptr<boost::asio::ssl::context> tls;

    /// Whether connections need the stream path (TLS or WebSocket handshakes) rather than the
    /// plain socket path.
    bool needs_handshake() const noexcept {
        return options.tls.has_value() ||
               options.transport == listener_options::protocol::websockets;
    }
    /// A URL a client can use; a wildcard address is given as the loopback address.
    std::string url() const;
};

/// Loads the TLS files and binds listener `index`. Throws std::system_error naming the listener
/// ("listener 2 (wss on 127.0.0.1:8081): cannot load key file k.pem: ...").
std::unique_ptr<bound_listener> bind_listener(executor_type ex, const listener_options& options,
                                              std::size_t index);

}  // namespace harness::broker::detail
