// ws:// streams, both sides: the client connect and the server accept over plain TCP (the TLS
// layer's instantiation is in websocket_tls.cpp, so that each builds on its own).
#include <algorithm>
#include <ranges>

#include "websocket_stream.hpp"

namespace harness::transport::detail {

std::string select_subprotocol(std::string_view offered) {
    bool legacy = false;
    for (const auto token : std::views::split(offered, ',')) {
        std::string_view name(token.begin(), token.end());
        const auto first = name.find_first_not_of(" \t");
        if (first == std::string_view::npos)
            continue;
        name = name.substr(first, name.find_last_not_of(" \t") - first + 1);
        if (name == subprotocol)
            return std::string(subprotocol);
        legacy = legacy || name == "mqttv3.1";
    }
    return legacy ? "mqttv3.1" : "";
}

asio::awaitable<connect_result> open_websocket_stream(tcp::socket socket,
                                                      std::optional<asio::ssl::context> context,
                                                      broker_url url, tls_options tls,
                                                      connect_budget budget) {
    if (context) {
        co_return co_await open_secure_websocket_stream(std::move(socket), std::move(*context),
                                                        std::move(url), std::move(tls), budget);
    }
    auto s = std::make_unique<websocket_stream<tcp::socket>>(url, budget.timeout, std::move(socket),
                                                             nullptr);
    if (auto failure = co_await client_upgrade(*s, url, budget))
        co_return connect_result{nullptr, failure->ec, std::move(failure->message)};
    co_return connect_result{std::move(s), {}, {}};
}

asio::awaitable<accepted_stream> accept_websocket_stream(tcp::socket socket, broker_url peer,
                                                         connect_budget budget) {
    auto s = std::make_unique<websocket_stream<tcp::socket>>(std::move(peer), budget.timeout,
                                                             std::move(socket), nullptr);
    if (auto failure = co_await accept_upgrade(*s, budget))
        co_return accepted_stream{nullptr, failure->ec, std::move(failure->message), {}};
    co_return accepted_stream{std::move(s), {}, {}, {}};
}

}  // namespace harness::transport::detail
