// broker_config -> server_options: listeners with their TLS checks, the security options (files
// loaded once each), the limits. Every problem is collected with its file and line.
#include "harness/broker/server_config.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "harness/broker/auth_hooks.hpp"

namespace harness::broker {
namespace {

using severity = config_problem::severity;

std::string describe(const config_location& at) {
    return at.file.string() + ":" + std::to_string(at.line);
}

class mapper {
  public:
    explicit mapper(server_config_result& result) : result_(result) {}

    void error(const config_location& at, std::string message) {
        result_.problems.push_back({severity::error, at.file, at.line, std::move(message)});
    }
    void warning(const config_location& at, std::string message) {
        result_.problems.push_back({severity::warning, at.file, at.line, std::move(message)});
    }

    listener_options listener(const listener_config& config) {
        const config_location at{config.file, config.line};
        listener_options options;
        options.bind_address = config.bind_address.value_or("");
        options.port = config.port;
        options.transport = config.protocol == listener_protocol::websockets
                                ? listener_options::protocol::websockets
                                : listener_options::protocol::mqtt;
        const std::string name = "listener " + std::to_string(config.port);
        if (config.certfile.has_value() != config.keyfile.has_value()) {
            error(at, name + ": certfile and keyfile go together (TLS needs both)");
        } else if (config.certfile) {
            listener_tls tls;
            tls.certfile = *config.certfile;
            tls.keyfile = *config.keyfile;
            tls.cafile = config.cafile.value_or("");
            tls.require_certificate = config.require_certificate;
            tls.use_identity_as_username = config.use_identity_as_username;
            options.tls = std::move(tls);
        } else if (config.require_certificate || config.use_identity_as_username) {
            error(at, name +
                          ": require_certificate and use_identity_as_username need TLS "
                          "(certfile and keyfile)");
        } else if (config.cafile) {
            warning(at, name + ": cafile without certfile and keyfile ignored (no TLS)");
        }
        if (config.require_certificate && !config.cafile)
            error(at, name +
                          ": require_certificate needs cafile (the CAs client certificates "
                          "must chain to)");
        if (config.use_identity_as_username && !config.require_certificate)
            error(at, name + ": use_identity_as_username needs require_certificate true");
        return options;
    }

    /// The rules of `security` (unset options from `fallback`), the files' problems reported.
    access_rules access(const security_settings& security, const config_locations& locations,
                        const security_settings& fallback,
                        const config_locations& fallback_locations) {
        access_rules rules;
        // Mosquitto 2.0: no anonymous clients unless allowed, once listeners are configured.
        rules.allow_anonymous =
            security.allow_anonymous.value_or(fallback.allow_anonymous.value_or(false));
        const auto pick =
            [&](const std::optional<std::string>& own, const std::optional<std::string>& other,
                const char* option) -> std::optional<std::pair<std::string, config_location>> {
            if (own)
                return std::pair{*own, location(locations, option)};
            if (other)
                return std::pair{*other, location(fallback_locations, option)};
            return std::nullopt;
        };
        if (const auto file =
                pick(security.password_file, fallback.password_file, "password_file")) {
            if (auto users =
                    load(passwords_, file->first, file->second, "password_file",
                         [](const std::string& path) { return password_file::load(path); }))
                use_password_file(rules, std::move(users));
        }
        if (const auto file = pick(security.acl_file, fallback.acl_file, "acl_file")) {
            if (auto acl = load(acls_, file->first, file->second, "acl_file",
                                [](const std::string& path) { return acl_file::load(path); }))
                use_acl_file(rules, std::move(acl));
        }
        return rules;
    }

  private:
    template <class File>
    using cache = std::map<std::string, std::shared_ptr<const File>>;

    static config_location location(const config_locations& locations, const char* option) {
        const auto found = locations.find(option);
        return found == locations.end() ? config_location{} : found->second;
    }

    /// The file at `path`, loaded once (null when it has errors, reported the first time).
    template <class File, class Load>
    std::shared_ptr<const File> load(cache<File>& files, const std::string& path,
                                     const config_location& at, const char* option, Load loader) {
        if (const auto found = files.find(path); found != files.end())
            return found->second;
        auto loaded = loader(path);
        std::shared_ptr<const File> file;
        if (loaded) {
            file = std::make_shared<const File>(std::move(*loaded));
        } else {
            for (const auto& e : loaded.error()) {
                if (e.line == 0)
                    error(at, std::string(option) + ": " + e.message);
                else
                    result_.problems.push_back(
                        {severity::error, path, e.line,
                         e.message + " (" + option + " at " + describe(at) + ")"});
            }
        }
        files.emplace(path, file);
        return file;
    }

    server_config_result& result_;
    cache<password_file> passwords_;
    cache<acl_file> acls_;
};

void apply_limits(const broker_config& config, broker_options& options) {
    if (config.max_packet_size)
        options.maximum_packet_size = *config.max_packet_size;  // 0: no limit in both
    if (config.max_inflight_messages)
        options.max_inflight_messages = *config.max_inflight_messages;
    if (config.max_queued_messages)
        options.max_queued_messages = *config.max_queued_messages;
    if (config.max_queued_bytes)
        options.max_queued_bytes = *config.max_queued_bytes;
    if (config.retain_available)
        options.retain_available = *config.retain_available;
    if (config.max_qos)
        options.maximum_qos = *config.max_qos;
    if (config.max_keepalive)
        options.max_keepalive = *config.max_keepalive;
    if (config.sys_interval)
        options.sys_interval = std::chrono::seconds(*config.sys_interval);
    if (config.message_size_limit)
        options.message_size_limit = *config.message_size_limit;
}

}  // namespace

bool server_config_result::has_errors() const noexcept {
    return std::any_of(problems.begin(), problems.end(), [](const config_problem& problem) {
        return problem.level == severity::error;
    });
}

server_config_result to_server_options(const broker_config& config, const broker_options& base) {
    server_config_result result;
    mapper map(result);
    result.options.broker = base;
    result.options.listeners.clear();
    if (config.listeners.empty()) {
        // No line to point at: the configuration as a whole (line 0).
        map.error({config.file, 0}, "no listener: add a 'listener PORT [ADDRESS]' line");
    }
    for (const auto& listener : config.listeners)
        result.options.listeners.push_back(map.listener(listener));

    auto& broker = result.options.broker;
    apply_limits(config, broker);
    broker.access = map.access(config.security, config.locations, {}, {});
    broker.listener_access.clear();
    if (config.per_listener_settings) {
        for (const auto& listener : config.listeners)
            broker.listener_access.push_back(map.access(listener.security, listener.locations,
                                                        config.security, config.locations));
    }
    return result;
}

}  // namespace harness::broker
