// connect(): TLS files first (no traffic for a bad path), then DNS lookup, TCP connect to each
// address in turn, and the handshakes of the scheme, all under one deadline.
#include "harness/transport/connect.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <memory>
#include <variant>
#include <vector>

#include "stages.hpp"
#include "stream_base.hpp"

namespace harness::transport {
namespace detail {
namespace {

namespace asio = boost::asio;

/// Whether the calling coroutine has been cancelled; asking never throws.
bool is_cancelled(const asio::cancellation_state& state) {
    return state.cancelled() != asio::cancellation_type::none;
}

/// A lookup that may outlive the connect() that started it: getaddrinfo cannot be interrupted,
/// so at the deadline connect() stops waiting and leaves this state to the handler.
struct lookup {
    explicit lookup(const asio::any_io_executor& executor) : resolver(executor), done(executor) {}
    tcp::resolver resolver;
    asio::steady_timer done;  // cancelled when the lookup finishes
    boost::system::error_code ec;
    tcp::resolver::results_type results;
    bool finished = false;
};

using resolved = std::variant<tcp::resolver::results_type, stage_failure>;

asio::awaitable<resolved> resolve(const broker_url& url, const connect_budget& budget) {
    // An address literal needs no lookup (and no trip to the resolver's thread).
    boost::system::error_code literal_error;
    const auto literal = asio::ip::make_address(url.host, literal_error);
    if (!literal_error)
        co_return tcp::resolver::results_type::create(tcp::endpoint(literal, url.port), url.host,
                                                      std::to_string(url.port));
    auto state = std::make_shared<lookup>(co_await asio::this_coro::executor);
    state->done.expires_at(budget.deadline);
    state->resolver.async_resolve(
        url.host, std::to_string(url.port), tcp::resolver::numeric_service,
        [state](const boost::system::error_code& ec, tcp::resolver::results_type results) {
            state->ec = ec;
            state->results = std::move(results);
            state->finished = true;
            state->done.cancel();
        });
    co_await state->done.async_wait(asio::as_tuple(asio::use_awaitable));
    const std::string what = "DNS lookup of " + url.host;
    if (!state->finished) {
        state->resolver.cancel();
        const auto cancellation = co_await asio::this_coro::cancellation_state;
        co_return interrupted(what, is_cancelled(cancellation), budget);
    }
    if (state->ec)
        co_return stage_failure{transport_errc::dns_failed,
                                what + " failed: " + state->ec.message()};
    if (state->results.empty())
        co_return stage_failure{transport_errc::dns_failed, what + " returned no address"};
    co_return std::move(state->results);
}

using connected = std::variant<tcp::socket, stage_failure>;

/// Tries each address in turn, like a browser without the racing.
asio::awaitable<connected> connect_socket(const broker_url& url,
                                          const tcp::resolver::results_type& addresses,
                                          const connect_budget& budget) {
    tcp::socket socket(co_await asio::this_coro::executor);
    const std::string target = host_and_port(url);
    std::vector<std::pair<tcp::endpoint, boost::system::error_code>> failures;
    for (const auto& entry : addresses) {
        const auto endpoint = entry.endpoint();
        boost::system::error_code ec;
        socket.close(ec);
        socket.open(endpoint.protocol(), ec);
        if (!ec) {
            const auto result = co_await before_deadline(
                socket.async_connect(endpoint, asio::as_tuple(asio::use_awaitable)),
                budget.deadline, [&socket] {
                    boost::system::error_code ignored;
                    socket.close(ignored);
                });
            const auto cancellation = co_await asio::this_coro::cancellation_state;
            const bool cancelled = is_cancelled(cancellation);
            if (!result || cancelled)
                co_return interrupted("TCP connect to " + target, cancelled, budget);
            ec = std::get<0>(*result);
        }
        if (!ec) {
            socket.set_option(tcp::no_delay(true), ec);  // MQTT packets are small
            co_return std::move(socket);
        }
        failures.emplace_back(endpoint, ec);
    }

    const bool all_refused = std::all_of(failures.begin(), failures.end(), [](const auto& f) {
        return f.second == asio::error::connection_refused;
    });
    const bool only_the_host = failures.size() == 1 && to_string(failures[0].first) == target;
    std::string message = "TCP connect to " + target + (all_refused ? " refused" : " failed");
    if (!all_refused || !only_the_host) {
        message += " (";
        for (std::size_t i = 0; i < failures.size(); ++i) {
            message += (i > 0 ? "; " : "") + to_string(failures[i].first) + ": " +
                       describe_error(failures[i].second);
        }
        message += ")";
    }
    co_return stage_failure{all_refused ? transport_errc::tcp_refused : transport_errc::tcp_failed,
                            message};
}

connect_result failed(stage_failure failure) {
    return {nullptr, failure.ec, std::move(failure.message)};
}

// GCC 12 at -O1 (the asan preset) warns -Wmismatched-new-delete on this coroutine's frame: a
// false positive about Asio's class-specific operator new/delete for awaitable frames.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<connect_result> run_stages(const broker_url& url, const tls_options& tls,
                                           const connect_budget& budget) {
    std::optional<asio::ssl::context> context;
    if (url.secure()) {
        std::string error;
        context = make_client_context(tls, error);
        if (!context)
            co_return failed({transport_errc::tls_setup_failed, error});
    }

    auto addresses = co_await resolve(url, budget);
    if (auto* failure = std::get_if<stage_failure>(&addresses))
        co_return failed(std::move(*failure));
    auto socket =
        co_await connect_socket(url, std::get<tcp::resolver::results_type>(addresses), budget);
    if (auto* failure = std::get_if<stage_failure>(&socket))
        co_return failed(std::move(*failure));

    auto& connected_socket = std::get<tcp::socket>(socket);
    switch (url.kind) {
        case scheme::mqtt:
            co_return co_await open_tcp_stream(std::move(connected_socket), url, budget);
        case scheme::mqtts:
            co_return co_await open_tls_stream(std::move(connected_socket), std::move(*context),
                                               url, tls, budget);
        case scheme::ws:
        case scheme::wss:
            break;
    }
    co_return co_await open_websocket_stream(std::move(connected_socket), std::move(context), url,
                                             tls, budget);
}
#pragma GCC diagnostic pop

}  // namespace

stage_failure interrupted(std::string_view stage, bool cancelled, const connect_budget& budget) {
    if (cancelled)
        return {std::make_error_code(std::errc::operation_canceled),
                std::string(stage) + " cancelled"};
    return {transport_errc::connect_timeout, std::string(stage) + " timed out (connect timeout " +
                                                 std::to_string(budget.timeout.count()) + " ms)"};
}

std::string host_and_port(const broker_url& url) {
    const auto port = std::to_string(url.port);
    return url.host.find(':') != std::string::npos ? "[" + url.host + "]:" + port
                                                   : url.host + ":" + port;
}

}  // namespace detail

boost::asio::awaitable<connect_result> connect(broker_url url, tls_options tls,
                                               std::chrono::milliseconds timeout) {
    const detail::connect_budget budget{detail::clock::now() + timeout, timeout};
    try {
        co_return co_await detail::run_stages(url, tls, budget);
    } catch (const boost::system::system_error&) {
        // A co_await in a coroutine whose caller has been cancelled throws operation_aborted.
    }
    co_return connect_result{nullptr, std::make_error_code(std::errc::operation_canceled),
                             "connect to " + url.to_string() + " cancelled"};
}

}  // namespace harness::transport
