// Moves bytes between the listeners' connections and the broker core. Plain MQTT connections
// are read by a completion handler on the socket; TLS and WebSocket ones by a coroutine on
// their transport stream, after the handshakes. One coroutine writes each connection while it
// has output, one runs the core's timers; all run on one executor, so the core sees one caller
// at a time.
#include "harness/broker/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <stdexcept>
#include <unordered_map>

#include "harness/transport/accept.hpp"
#include "listener.hpp"

namespace harness::broker {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;

namespace {

using detail::bound_listener;
using detail::executor_type;
using socket_type = asio::basic_stream_socket<tcp, executor_type>;
using timer_type = asio::basic_waitable_timer<clock, asio::wait_traits<clock>, executor_type>;

constexpr auto use = asio::as_tuple(asio::use_awaitable);

/// Runs a loop; the loops report errors themselves, so an exception is a bug and propagates.
void spawn(executor_type ex, awaitable<void> loop) {
    asio::co_spawn(ex, std::move(loop), [](std::exception_ptr e) {
        if (e)
            std::rethrow_exception(e);
    });
}

}  // namespace

struct server::impl : std::enable_shared_from_this<impl> {
    impl(executor_type ex, server_options o)
        : executor(ex), options(std::move(o)), core(options.broker), timer(ex) {}

    /// One connection. A plain one holds its socket, and idle, only the pending wait: reads go
    /// through one buffer shared by all plain connections. A TLS or WebSocket one holds its
    /// stream, and a reader coroutine with a buffer of its own. A writer runs only while there
    /// is output.
    struct link {
        explicit link(socket_type s) : socket(std::move(s)) {}
        explicit link(std::unique_ptr<transport::stream> s) : stream(std::move(s)) {}
        std::optional<socket_type> socket;          // plain MQTT listeners
        std::unique_ptr<transport::stream> stream;  // TLS and WebSocket listeners
        std::vector<std::uint8_t> out;              // bytes being written
        /// Armed when the core wants the connection closed while a write is stuck.
        std::unique_ptr<timer_type> close_timer;
        bool writing = false;
        bool closed = false;
    };

    /// How long a connection the core wants closed may still take to write what it has.
    static constexpr auto close_grace = std::chrono::seconds(2);

    executor_type executor;
    server_options options;
    broker core;
    std::vector<std::unique_ptr<bound_listener>> listeners;
    timer_type timer;
    clock::time_point armed = clock::time_point::max();  // what timer waits for
    std::unordered_map<connection_id, std::shared_ptr<link>> links;
    std::vector<std::uint8_t> read_buffer = std::vector<std::uint8_t>(64 * 1024);
    /// Connections in their TLS or WebSocket handshake, cancelled by stop().
    std::unordered_map<std::uint64_t, std::shared_ptr<asio::cancellation_signal>> handshakes;
    /// TLS and WebSocket connections in their closing handshake (the core is done with them),
    /// aborted by stop().
    std::unordered_map<connection_id, std::shared_ptr<link>> closing;
    std::uint64_t last_handshake = 0;
    bool stopping = false;

    /// Starts a writer for every connection the core has output or a close for.
    void flush_ready() {
        for (const auto id : core.take_ready()) {
            const auto it = links.find(id);
            if (it == links.end())
                continue;
            if (it->second->writing) {
                // A peer that does not read must not keep a connection the core has ended.
                if (core.should_close(id) && !it->second->close_timer)
                    close_after_grace(id, it->second);
                continue;
            }
            it->second->writing = true;
            spawn(executor, write_loop(id, it->second));
        }
        // The core's timers start with its first connection: wake the timer loop only then.
        if (core.next_deadline().value_or(clock::time_point::max()) < armed)
            timer.cancel();
    }

    /// Closes the connection `close_grace` from now unless its write has finished by then.
    void close_after_grace(connection_id id, const std::shared_ptr<link>& l) {
        l->close_timer = std::make_unique<timer_type>(executor, clock::now() + close_grace);
        l->close_timer->async_wait(
            [self = shared_from_this(), id, l](const boost::system::error_code& ec) {
                if (!ec)
                    self->finish(id, l);
            });
    }

    /// After an accept error (too many open files, no buffers), a pause before the next try:
    /// the connection waiting in the backlog would fail the same way at once.
    awaitable<void> pause_after_accept_error() {
        timer_type pause(executor, clock::now() + std::chrono::milliseconds(100));
        co_await pause.async_wait(use);
    }

