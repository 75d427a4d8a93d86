// The subset of mosquitto.conf the embedded broker understands, parsed into a plain model. The
// parser does no I/O of its own: the files it reads (the configuration, include_dir's files) come
// through a config_file_reader, by default the disk.
//
// Syntax as Mosquitto's: one `option value...` per line, blank lines and lines starting with '#'
// skipped (trailing comments are not comments), "\r\n" accepted. Options spelled as Mosquitto
// spells them; booleans `true`/`false` (or 1/0); paths are the rest of the line (they may contain
// spaces) and are kept as written, except include_dir's, resolved against the including file's
// folder.
//
// Supported:
// - `listener PORT [BIND_ADDRESS]` starts a listener (port 0: the kernel picks one, so several
//   listeners may say 0); `protocol mqtt|websockets`, `cafile`,
//   `certfile`, `keyfile`, `require_certificate`, `use_identity_as_username` after it are its
//   own (before any listener line they are an error: there is no default listener here).
// - `allow_anonymous`, `password_file`, `acl_file`: global, or the current listener's with
//   `per_listener_settings true` (which must come before any listener and any of these; with
//   it, these options before the first listener line stay global).
// - `max_packet_size`, `max_inflight_messages`, `max_queued_messages`, `max_queued_bytes`,
//   `message_size_limit`, `retain_available`, `max_qos`, `max_keepalive`, `sys_interval`,
//   `log_type` and `log_dest` (both repeatable).
// - `include_dir DIR` (main file only, as in Mosquitto): reads DIR's *.conf files in sorted order
//   at that point, the current listener carrying on into them.
// Any other option is a warning (ignored); a bad value, a misplaced option or an unreadable file
// an error. Every problem is collected, each naming its file and line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/codec/types.hpp"

namespace harness::broker {

enum class listener_protocol { mqtt, websockets };

/// Where an option line is: for problems found after parsing (a password file that cannot be
/// read, TLS options that do not go together).
struct config_location {
    std::filesystem::path file;
    std::size_t line = 0;  // 1-based
};

/// The location of the last line of each option, by option name.
using config_locations = std::map<std::string, config_location, std::less<>>;

/// The options per_listener_settings makes a listener's own. Unset: the broker's default
/// (Mosquitto 2.0: no anonymous clients when listeners are configured, no password or ACL file).
struct security_settings {
    std::optional<bool> allow_anonymous;
    std::optional<std::string> password_file;
    std::optional<std::string> acl_file;

    friend bool operator==(const security_settings&, const security_settings&) = default;
};

struct listener_config {
    std::uint16_t port = 0;
    /// Unset: every address.
    std::optional<std::string> bind_address;
    listener_protocol protocol = listener_protocol::mqtt;
    std::optional<std::string> cafile;
    std::optional<std::string> certfile;
    std::optional<std::string> keyfile;
    bool require_certificate = false;
    bool use_identity_as_username = false;
    /// Only with per_listener_settings; otherwise broker_config::security holds them.
    security_settings security;
    /// Where the `listener` line is.
    std::filesystem::path file;
    std::size_t line = 0;
    /// Where its own options are (listener options; security options with
    /// per_listener_settings).
    config_locations locations;
};

struct log_destination {
    enum class kind { stdout_stream, stderr_stream, syslog, topic, file, dlt, none };
    kind where = kind::stderr_stream;
    /// For kind::file only.
    std::string path;

    friend bool operator==(const log_destination&, const log_destination&) = default;
};

/// The configuration as written; an unset option means the broker's default (broker_options).
struct broker_config {
    /// The main configuration file.
    std::filesystem::path file;
    std::vector<listener_config> listeners;
    bool per_listener_settings = false;
    /// Without per_listener_settings: for every listener.
    security_settings security;

    std::optional<std::uint32_t> max_packet_size;  // 0: no limit
    std::optional<std::uint16_t> max_inflight_messages;
    std::optional<std::size_t> max_queued_messages;
    std::optional<std::size_t> max_queued_bytes;
    std::optional<std::uint32_t> message_size_limit;  // 0: no limit
    std::optional<bool> retain_available;
    std::optional<codec::qos> max_qos;
    std::optional<std::uint16_t> max_keepalive;
    std::optional<std::uint32_t> sys_interval;  // seconds; 0: no $SYS updates
    /// debug, error, warning, notice, information, subscribe, unsubscribe, websockets, none,
    /// all: as written, in order.
    std::vector<std::string> log_types;
    std::vector<log_destination> log_destinations;
    /// Where log_destinations[i] was set.
    std::vector<config_location> log_destination_locations;

    /// Where the global options are (the last line of each; security options here only when
    /// global).
    config_locations locations;

    /// The files include_dir read, in the order read.
    std::vector<std::filesystem::path> included_files;
};

struct config_problem {
    enum class severity { warning, error };
    severity level = severity::error;
    std::filesystem::path file;
    std::size_t line = 0;  // 1-based; 0 for the file as a whole
    std::string message;

    /// "FILE:LINE: error: MESSAGE" (or "warning").
    std::string to_string() const;
};

struct config_file_result {
    broker_config config;
    std::vector<config_problem> problems;

    /// Whether any problem is an error (warnings alone leave a usable configuration).
    bool has_errors() const noexcept;
};

/// The I/O the parser needs.
struct config_file_reader {
    /// A file's text; nullopt when it cannot be read.
    std::function<std::optional<std::string>(const std::filesystem::path&)> read_file;
    /// The files in a directory (any order; the parser keeps the *.conf ones and sorts them);
    /// nullopt when it cannot be listed.
    std::function<std::optional<std::vector<std::filesystem::path>>(const std::filesystem::path&)>
        list_directory;
};

/// Reads regular files and lists directories on disk.
config_file_reader disk_config_reader();

/// Parses `text` as the main configuration file `file` (for messages and include_dir).
config_file_result parse_config(std::string_view text, const std::filesystem::path& file,
                                const config_file_reader& reader = disk_config_reader());
/// Reads the main configuration file through `reader` and parses it; a file that cannot be read
/// is one error on line 0.
config_file_result load_config(const std::filesystem::path& file,
                               const config_file_reader& reader = disk_config_reader());

}  // namespace harness::broker
