// The scenario model: what a scenario file says, as plain values, each part carrying the place
// in the file it came from so that run-time failures can point back at the YAML. Produced by
// load.hpp (which validates everything), consumed by the runner. Strings that may hold
// templates ("{{seq}}", "{{vars}}", "{{trigger.json.id}}") are kept raw and expanded at run time
// by template.hpp.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace harness::scenario {

using milliseconds = std::chrono::milliseconds;

/// A place in a scenario file; line and column count from 1.
struct position {
    std::string file;
    int line = 0;
    int column = 0;
    /// "file:line:column"
    std::string to_string() const;
};

// --- Payloads and properties ---------------------------------------------------------------

/// A payload to send: text (a template), JSON (a value whose strings are templates), hex bytes,
/// or the contents of a file (path relative to the scenario file). Empty text is an empty payload.
struct payload_spec {
    enum class kind { text, json, hex, file };
    kind form = kind::text;
    std::string text;         // text: the template; hex: the digits; file: the resolved path
    boost::json::value json;  // json only
};

/// MQTT 5.0 PUBLISH properties a scenario sets on a message (templates where text).
struct publish_properties_spec {
    std::optional<std::string> content_type;
    std::optional<std::string> response_topic;
    std::optional<std::string> correlation_data;           // a template; sent as its bytes
    std::optional<bool> payload_format_utf8;               // payload_format_indicator
    std::optional<std::uint32_t> message_expiry_interval;  // seconds
    std::vector<std::pair<std::string, std::string>> user_properties;
    bool empty() const noexcept;
};

/// A message to publish: the publish step, a stand-in's reply, a background publisher and a
/// will all use it.
struct message_spec {
    std::string topic;  // a template
    payload_spec payload;
    int qos = 0;
    bool retain = false;
    publish_properties_spec properties;
};

// --- Clients -------------------------------------------------------------------------------

struct tls_spec {
    std::string ca_file;  // resolved relative to the scenario file
    std::string cert_file;
    std::string key_file;
    std::string server_name;
    bool insecure = false;
};

struct will_spec {
    message_spec message;
    std::uint32_t delay_interval = 0;  // seconds, 5.0
};

struct client_spec {
    std::string name;
    position where;
    int version = 5;                       // 3 (3.1), 4 (3.1.1) or 5 (5.0)
    std::optional<std::string> client_id;  // a template; default: "<name>-<run id>"
    bool clean_start = true;
    std::optional<std::uint32_t> session_expiry;  // seconds, 5.0
    std::optional<std::string> username;
    std::optional<std::string> password;
    std::optional<will_spec> will;
    std::optional<tls_spec> tls;    // used on mqtts:// and wss:// brokers
    std::uint16_t keep_alive = 60;  // seconds
    /// Connects when the scenario starts; false: waits for a connect step.
    bool auto_connect = true;
    /// A bare connection: the transport only, no MQTT session; packets go out with `send` and
    /// are checked with expect_packet, expect_no_packet and expect_closed.
    bool raw = false;
};

// --- Components under test -----------------------------------------------------------------