    awaitable<void> accept_loop(std::size_t index) {
        auto self = shared_from_this();
        auto& l = *listeners[index];
        while (!stopping) {
            if (l.needs_handshake()) {
                // A socket on the generic executor, as the transport streams use.
                auto [ec, socket] =
                    co_await l.acceptor.async_accept(asio::any_io_executor(executor), use);
                if (ec) {
                    if (stopping || ec == asio::error::operation_aborted)
                        break;
                    co_await pause_after_accept_error();
                    continue;
                }
                start_handshake(index, std::move(socket));
                continue;
            }
            auto [ec, socket] = co_await l.acceptor.async_accept(use);
            if (ec) {
                if (stopping || ec == asio::error::operation_aborted)
                    break;
                co_await pause_after_accept_error();  // keep serving the others meanwhile
                continue;
            }
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            socket.non_blocking(true, ignored);
            const auto remote = socket.remote_endpoint(ignored);
            auto link_ptr = std::make_shared<link>(std::move(socket));
            connection_info info;
            info.remote = remote.address().to_string() + ":" + std::to_string(remote.port());
            info.listener = static_cast<std::uint16_t>(index);
            const auto id = core.open(clock::now(), std::move(info));
            links.emplace(id, link_ptr);
            start_read(id, std::move(link_ptr));
            flush_ready();
        }
    }

    /// Runs the listener's handshakes on a coroutine of its own, cancelled if the server stops.
    void start_handshake(std::size_t index, tcp::socket socket) {
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        const auto key = ++last_handshake;
        auto signal = std::make_shared<asio::cancellation_signal>();
        handshakes.emplace(key, signal);
        asio::co_spawn(executor, handshake(index, std::move(socket)),
                       asio::bind_cancellation_slot(signal->slot(), [self = shared_from_this(),
                                                                     key](std::exception_ptr e) {
                           // The signal owns the coroutine's cancellation state: dropped only after
                           // this handler has returned.
                           asio::post(self->executor, [self, key] { self->handshakes.erase(key); });
                           if (e)
                               std::rethrow_exception(e);
                       }));
    }

    awaitable<void> handshake(std::size_t index, tcp::socket socket) {
        auto self = shared_from_this();
        const auto& l = *listeners[index];
        transport::accept_options how;
        how.tls = l.tls;
        how.websocket = l.options.transport == listener_options::protocol::websockets;
        how.timeout = l.options.handshake_timeout;
        transport::accepted_stream accepted;
        try {
            accepted = co_await transport::accept_stream(std::move(socket), std::move(how));
        } catch (const boost::system::system_error&) {
            co_return;  // cancelled by stop() between two stages
        }
        if (!accepted.s) {
            if (!stopping)
                core.note("refused a connection on " + l.url() + ": " + accepted.message);
            co_return;
        }
        if (stopping) {
            accepted.s->abort();
            co_return;
        }
        connection_info info;
        info.remote = accepted.s->describe();
        info.listener = static_cast<std::uint16_t>(index);
        if (l.options.tls && l.options.tls->use_identity_as_username)
            info.certificate_identity = std::move(accepted.peer_identity);
        auto link_ptr = std::make_shared<link>(std::move(accepted.s));
        const auto id = core.open(clock::now(), std::move(info));
        links.emplace(id, link_ptr);
        flush_ready();
        spawn(executor, stream_read_loop(id, std::move(link_ptr)));
    }

    /// Reads a TLS or WebSocket connection until it ends.
    awaitable<void> stream_read_loop(connection_id id, std::shared_ptr<link> l) {
        auto self = shared_from_this();
        std::vector<std::uint8_t> buffer(8 * 1024);
        while (!l->closed) {
            std::error_code ec;
            const auto n = co_await l->stream->read_some(buffer, ec);
            if (l->closed)
                break;
            if (ec) {
                finish(id, l);
                break;
            }
            core.receive(id, std::span<const std::uint8_t>(buffer.data(), n), clock::now());
            flush_ready();
        }
    }

    /// Reading needs no coroutine: a completion handler waits until the socket is readable,
    /// reads what is there into the buffer all connections share and hands it to the core at
    /// once (nothing else runs in between on this executor). An idle connection costs only the
    /// pending wait.
    void start_read(connection_id id, std::shared_ptr<link> l) {
        auto& socket = *l->socket;
        socket.async_wait(socket_type::wait_read, [self = shared_from_this(), id, l = std::move(l)](
                                                      const boost::system::error_code& ec) mutable {
            self->on_readable(id, std::move(l), ec);
        });
    }

    void on_readable(connection_id id, std::shared_ptr<link> l,
                     const boost::system::error_code& wait_error) {
        if (l->closed)
            return;
        if (wait_error) {
            finish(id, l);
            return;
        }
        boost::system::error_code ec;
        const auto n = l->socket->read_some(asio::buffer(read_buffer), ec);
        if (ec && ec != asio::error::would_block) {
            finish(id, l);
            return;
        }
        if (!ec) {
            core.receive(id, std::span<const std::uint8_t>(read_buffer.data(), n), clock::now());
            flush_ready();
        }
        if (!l->closed)
            start_read(id, std::move(l));
    }

