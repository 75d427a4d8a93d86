// The asynchronous MQTT client: a session state machine driven over a transport with Asio
// C++20 coroutines. One reader, one writer and one timer coroutine per connection, all on the
// client's executor; every wait of the API has a timeout.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/client/session.hpp"
#include "harness/transport/transport.hpp"

namespace harness::client {

struct client_options {
    transport::broker_url url;
    transport::tls_options tls;
    session_options session;
    /// Bound on each wait: transport connect, CONNACK, acknowledgements, DISCONNECT flush.
    std::chrono::milliseconds timeout{10'000};
};

/// What a request came to: success, or an error with a message naming what failed.
struct outcome {
    std::error_code error;
    std::string message;
    explicit operator bool() const noexcept { return !error; }
};

struct connect_outcome : outcome {
    std::optional<codec::connack> connack;
};

struct publish_outcome : outcome {
    std::uint16_t packet_id = 0;
    std::uint8_t reason_code = 0;
    codec::property_list properties;
};

struct subscribe_outcome : outcome {
    std::vector<codec::suback_reason> reason_codes;
    codec::property_list properties;
};

struct unsubscribe_outcome : outcome {
    std::vector<codec::unsuback_reason> reason_codes;
    codec::property_list properties;
};

enum class direction { sent, received };

/// Sees every packet that goes out or comes in (for `-d` output and observation logs).
using packet_observer = std::function<void(direction, const codec::packet&)>;

class async_client {
  public:
    async_client(boost::asio::any_io_executor executor, client_options options);
    ~async_client();
    async_client(const async_client&) = delete;
    async_client& operator=(const async_client&) = delete;

    void observe(packet_observer observer);
    /// Called on a server AUTH (enhanced authentication); answer with send_auth().
    void on_auth(std::function<void(const codec::auth&)> handler);
    /// Hands every application message to `handler` as it is decoded, instead of queueing it
    /// for next_message(): the cheaper way to take a high rate of messages.
    void on_message(std::function<void(codec::publish&&)> handler);

    /// Opens the transport and completes CONNECT/CONNACK. Reconnecting resumes the session.
    boost::asio::awaitable<connect_outcome> connect();
    /// Publishes and, for QoS 1 and 2, waits for the acknowledgement flow to complete.
    boost::asio::awaitable<publish_outcome> publish(codec::publish message);
    boost::asio::awaitable<subscribe_outcome> subscribe(
        std::vector<codec::subscription> subscriptions, codec::property_list properties = {});
    boost::asio::awaitable<unsubscribe_outcome> unsubscribe(std::vector<std::string> topic_filters,
                                                            codec::property_list properties = {});
    /// The next application message, or nullopt when none came within `timeout` or the
    /// connection ended (see last_disconnect()).
    boost::asio::awaitable<std::optional<codec::publish>> next_message(
        std::chrono::milliseconds timeout);
    void send_auth(const codec::auth& packet);
    /// Sends DISCONNECT and closes the transport gracefully.
    boost::asio::awaitable<void> disconnect(
        codec::disconnect_reason reason = codec::disconnect_reason::normal_disconnection,
        codec::property_list properties = {});
    /// Drops the connection without DISCONNECT (the broker then sends the will).
    void abort();

    bool connected() const;
    /// How the last connection ended, when it has.
    const std::optional<disconnected_event>& last_disconnect() const;
    const session& state() const;

  private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace harness::client
