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
#include <unordered_map>

namespace harness::broker {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;

namespace {

constexpr auto use = asio::as_tuple(asio::use_awaitable);

/// Runs a loop; the loops report errors themselves, so an exception is a bug and propagates.
void spawn(asio::any_io_executor ex, awaitable<void> loop) {
    asio::co_spawn(ex, std::move(loop), [](std::exception_ptr e) {
        if (e)
            std::rethrow_exception(e);
    });
}

}  // namespace

struct server::impl : std::enable_shared_from_this<impl> {
    impl(asio::any_io_executor ex, server_options o)
        : executor(ex), options(std::move(o)), core(options.broker), acceptor(ex), timer(ex) {}

    struct link {
        explicit link(tcp::socket s) : socket(std::move(s)), signal(socket.get_executor()) {}
        tcp::socket socket;
        asio::steady_timer signal;  // cancelled when the core has output or wants a close
        bool closed = false;
    };

    asio::any_io_executor executor;
    server_options options;
    broker core;
    tcp::acceptor acceptor;
    asio::steady_timer timer;
    clock::time_point armed = clock::time_point::max();  // what timer waits for
    std::unordered_map<connection_id, std::shared_ptr<link>> links;
    bool stopping = false;

    /// Wakes the writer of every connection the core has output or a close for.
    void flush_ready() {
        for (const auto id : core.take_ready()) {
            if (const auto it = links.find(id); it != links.end())
                it->second->signal.cancel();
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
            const auto remote = socket.remote_endpoint(ignored);
            auto l = std::make_shared<link>(std::move(socket));
            l->signal.expires_at(clock::time_point::max());
            const auto id = core.open(
                clock::now(), remote.address().to_string() + ":" + std::to_string(remote.port()));
            links.emplace(id, l);
            spawn(executor, read_loop(id, l));
            spawn(executor, write_loop(id, l));
            flush_ready();
        }
    }

    awaitable<void> read_loop(connection_id id, std::shared_ptr<link> l) {
        auto self = shared_from_this();
        std::vector<std::uint8_t> buffer(64 * 1024);
        while (!l->closed) {
            auto [ec, n] = co_await l->socket.async_read_some(asio::buffer(buffer), use);
            if (ec || l->closed)
                break;
            core.receive(id, std::span<const std::uint8_t>(buffer.data(), n), clock::now());
            flush_ready();
        }
        finish(id, l);
    }

    awaitable<void> write_loop(connection_id id, std::shared_ptr<link> l) {
        auto self = shared_from_this();
        std::vector<std::uint8_t> out;
        while (!l->closed) {
            if (core.take_output(id, out)) {
                auto [ec, n] = co_await asio::async_write(l->socket, asio::buffer(out), use);
                if (ec || l->closed)
                    break;
                core.written(id, clock::now());
                flush_ready();
                continue;
            }
            if (core.should_close(id))
                break;
            l->signal.expires_at(clock::time_point::max());
            co_await l->signal.async_wait(use);
        }
        finish(id, l);
    }

    /// Ends a connection once: the socket closes, the core learns it (and may publish a will).
    void finish(connection_id id, const std::shared_ptr<link>& l) {
        if (l->closed)
            return;
        l->closed = true;
        boost::system::error_code ignored;
        l->socket.shutdown(tcp::socket::shutdown_both, ignored);
        l->socket.close(ignored);
        l->signal.cancel();
        links.erase(id);
        core.close(id, clock::now());
        flush_ready();
    }

    awaitable<void> timer_loop() {
        auto self = shared_from_this();
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

server::server(asio::any_io_executor executor, server_options options)
    : impl_(std::make_shared<impl>(executor, std::move(options))) {
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
    server_ = std::make_unique<server>(io_.get_executor(), std::move(options));
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
