// The embedded broker's listener for `--broker embedded:SCHEME`, and its run certificate.
#include "embedded_choice.hpp"

#include <stdlib.h>

#include <stdexcept>
#include <utility>

namespace harness::cli {

std::optional<runner::embedded_listener> embedded_listener_of(std::string_view text) {
    runner::embedded_listener l;
    if (text == "embedded" || text == "embedded:mqtt")
        return l;
    const std::pair<std::string_view, transport::scheme> schemes[] = {
        {"embedded:mqtts", transport::scheme::mqtts},
        {"embedded:ws", transport::scheme::ws},
        {"embedded:wss", transport::scheme::wss}};
    for (const auto& [name, kind] : schemes) {
        if (text == name) {
            l.kind = kind;
            return l;
        }
    }
    return std::nullopt;
}

embedded_certificate::embedded_certificate() {
    auto pattern = (std::filesystem::temp_directory_path() / "mqtt-harness-tls-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)  // mode 0700, a name nobody else has
        throw std::runtime_error("cannot make a private folder in " + pattern);
    dir = pattern;
    try {
        files = transport::make_self_signed_certificate(dir);
    } catch (...) {
        remove();
        throw;
    }
}

void embedded_certificate::remove() noexcept {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
}

std::string use_embedded_broker(const std::string& broker, runner::run_options& o,
                                std::optional<embedded_certificate>& certificate) {
    const auto listener = embedded_listener_of(broker);
    if (!listener)
        return "--broker: '" + broker +
               "': expected embedded, embedded:mqtt, embedded:mqtts, embedded:ws, embedded:wss "
               "or a broker URL";
    o.embedded = *listener;
    if (listener->kind == transport::scheme::mqtts || listener->kind == transport::scheme::wss) {
        // A certificate for this run only, which the clients trust unless told otherwise.
        try {
            certificate.emplace();
        } catch (const std::exception& e) {
            return "--broker " + broker + ": " + e.what();
        }
        o.embedded.cert_file = certificate->files.cert_file;
        o.embedded.key_file = certificate->files.key_file;
        if (o.tls.ca_file.empty() && !o.tls.insecure)
            o.tls.ca_file = certificate->files.cert_file;
    }
    return "";
}

}  // namespace harness::cli
