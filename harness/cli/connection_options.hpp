// Command-line options every client command shares (host, port or URL, TLS, protocol version,
// client id, credentials, keep-alive, will, -D properties, -d), named as mosquitto_pub and
// mosquitto_sub name them, and their translation into client options.
#pragma once

#include <CLI/App.hpp>
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/client/async_client.hpp"
#include "harness/transport/connect.hpp"
#include "property_arguments.hpp"

namespace harness::cli {

/// --cafile, --cert, --key and --insecure, as mosquitto_pub and mosquitto_sub name them.
struct tls_arguments {
    std::string cafile;
    std::string cert;
    std::string key;
    bool insecure = false;

    /// Whether any of the four options was given.
    bool given() const { return !cafile.empty() || !cert.empty() || !key.empty() || insecure; }
    transport::tls_options options() const;
};

/// Registers --cafile, --cert, --key and --insecure on a subcommand. `use` ends the help of
/// --cafile and --cert: what the settings apply to ("enables TLS" for pub and sub).
void add_tls_options(CLI::App& command, tls_arguments& args, const std::string& use);

struct connection_arguments {
    std::string host = "localhost";
    int port = 0;  // 0: the scheme's default
    std::string url;
    std::string version = "5";
    std::string client_id;
    std::optional<std::string> username;
    std::optional<std::string> password;
    int keep_alive = 60;
    bool no_clean_start = false;
    std::optional<std::uint32_t> session_expiry;
    tls_arguments tls;
    std::string will_topic;
    std::optional<std::string> will_payload;
    int will_qos = 0;
    bool will_retain = false;
    std::vector<std::vector<std::string>> properties;
    bool debug = false;
    double timeout_seconds = 10;
};

/// Registers the shared options on a subcommand; `prefix` names the client id default.
void add_connection_options(CLI::App& command, connection_arguments& args);

struct client_setup {
    client::client_options options;
    property_arguments properties;
};

/// Builds client options; nullopt with `error` set when the arguments do not fit together.
std::optional<client_setup> make_client_setup(const connection_arguments& args,
                                              const std::string& default_id_prefix,
                                              std::string& error);

/// The exit status after a failed connect: the CONNACK reason code when the broker refused
/// (as mosquitto_pub and mosquitto_sub do), otherwise 1.
int connect_failure_status(const client::async_client& c);

/// Runs a command's coroutine on an io_context of its own; returns the status it returns.
int run_command(boost::asio::awaitable<int> command);

/// Prints packets as mosquitto's -d does ("Client x sending PUBLISH (d0, q1, ...)").
client::packet_observer debug_printer(std::string client_id);

}  // namespace harness::cli