/// When a started component counts as ready.
struct readiness_spec {
    enum class kind { log_line, message, port };
    kind on = kind::log_line;
    std::string pattern;     // log_line: ECMAScript regex over stdout/stderr lines
    std::string topic;       // message: a topic filter (a template)
    std::uint16_t port = 0;  // port: a TCP port on 127.0.0.1 that must accept connections
    milliseconds timeout{10'000};
    position where;
};

struct component_spec {
    std::string name;
    position where;
    /// A single string runs through /bin/sh -c; a list is executed directly. Templates.
    std::vector<std::string> command;
    bool shell = false;
    std::string working_dir;  // resolved relative to the scenario file; default: its folder
    std::vector<std::pair<std::string, std::string>> env;  // values are templates
    std::optional<readiness_spec> ready;
    int stop_signal = 15;  // SIGTERM
    milliseconds stop_grace{5'000};
};

// --- Stand-ins -----------------------------------------------------------------------------

/// How a received message is matched. Every set field must hold.
struct payload_match {
    enum class kind { any, exact, regex, json_subset, json_path, hex };
    kind how = kind::any;
    std::string text;               // exact: the template; regex: the pattern; hex: the digits
    boost::json::value json;        // json_subset: the subset; json_path: the expected value
    std::string path;               // json_path: "$.a.b[0]"
    bool path_exists_only = false;  // json_path without a value: the path must exist
};

struct message_match {
    std::string topic_filter;  // a template, expanded before matching
    payload_match payload;
    std::optional<int> qos;
    std::optional<bool> retain;
    publish_properties_spec properties;  // each set property must be equal
    position where;
};

struct stand_in_spec {
    std::string name;
    position where;
    /// The connection it uses: a client of the scenario, or its own when empty.
    std::string client;
    message_match trigger;
    int subscribe_qos = 1;
    std::vector<message_spec> replies;  // templates may use {{trigger.…}}
    milliseconds delay{0};
    std::uint32_t count = 0;  // reactions before it stops; 0: no limit
};

// --- Background publishers -----------------------------------------------------------------

struct background_spec {
    std::string name;
    position where;
    std::string client;
    message_spec message;     // {{seq}} counts from 1
    double rate = 10;         // messages per second
    std::uint32_t count = 0;  // 0: until the steps end
};

// --- Steps ---------------------------------------------------------------------------------

struct connect_step {
    std::string client;
    std::optional<bool> clean_start;
    std::optional<int> expect_reason;  // CONNACK reason that must come back; default success
};

struct subscription_spec {
    std::string filter;  // a template
    int qos = 0;
    bool no_local = false;
    bool retain_as_published = false;
    int retain_handling = 0;
    std::optional<std::uint32_t> subscription_identifier;
};

struct subscribe_step {
    std::string client;
    std::vector<subscription_spec> subscriptions;
    std::optional<std::vector<int>> expect_reasons;  // default: each at most the asked QoS
};

struct unsubscribe_step {
    std::string client;
    std::vector<std::string> filters;
};

struct publish_step {
    std::string client;
    message_spec message;
    std::uint32_t repeat = 1;          // {{seq}} counts from 1
    std::optional<double> rate;        // messages per second when repeating; default: no pause
    std::optional<int> expect_reason;  // PUBACK/PUBREC reason; default success
};

/// Messages that must arrive at a client: each of `messages` `count` times.
struct expect_step {
    std::string client;
    std::vector<message_match> messages;
    std::vector<std::uint32_t> counts;  // one per message, default 1
    bool ordered = true;
    std::optional<milliseconds> within;   // default: the run's timeout
    std::optional<milliseconds> latency;  // bound from the triggering step's start
    std::string after;  // the step (by id) the latency counts from; default the last publish
};

struct expect_none_step {
    std::string client;
    message_match message;
    milliseconds duration{1'000};
};

struct wait_log_step {
    std::string component;
    std::string pattern;  // ECMAScript regex
    std::optional<milliseconds> timeout;
};

struct disconnect_step {
    std::string client;
    bool abrupt = false;  // drop the connection without DISCONNECT (the will goes out)
    int reason = 0;       // 5.0 DISCONNECT reason code
};

struct sleep_step {
    milliseconds duration{0};
};

/// Embedded broker only: drop, delay or duplicate matching packets, or cut a client off.
struct fault_step {
    enum class action { drop, delay, duplicate, disconnect_client, clear };
    action what = action::drop;
    bool inbound = true;             // direction: packets the broker receives (in) or sends (out)
    std::optional<int> packet_type;  // codec::packet_type value; any when unset
    std::string client;              // scenario client name; any when empty
    std::string topic_filter;
    milliseconds delay{0};
    std::uint32_t count = 1;  // 0: every matching packet
    int reason = 0x98;        // disconnect_client: the DISCONNECT reason (administrative action)
};

// --- Raw-packet steps (raw clients only) ---------------------------------------------------

/// Bytes to send on a raw connection: a structured packet (JSON as `decode` prints it, strings
/// are templates) or hex digits with placeholders ({{len}}, {{client_id}}, {{topic T}},
/// {{str T}}).
struct send_step {
    std::string client;
    std::optional<boost::json::object> packet;
    std::string hex;               // when no packet: digits, spaces removed, placeholders kept
    bool verbatim_topics = false;  // no run prefix on the packet's topics
};

/// A packet that must arrive: every key given must equal the decoded packet's (see
/// scenario/packet_match.hpp).
struct expect_packet_step {
    std::string client;
    boost::json::object packet;
    std::optional<milliseconds> within;
    bool next = false;  // fail when another packet comes first
    /// Values of the matched packet kept for later templates: name -> field path
    /// ("packet_id", "properties.topic_alias", "reason_codes[0]"). `{{name}}` alone in a
    /// packet field gives the value with its type (a number stays a number).
    std::vector<std::pair<std::string, std::string>> save;
};

struct expect_no_packet_step {
    std::string client;
    std::optional<boost::json::object> packet;  // any packet when unset
    milliseconds duration{1'000};
};

/// The broker must close the connection; a DISCONNECT before it must carry one of `reasons`
/// when given.
struct expect_closed_step {
    std::string client;
    std::optional<milliseconds> within;
    std::optional<std::vector<int>> reasons;
};

using step_body =
    std::variant<connect_step, subscribe_step, unsubscribe_step, publish_step, expect_step,
                 expect_none_step, wait_log_step, disconnect_step, sleep_step, fault_step,
                 send_step, expect_packet_step, expect_no_packet_step, expect_closed_step>;

struct step {
    std::string id;  // optional name, referred to by expect.after and shown in reports
    position where;
    step_body body;
};

/// "connect", "subscribe", ... as written in the file.
std::string_view step_kind(const step_body& body) noexcept;

// --- Scenarios and files -------------------------------------------------------------------

struct defaults_spec {
    std::optional<milliseconds> timeout;  // default wait of expect and readiness
    int qos = 0;                          // default QoS of publish and subscribe
    int version = 5;                      // default protocol version of clients
};

struct scenario {
    std::string name;
    std::string description;
    std::vector<std::string> tags;
    /// Normative statement ids the scenario verifies ("MQTT-3.1.2-4"), for conformance reports.
    std::vector<std::string> statements;
    /// Broker capabilities it needs ("qos2", "retain", ...); see the conformance probe.
    std::vector<std::string> requires_capabilities;
    position where;
    std::string file;  // the scenario file, as given
    std::map<std::string, std::string> variables;
    defaults_spec defaults;
    std::vector<client_spec> clients;
    std::vector<component_spec> components;
    std::vector<stand_in_spec> stand_ins;
    std::vector<background_spec> background;
    std::vector<step> steps;
    /// Needs the embedded broker (uses fault steps): skipped with a reason on external brokers.
    bool needs_embedded_broker() const;
};

/// One file: a single scenario or a suite; scenarios of a suite inherit the file's variables,
/// defaults, clients, components and stand-ins.
struct scenario_file {
    std::string path;
    std::string suite_name;  // the file's name: key, or its stem
    std::vector<scenario> scenarios;
};

}  // namespace harness::scenario
