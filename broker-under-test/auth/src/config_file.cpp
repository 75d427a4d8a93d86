// Parsing the mosquitto.conf subset: one pass over the lines, include_dir's files read in place,
// every warning and error collected with its file and line.
#include "harness/broker/config_file.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>
#include <utility>

#include "config_words.hpp"

namespace harness::broker {
namespace {

namespace fs = std::filesystem;

using detail::is_blank;
using detail::next_word;
using detail::trim;

std::string in_quotes(std::string_view text) {
    return "'" + std::string(text) + "'";
}

/// Options that belong to the listener line before them.
bool is_listener_option(std::string_view option) {
    return option == "protocol" || option == "cafile" || option == "certfile" ||
           option == "keyfile" || option == "require_certificate" ||
           option == "use_identity_as_username";
}

bool is_security_option(std::string_view option) {
    return option == "allow_anonymous" || option == "password_file" || option == "acl_file";
}

bool is_log_type(std::string_view type) {
    static constexpr std::string_view types[] = {
        "debug",     "error",       "warning",    "notice", "information",
        "subscribe", "unsubscribe", "websockets", "none",   "all"};
    return std::find(std::begin(types), std::end(types), type) != std::end(types);
}

std::optional<log_destination::kind> parse_log_kind(std::string_view word) {
    using kind = log_destination::kind;
    if (word == "stdout")
        return kind::stdout_stream;
    if (word == "stderr")
        return kind::stderr_stream;
    if (word == "syslog")
        return kind::syslog;
    if (word == "topic")
        return kind::topic;
    if (word == "file")
        return kind::file;
    if (word == "dlt")
        return kind::dlt;
    if (word == "none")
        return kind::none;
    return std::nullopt;
}

class parser {
  public:
    parser(const config_file_reader& reader, config_file_result& result)
        : reader_(reader), result_(result) {}

    void parse_file(std::string_view text, const fs::path& file, bool main_file) {
        std::size_t line_number = 0;
        while (!text.empty()) {
            ++line_number;
            const auto end = text.find('\n');
            const auto line = trim(text.substr(0, end));
            text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
            if (line.empty() || line.front() == '#')
                continue;
            where_ = {&file, line_number};
            parse_line(line, main_file);
        }
    }

  private:
    struct location {
        const fs::path* file = nullptr;
        std::size_t line = 0;
    };

    const config_file_reader& reader_;
    config_file_result& result_;
    broker_config& config() { return result_.config; }
    location where_;
    /// The listener the listener options go to: the last `listener` line's.
    std::optional<std::size_t> listener_;
    bool security_seen_ = false;

    void report(config_problem::severity level, std::string message) {
        result_.problems.push_back({level, *where_.file, where_.line, std::move(message)});
    }
    void error(std::string message) { report(config_problem::severity::error, std::move(message)); }
    void warning(std::string message) {
        report(config_problem::severity::warning, std::move(message));
    }
    /// "OPTION: expected WHAT, got 'VALUE'".
    void bad_value(std::string_view option, std::string_view expected, std::string_view value) {
        error(std::string(option) + ": expected " + std::string(expected) + ", got " +
              (value.empty() ? std::string("nothing") : in_quotes(value)));
    }

    /// One word and nothing after it, or nullopt (reported).
    std::optional<std::string_view> single_word(std::string_view option, std::string_view value,
                                                std::string_view expected) {
        auto rest = value;
        const auto word = next_word(rest);
        if (word.empty() || !rest.empty()) {
            bad_value(option, expected, value);
            return std::nullopt;
        }
        return word;
    }

    template <class T>
    std::optional<T> number(std::string_view option, std::string_view value, std::uint64_t min,
                            std::uint64_t max, std::string_view expected) {
        const auto word = single_word(option, value, expected);
        if (!word)
            return std::nullopt;
        std::uint64_t n = 0;
        const auto [end, ec] = std::from_chars(word->data(), word->data() + word->size(), n);
        if (ec != std::errc{} || end != word->data() + word->size() || n < min || n > max ||
            n > std::numeric_limits<T>::max()) {
            bad_value(option, expected, value);
            return std::nullopt;
        }
        return static_cast<T>(n);
    }

    std::optional<bool> boolean(std::string_view option, std::string_view value) {
        const auto word = single_word(option, value, "true or false");
        if (!word)
            return std::nullopt;
        if (*word == "true" || *word == "1")
            return true;
        if (*word == "false" || *word == "0")
            return false;
        bad_value(option, "true or false", value);
        return std::nullopt;
    }

    std::optional<std::string> path(std::string_view option, std::string_view value) {
        if (value.empty()) {
            bad_value(option, "a path", value);
            return std::nullopt;
        }
        return std::string(value);
    }

    template <class T>
    static void set(std::optional<T>& target, std::optional<T> value) {
        if (value)
            target = std::move(value);
    }