    /// Writes while the core has output; ends when it has none (flush_ready starts another).
    awaitable<void> write_loop(connection_id id, std::shared_ptr<link> l) {
        auto self = shared_from_this();
        while (!l->closed && core.take_output(id, l->out)) {
            bool failed = false;
            if (l->stream) {
                std::error_code ec;
                co_await l->stream->write(l->out, ec);
                failed = static_cast<bool>(ec);
            } else {
                auto [ec, n] = co_await asio::async_write(*l->socket, asio::buffer(l->out), use);
                failed = static_cast<bool>(ec);
            }
            if (failed || l->closed) {
                finish(id, l);
                co_return;
            }
            core.written(id, clock::now());
        }
        if (l->out.capacity() > 64 * 1024)
            std::vector<std::uint8_t>().swap(l->out);  // an idle connection keeps no big buffer
        l->writing = false;
        if (!l->closed && core.should_close(id)) {
            if (!l->stream) {
                finish(id, l);
                co_return;
            }
            // The core is done with it at once (will, counters); the TLS close_notify or
            // WebSocket close frame follows, bounded by the stream's close timeout.
            finish(id, l, false);
            closing.emplace(id, l);
            co_await l->stream->close();
            closing.erase(id);
            co_return;
        }
        flush_ready();  // written() may have queued more for this and other connections
    }

    /// Ends a connection once: the socket closes (a stream's only with `abort_stream`), the core
    /// learns it (and may publish a will).
    void finish(connection_id id, const std::shared_ptr<link>& l, bool abort_stream = true) {
        if (l->closed)
            return;
        l->closed = true;
        if (l->close_timer)
            l->close_timer->cancel();
        if (l->stream) {
            if (abort_stream)
                l->stream->abort();
        } else {
            boost::system::error_code ignored;
            l->socket->shutdown(socket_type::shutdown_both, ignored);
            l->socket->close(ignored);
        }
        links.erase(id);
        core.close(id, clock::now());
        flush_ready();
    }

    awaitable<void> timer_loop() {
        auto self = shared_from_this();
        core.tick(clock::now());  // starts the core's clock: $SYS uptime and first values
        flush_ready();
        while (!stopping) {
            armed = core.next_deadline().value_or(clock::time_point::max());
            timer.expires_at(armed);
            co_await timer.async_wait(use);
            if (stopping)
                break;
            const auto now = clock::now();
            if (now >= core.next_deadline().value_or(clock::time_point::max())) {
                core.tick(now);
                flush_ready();
            }
        }
    }
};

server::server(asio::io_context& io, server_options options)
    : impl_(std::make_shared<impl>(io.get_executor(), std::move(options))) {
    auto& i = *impl_;
    if (i.options.listeners.empty())
        throw std::invalid_argument("server_options: no listener");
    for (std::size_t k = 0; k < i.options.listeners.size(); ++k)
        i.listeners.push_back(detail::bind_listener(i.executor, i.options.listeners[k], k));
}

std::size_t server::listener_count() const noexcept {
    return impl_->listeners.size();
}

server::~server() {
    stop();
}

std::uint16_t server::port(std::size_t index) const {
    boost::system::error_code ec;
    return impl_->listeners.at(index)->acceptor.local_endpoint(ec).port();
}

std::string server::url(std::size_t index) const {
    return impl_->listeners.at(index)->url();
}

void server::start() {
    for (std::size_t k = 0; k < impl_->listeners.size(); ++k)
        spawn(impl_->executor, impl_->accept_loop(k));
    spawn(impl_->executor, impl_->timer_loop());
}

void server::stop() {
    auto& i = *impl_;
    if (i.stopping)
        return;
    i.stopping = true;
    boost::system::error_code ignored;
    for (auto& l : i.listeners)
        l->acceptor.close(ignored);
    i.timer.cancel();
    auto handshakes = i.handshakes;  // the handshakes erase themselves
    for (auto& [key, signal] : handshakes)
        signal->emit(asio::cancellation_type::terminal);
    auto links = i.links;  // finish() erases from the map
    for (auto& [id, l] : links)
        i.finish(id, l);
    for (auto& [id, l] : i.closing)
        l->stream->abort();  // their close() returns at once
}

broker& server::core() noexcept {
    return impl_->core;
}

void server::wake() {
    impl_->flush_ready();
}

embedded_broker::embedded_broker(server_options options, std::function<void(broker&)> setup) {
    server_ = std::make_unique<server>(io_, std::move(options));
    for (std::size_t k = 0; k < server_->listener_count(); ++k) {
        ports_.push_back(server_->port(k));
        urls_.push_back(server_->url(k));
    }
    if (setup)
        setup(server_->core());
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
}

embedded_broker::~embedded_broker() {
    stop();
}

void embedded_broker::with_core(const std::function<void(broker&)>& f) {
    if (!thread_.joinable())
        throw std::logic_error("embedded_broker::with_core after stop()");  // would wait forever
    std::promise<void> done;
    asio::post(io_, [&] {
        try {
            f(server_->core());
            server_->wake();  // the core may have new output or an earlier deadline
            done.set_value();
        } catch (...) {
            done.set_exception(std::current_exception());
        }
    });
    done.get_future().get();
}

void embedded_broker::stop() {
    if (!thread_.joinable())
        return;
    asio::post(io_, [this] { server_->stop(); });
    thread_.join();
    server_.reset();
}

}  // namespace harness::broker
