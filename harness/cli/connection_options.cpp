// The shared client options and how they become a broker URL, TLS settings and a CONNECT.
#include "connection_options.hpp"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>

namespace harness::cli {

using namespace codec;

transport::tls_options tls_arguments::options() const {
    transport::tls_options o;
    o.ca_file = cafile;
    o.cert_file = cert;
    o.key_file = key;
    o.insecure = insecure;
    return o;
}

void add_tls_options(CLI::App& cmd, tls_arguments& a, const std::string& use) {
    cmd.add_option("--cafile", a.cafile, "CA certificates (PEM) to verify the broker; " + use);
    cmd.add_option("--cert", a.cert, "Client certificate (PEM); " + use);
    cmd.add_option("--key", a.key, "Client private key (PEM)");
    cmd.add_flag("--insecure", a.insecure, "Do not verify the broker's certificate");
}

void add_connection_options(CLI::App& cmd, connection_arguments& a) {
    cmd.set_help_flag("--help", "Print this help message and exit");  // -h is the host
    cmd.add_option("-h,--host", a.host, "Broker host (default localhost)");
    cmd.add_option("-p,--port", a.port, "Broker port (default 1883, 8883 with TLS)")
        ->check(CLI::Range(1, 65535));
    cmd.add_option("-L,--url", a.url,
                   "Broker URL: mqtt://host:port, mqtts://..., ws://host:port/path, wss://...");
    cmd.add_option("-V,--protocol-version", a.version,
                   "MQTT version: 5 (mqttv5), 311 (mqttv311) or 31 (mqttv31)");
    cmd.add_option("-i,--id", a.client_id, "Client identifier");
    cmd.add_option("-u,--username", a.username, "User name");
    cmd.add_option("-P,--pw", a.password, "Password");
    cmd.add_option("-k,--keepalive", a.keep_alive, "Keep-alive in seconds (0: none)")
        ->check(CLI::Range(0, 65535));
    cmd.add_flag("-c,--disable-clean-session", a.no_clean_start,
                 "Keep the session (clean start off)");
    cmd.add_option("-x,--session-expiry-interval", a.session_expiry,
                   "Session expiry interval in seconds (5.0)");
    add_tls_options(cmd, a.tls, "enables TLS");
    cmd.add_option("--will-topic", a.will_topic, "Will topic");
    cmd.add_option("--will-payload", a.will_payload, "Will payload");
    cmd.add_option("--will-qos", a.will_qos, "Will QoS")->check(CLI::Range(0, 2));
    cmd.add_flag("--will-retain", a.will_retain, "Retain the will");
    cmd.add_option("-D,--property", a.properties,
                   "5.0 property: COMMAND NAME VALUE (user-property takes NAME VALUE), e.g. "
                   "-D publish content-type text/plain")
        ->expected(3, 4)
        ->allow_extra_args(false);
    cmd.add_flag("-d,--debug", a.debug, "Print every packet sent and received");
    cmd.add_option("--timeout", a.timeout_seconds,
                   "Seconds to wait for the broker at each step (default 10)")
        ->check(CLI::PositiveNumber);
}

std::optional<client_setup> make_client_setup(const connection_arguments& a,
                                              const std::string& default_id_prefix,
                                              std::string& error) {
    client_setup setup;
    auto& o = setup.options;
    const bool tls = !a.tls.cafile.empty() || !a.tls.cert.empty() || a.tls.insecure;
    if (!a.url.empty()) {
        auto url = transport::parse_broker_url(a.url, error);
        if (!url)
            return std::nullopt;
        o.url = *url;
    } else {
        std::string text = (tls ? "mqtts://" : "mqtt://") +
                           (a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host);
        if (a.port != 0)
            text += ":" + std::to_string(a.port);
        auto url = transport::parse_broker_url(text, error);
        if (!url)
            return std::nullopt;
        o.url = *url;
    }
    o.tls = a.tls.options();
    o.timeout = std::chrono::milliseconds(static_cast<long>(a.timeout_seconds * 1000));

    auto& c = o.session.connect;
    if (a.version == "5" || a.version == "mqttv5") {
        c.version = protocol_version::v5;
    } else if (a.version == "311" || a.version == "mqttv311" || a.version == "4") {
        c.version = protocol_version::v3_1_1;
    } else if (a.version == "31" || a.version == "mqttv31" || a.version == "3") {
        c.version = protocol_version::v3_1;
    } else {
        error = "-V: unknown protocol version '" + a.version + "' (use 5, 311 or 31)";
        return std::nullopt;
    }
    c.client_id =
        !a.client_id.empty() ? a.client_id : default_id_prefix + "-" + std::to_string(::getpid());
    c.username = a.username;
    if (a.password)
        c.password = binary(a.password->begin(), a.password->end());
    if (c.password && !c.username && c.version != protocol_version::v5) {
        error = "-P needs -u before MQTT 5.0";
        return std::nullopt;
    }
    c.keep_alive = static_cast<std::uint16_t>(a.keep_alive);
    c.clean_start = !a.no_clean_start;
    o.session.connect_timeout = o.timeout;

    auto properties = parse_property_arguments(a.properties, error);
    if (!properties)
        return std::nullopt;
    setup.properties = std::move(*properties);
    if (c.version != protocol_version::v5 && !a.properties.empty()) {
        error = "-D properties need MQTT 5.0 (-V 5)";
        return std::nullopt;
    }
    if (c.version == protocol_version::v5) {
        c.properties = setup.properties.connect;
        if (a.session_expiry) {
            c.properties.erase(property_id::session_expiry_interval);
            c.properties.add(property_id::session_expiry_interval, *a.session_expiry);
        } else if (a.no_clean_start &&
                   !c.properties.contains(property_id::session_expiry_interval)) {
            // Like mosquitto: -c alone asks the broker to keep the session indefinitely.
            c.properties.add(property_id::session_expiry_interval, 0xFFFFFFFFu);
        }
        if (!c.properties.contains(property_id::topic_alias_maximum)) {
            c.properties.add(property_id::topic_alias_maximum, 10u);  // accept server aliases
        }
    }
    if (!a.will_topic.empty()) {
        will_message will;
        will.topic = a.will_topic;
        if (a.will_payload)
            will.payload = binary(a.will_payload->begin(), a.will_payload->end());
        will.qos = static_cast<qos>(a.will_qos);
        will.retain = a.will_retain;
        will.properties = setup.properties.will;
        c.will = std::move(will);
    } else if (a.will_payload || a.will_retain || a.will_qos != 0) {
        error = "--will-payload, --will-qos and --will-retain need --will-topic";
        return std::nullopt;
    }
    return setup;
}

int connect_failure_status(const client::async_client& c) {
    if (const auto& d = c.last_disconnect(); d && d->refusal) {
        const int code = c.state().version() == protocol_version::v5
                             ? static_cast<int>(*d->refusal)
                             : static_cast<int>(to_v3(*d->refusal));
        if (code != 0)
            return code;
    }
    return 1;
}

int run_command(boost::asio::awaitable<int> command) {
    boost::asio::io_context io(1);  // one thread runs it: Asio may skip cross-thread wake-ups
    int status = 1;
    boost::asio::co_spawn(io, std::move(command), [&](std::exception_ptr e, int result) {
        if (e)
            std::rethrow_exception(e);
        status = result;
    });
    io.run();
    return status;
}

namespace {

std::string describe(const packet& p) {
    std::string out(to_string(type_of(p)));
    if (const auto* m = std::get_if<publish>(&p)) {
        out += " (d" + std::to_string(m->dup) + ", q" + std::to_string(static_cast<int>(m->qos)) +
               ", r" + std::to_string(m->retain) + ", m" + std::to_string(m->packet_id) + ", '" +
               m->topic + "', ... (" + std::to_string(m->payload.size()) + " bytes))";
    } else if (const auto* a = std::get_if<connack>(&p)) {
        out += " (" + std::to_string(static_cast<int>(a->reason_code)) + ")";
    } else if (const auto* s = std::get_if<subscribe>(&p)) {
        for (const auto& sub : s->subscriptions) {
            out += " (Mid: " + std::to_string(s->packet_id) + ", Topic: " + sub.topic_filter +
                   ", QoS: " + std::to_string(static_cast<int>(sub.max_qos)) + ")";
        }
    } else if (const auto* d = std::get_if<disconnect>(&p);
               d != nullptr && d->reason_code != disconnect_reason::normal_disconnection) {
        out += " (" + std::string(to_string(d->reason_code)) + ")";
    }
    std::visit(
        [&](const auto& value) {
            if constexpr (requires { value.packet_id; }) {
                if (!std::holds_alternative<publish>(p) && !std::holds_alternative<subscribe>(p)) {
                    out += " (Mid: " + std::to_string(value.packet_id) + ")";
                }
            }
        },
        p);
    return out;
}

}  // namespace

client::packet_observer debug_printer(std::string client_id) {
    return [id = std::move(client_id)](client::direction d, const packet& p) {
        std::cout << "Client " << id << (d == client::direction::sent ? " sending " : " received ")
                  << describe(p) << std::endl;  // flushed: scripts wait for these lines
    };
}

}  // namespace harness::cli