    void parse_line(std::string_view line, bool main_file) {
        const auto option = next_word(line);
        const auto value = line;
        if (option == "listener")
            return parse_listener(value);
        remember_location(option);
        if (is_listener_option(option))
            return parse_listener_option(option, value);
        if (is_security_option(option))
            return parse_security_option(option, value);
        if (option == "per_listener_settings") {
            const auto flag = boolean(option, value);
            if (!flag)
                return;
            if (!config().listeners.empty() || security_seen_)
                return error(
                    "per_listener_settings must come before any listener, allow_anonymous, "
                    "password_file and acl_file line");
            config().per_listener_settings = *flag;
            return;
        }
        if (option == "include_dir") {
            if (!main_file)
                return error("include_dir is only allowed in the main configuration file");
            if (const auto dir = path(option, value))
                include(*dir);
            return;
        }
        auto& c = config();
        if (option == "max_packet_size")
            return set(c.max_packet_size,
                       number<std::uint32_t>(option, value, 0, 268'435'460,
                                             "a size in bytes from 0 (no limit) to 268435460"));
        if (option == "max_inflight_messages")
            return set(c.max_inflight_messages,
                       number<std::uint16_t>(option, value, 0, 65535, "a count from 0 to 65535"));
        if (option == "max_queued_messages")
            return set(
                c.max_queued_messages,
                number<std::size_t>(option, value, 0, std::numeric_limits<std::size_t>::max(),
                                    "a count (0: no limit)"));
        if (option == "max_queued_bytes")
            return set(
                c.max_queued_bytes,
                number<std::size_t>(option, value, 0, std::numeric_limits<std::size_t>::max(),
                                    "a size in bytes (0: no limit)"));
        if (option == "message_size_limit")
            return set(c.message_size_limit,
                       number<std::uint32_t>(option, value, 0, 268'435'455,
                                             "a size in bytes from 0 (no limit) to 268435455"));
        if (option == "retain_available")
            return set(c.retain_available, boolean(option, value));
        if (option == "max_qos") {
            if (const auto n = number<std::uint8_t>(option, value, 0, 2, "0, 1 or 2"))
                c.max_qos = static_cast<codec::qos>(*n);
            return;
        }
        if (option == "max_keepalive")
            return set(c.max_keepalive,
                       number<std::uint16_t>(option, value, 0, 65535, "seconds from 0 to 65535"));
        if (option == "sys_interval")
            return set(
                c.sys_interval,
                number<std::uint32_t>(option, value, 0, std::numeric_limits<std::uint32_t>::max(),
                                      "seconds (0: no $SYS updates)"));
        if (option == "log_type") {
            constexpr std::string_view expected =
                "debug, error, warning, notice, information, subscribe, unsubscribe, websockets, "
                "none or all";
            if (const auto type = single_word(option, value, expected)) {
                if (is_log_type(*type))
                    c.log_types.emplace_back(*type);
                else
                    bad_value(option, expected, value);
            }
            return;
        }
        if (option == "log_dest")
            return parse_log_dest(value);
        warning("unsupported option " + in_quotes(option) + " ignored");
    }

    /// Records where `option` is, in its listener's locations or the global ones.
    void remember_location(std::string_view option) {
        const bool own =
            listener_ && (is_listener_option(option) ||
                          (is_security_option(option) && config().per_listener_settings));
        auto& locations = own ? config().listeners[*listener_].locations : config().locations;
        locations[std::string(option)] = {*where_.file, where_.line};
    }

    void parse_listener(std::string_view value) {
        constexpr std::string_view expected = "a port from 0 to 65535 and an optional bind address";
        auto rest = value;
        const auto port_word = next_word(rest);
        const auto address = next_word(rest);
        if (!rest.empty())
            return bad_value("listener", expected, value);
        const auto port = number<std::uint16_t>("listener", port_word, 0, 65535, expected);
        if (!port)
            return;
        // Port 0 (the kernel picks a free port) may be given to several listeners.
        for (const auto& other : config().listeners) {
            if (*port != 0 && other.port == *port && other.bind_address.value_or("") == address)
                return error("listener " + std::string(trim(value)) + " already defined at " +
                             other.file.string() + ":" + std::to_string(other.line));
        }
        listener_config listener;
        listener.port = *port;
        if (!address.empty())
            listener.bind_address = std::string(address);
        listener.file = *where_.file;
        listener.line = where_.line;
        config().listeners.push_back(std::move(listener));
        listener_ = config().listeners.size() - 1;
    }

