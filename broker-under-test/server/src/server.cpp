// Moves bytes between TCP connections and the broker core. One coroutine reads each
// connection, one writes it, one runs the core's timers; all run on one executor, so the core
// sees one caller at a time.
#include "harness/broker/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <stdexcept>
#include <unordered_map>

namespace harness::broker {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;

namespace {

// Typed on the io_context's executor (not any_io_executor): each socket and pending operation
// is then smaller, which idle connections add up.
using executor_type = asio::io_context::executor_type;
using socket_type = asio::basic_stream_socket<tcp, executor_type>;
using acceptor_type = asio::basic_socket_acceptor<tcp, executor_type>;
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
        : executor(ex), options(std::move(o)), core(options.broker), acceptor(ex), timer(ex) {}

    /// One connection. An idle one holds only its socket and its reader's frame: reads go
    /// through one buffer shared by all connections, and a writer runs only while there is
    /// output.
    struct link {
        explicit link(socket_type s) : socket(std::move(s)) {}
        socket_type socket;
        std::vector<std::uint8_t> out;  // bytes being written
        bool writing = false;
        bool closed = false;
    };

    executor_type executor;
    server_options options;
    broker core;
    acceptor_type acceptor;
    timer_type timer;
    clock::time_point armed = clock::time_point::max();  // what timer waits for
    std::unordered_map<connection_id, std::shared_ptr<link>> links;
    std::vector<std::uint8_t> read_buffer = std::vector<std::uint8_t>(64 * 1024);
    bool stopping = false;

    /// Starts a writer for every connection the core has output or a close for.
    void flush_ready() {
        for (const auto id : core.take_ready()) {
            const auto it = links.find(id);
            if (it == links.end() || it->second->writing)
                continue;
            it->second->writing = true;
            spawn(executor, write_loop(id, it->second));
        }
        // The core's timers start with its first connection: wake the timer loop only then.
        if (core.next_deadline().value_or(clock::time_point::max()) < armed)
            timer.cancel();
    }

    awaitable<void> accept_loop() {
        auto self = shared_from_this();
        while (!stopping) {
            auto [ec, socket] = co_await acceptor.async_accept(use);
            if (ec) {
                if (stopping || ec == asio::error::operation_aborted)
                    break;
                continue;  // e.g. too many open files: keep serving the others
            }
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            socket.non_blocking(true, ignored);
            const auto remote = socket.remote_endpoint(ignored);
            auto l = std::make_shared<link>(std::move(socket));
            const auto id = core.open(
                clock::now(), remote.address().to_string() + ":" + std::to_string(remote.port()));
            links.emplace(id, l);
            start_read(id, std::move(l));
            flush_ready();
        }
    }

    /// Reading needs no coroutine: a completion handler waits until the socket is readable,
    /// reads what is there into the buffer all connections share and hands it to the core at
    /// once (nothing else runs in between on this executor). An idle connection costs only the
    /// pending wait.
    void start_read(connection_id id, std::shared_ptr<link> l) {
        auto& socket = l->socket;
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
        const auto n = l->socket.read_some(asio::buffer(read_buffer), ec);
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
            auto [ec, n] = co_await asio::async_write(l->socket, asio::buffer(l->out), use);
            if (ec || l->closed) {
                finish(id, l);
                co_return;
            }
            core.written(id, clock::now());
        }
        if (l->out.capacity() > 64 * 1024)
            std::vector<std::uint8_t>().swap(l->out);  // an idle connection keeps no big buffer
        l->writing = false;
        if (!l->closed && core.should_close(id)) {
            finish(id, l);
            co_return;
        }
        flush_ready();  // written() may have queued more for this and other connections
    }

    /// Ends a connection once: the socket closes, the core learns it (and may publish a will).
    void finish(connection_id id, const std::shared_ptr<link>& l) {
        if (l->closed)
            return;
        l->closed = true;
        boost::system::error_code ignored;
        l->socket.shutdown(socket_type::shutdown_both, ignored);
        l->socket.close(ignored);
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
    const tcp::endpoint endpoint(asio::ip::make_address(i.options.bind_address), i.options.port);
    i.acceptor.open(endpoint.protocol());
    i.acceptor.set_option(tcp::acceptor::reuse_address(true));
    try {
        i.acceptor.bind(endpoint);
    } catch (const boost::system::system_error& e) {
        throw std::system_error(e.code(), "cannot listen on " + i.options.bind_address + ":" +
                                              std::to_string(i.options.port));
    }
    i.acceptor.listen();
}

server::~server() {
    stop();
}

std::uint16_t server::port() const noexcept {
    boost::system::error_code ec;
    return impl_->acceptor.local_endpoint(ec).port();
}

void server::start() {
    spawn(impl_->executor, impl_->accept_loop());
    spawn(impl_->executor, impl_->timer_loop());
}

void server::stop() {
    auto& i = *impl_;
    if (i.stopping)
        return;
    i.stopping = true;
    boost::system::error_code ignored;
    i.acceptor.close(ignored);
    i.timer.cancel();
    auto links = i.links;  // finish() erases from the map
    for (auto& [id, l] : links)
        i.finish(id, l);
}

broker& server::core() noexcept {
    return impl_->core;
}

void server::wake() {
    impl_->flush_ready();
}

embedded_broker::embedded_broker(server_options options, std::function<void(broker&)> setup) {
    server_ = std::make_unique<server>(io_, std::move(options));
    port_ = server_->port();
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