    void parse_listener_option(std::string_view option, std::string_view value) {
        if (!listener_)
            return error(in_quotes(option) + " must follow a listener line");
        auto& listener = config().listeners[*listener_];
        if (option == "protocol") {
            if (const auto word = single_word(option, value, "mqtt or websockets")) {
                if (*word == "mqtt")
                    listener.protocol = listener_protocol::mqtt;
                else if (*word == "websockets")
                    listener.protocol = listener_protocol::websockets;
                else
                    bad_value(option, "mqtt or websockets", value);
            }
        } else if (option == "cafile") {
            set(listener.cafile, path(option, value));
        } else if (option == "certfile") {
            set(listener.certfile, path(option, value));
        } else if (option == "keyfile") {
            set(listener.keyfile, path(option, value));
        } else if (option == "require_certificate") {
            if (const auto flag = boolean(option, value))
                listener.require_certificate = *flag;
        } else if (option == "use_identity_as_username") {
            if (const auto flag = boolean(option, value))
                listener.use_identity_as_username = *flag;
        }
    }

    void parse_security_option(std::string_view option, std::string_view value) {
        security_seen_ = true;
        auto& security = config().per_listener_settings && listener_
                             ? config().listeners[*listener_].security
                             : config().security;
        if (option == "allow_anonymous")
            set(security.allow_anonymous, boolean(option, value));
        else if (option == "password_file")
            set(security.password_file, path(option, value));
        else if (option == "acl_file")
            set(security.acl_file, path(option, value));
    }

    void parse_log_dest(std::string_view value) {
        constexpr std::string_view expected =
            "stdout, stderr, syslog, topic, dlt, none or file PATH";
        auto rest = value;
        const auto kind = parse_log_kind(next_word(rest));
        if (!kind || (*kind == log_destination::kind::file) == rest.empty())
            return bad_value("log_dest", expected, value);
        config().log_destinations.push_back({*kind, std::string(rest)});
        config().log_destination_locations.push_back({*where_.file, where_.line});
    }

    void include(std::string_view dir_text) {
        const fs::path dir = where_.file->parent_path() / fs::path(dir_text);
        const auto listed = reader_.list_directory(dir);
        if (!listed)
            return error("include_dir: cannot list directory " + in_quotes(dir.string()));
        std::vector<fs::path> files;
        for (const auto& file : *listed) {
            if (file.extension() == ".conf")
                files.push_back(file);
        }
        std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
            return a.filename().string() < b.filename().string();
        });
        const auto here = where_;
        for (const auto& file : files) {
            where_ = here;
            std::error_code ec;
            if (fs::equivalent(file, *here.file, ec)) {
                error("include_dir: " + in_quotes(dir.string()) +
                      " holds the main configuration file; skipped");
                continue;
            }
            const auto text = reader_.read_file(file);
            if (!text) {
                error("include_dir: cannot read " + in_quotes(file.string()));
                continue;
            }
            config().included_files.push_back(file);
            parse_file(*text, file, false);
        }
        where_ = here;
    }
};

}  // namespace

std::string config_problem::to_string() const {
    return file.string() + ":" + std::to_string(line) + ": " +
           (level == severity::error ? "error" : "warning") + ": " + message;
}

bool config_file_result::has_errors() const noexcept {
    return std::any_of(problems.begin(), problems.end(), [](const config_problem& problem) {
        return problem.level == config_problem::severity::error;
    });
}

config_file_reader disk_config_reader() {
    config_file_reader reader;
    reader.read_file = [](const fs::path& path) -> std::optional<std::string> {
        std::error_code ec;
        if (!fs::is_regular_file(path, ec))
            return std::nullopt;
        std::ifstream in(path, std::ios::binary);
        if (!in)
            return std::nullopt;
        std::ostringstream content;
        content << in.rdbuf();
        if (in.bad())
            return std::nullopt;
        return std::move(content).str();
    };
    reader.list_directory = [](const fs::path& dir) -> std::optional<std::vector<fs::path>> {
        std::error_code ec;
        fs::directory_iterator it(dir, ec);
        if (ec)
            return std::nullopt;
        std::vector<fs::path> files;
        for (const fs::directory_iterator end; it != end; it.increment(ec)) {
            if (ec)
                return std::nullopt;
            std::error_code type_ec;
            if (it->is_regular_file(type_ec))
                files.push_back(it->path());
        }
        if (ec)
            return std::nullopt;
        return files;
    };
    return reader;
}

config_file_result parse_config(std::string_view text, const fs::path& file,
                                const config_file_reader& reader) {
    config_file_result result;
    result.config.file = file;
    parser(reader, result).parse_file(text, file, true);
    return result;
}

config_file_result load_config(const fs::path& file, const config_file_reader& reader) {
    const auto text = reader.read_file(file);
    if (!text) {
        config_file_result result;
        result.problems.push_back({config_problem::severity::error, file, 0,
                                   "cannot read configuration file " + in_quotes(file.string())});
        return result;
    }
    return parse_config(*text, file, reader);
}

}  // namespace harness::broker
