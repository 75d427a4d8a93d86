// `mqtt-harness decode`: frames and decodes one direction of an MQTT byte stream given as hex,
// a file or stdin, and prints JSON Lines. Exit 0 when every packet decoded, 1 on a malformed
// packet or a stream cut inside a packet, 2 on unusable input.
#include "decode_command.hpp"

#include <boost/json/serialize.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "exit_status.hpp"
#include "harness/codec/codec.hpp"
#include "harness/codec/hex.hpp"
#include "harness/packet_json/packet_json.hpp"

namespace harness::cli {
namespace {

using namespace codec;

struct decode_options {
    std::string hex;
    std::string file;
    int protocol = 5;
};

class stream_decoder {
  public:
    explicit stream_decoder(protocol_version version) : version_(version) {
        reader_.set_protocol(version);
    }

    /// Decodes and prints every whole packet fed so far; false after a malformed packet.
    bool feed(std::span<const std::uint8_t> bytes) {
        reader_.feed(bytes);
        while (true) {
            auto next = reader_.next();
            if (!next)
                return fail(next.error());
            if (!*next)
                return true;
            auto decoded = decode_body(**next, version_);
            if (!decoded)
                return fail(decoded.error());
            if (const auto* c = std::get_if<connect>(&*decoded); c != nullptr && first_) {
                version_ = c->version;  // a stream that starts with CONNECT sets the level
                reader_.set_protocol(version_);
            }
            first_ = false;
            auto object = packet_json::to_json(*decoded, version_);
            print(object);
        }
    }

    /// Checks the stream ended on a packet boundary.
    bool finish() {
        if (reader_.buffered() == 0)
            return true;
        decode_error error{make_error_code(codec_errc::truncated), reader_.offset(),
                           "stream ends inside a packet: " + std::to_string(reader_.buffered()) +
                               " byte(s) of an incomplete packet at offset " +
                               std::to_string(reader_.offset())};
        return fail(error);
    }

  private:
    bool fail(const decode_error& error) {
        print(packet_json::to_json(error));
        return false;
    }

    static void print(const boost::json::object& object) {
        std::cout << boost::json::serialize(object) << '\n';
    }

    protocol_version version_;
    frame_reader reader_;
    bool first_ = true;
};

int usage_error(const std::string& message) {
    std::cerr << "mqtt-harness decode: " << message << '\n';
    return exit_status::usage;
}

int run_decode(const decode_options& options) {
    stream_decoder decoder(static_cast<protocol_version>(options.protocol));
    if (!options.hex.empty()) {
        std::string text = options.hex;
        if (text == "-")
            text.assign(std::istreambuf_iterator<char>(std::cin), {});
        codec::hex_error error;
        const auto bytes = codec::parse_hex(text, error);
        if (!bytes) {
            return usage_error("--hex is not hex: " + error.message + " at character " +
                               std::to_string(error.position));
        }
        const bool ok = decoder.feed(*bytes) && decoder.finish();
        return ok ? exit_status::ok : exit_status::malformed;
    }

    std::ifstream file;
    std::istream* in = &std::cin;
    if (!options.file.empty() && options.file != "-") {
        file.open(options.file, std::ios::binary);
        if (!file)
            return usage_error("cannot open " + options.file);
        in = &file;
    }
    std::vector<std::uint8_t> chunk(64 * 1024);
    while (*in) {
        in->read(reinterpret_cast<char*>(chunk.data()), static_cast<std::streamsize>(chunk.size()));
        const auto n = static_cast<std::size_t>(in->gcount());
        if (n == 0)
            break;
        if (!decoder.feed(std::span(chunk.data(), n)))
            return exit_status::malformed;
    }
    if (in->bad())
        return usage_error("read error on " + (options.file.empty() ? "stdin" : options.file));
    return decoder.finish() ? exit_status::ok : exit_status::malformed;
}

}  // namespace

void add_decode_command(CLI::App& app) {
    auto options = std::make_shared<decode_options>();
    auto* cmd = app.add_subcommand("decode", "Decode raw MQTT packets into JSON Lines");
    cmd->footer(
        "Reads one direction of a TCP stream. A stream that starts with CONNECT sets the protocol\n"
        "level; otherwise --protocol does. Exit status: 0 all packets decoded, 1 malformed\n"
        "packet or truncated stream (an error object is printed), 2 unusable input.\n"
        "Example: mqtt-harness decode --hex '30 0b 00 03 61 2f 62 68 65 6c 6c 6f'");
    auto* hex =
        cmd->add_option("--hex", options->hex,
                        "Packet bytes as hex (spaces, ':' allowed); '-' reads hex from stdin");
    cmd->add_option("-f,--file", options->file, "File of raw bytes; '-' or absent reads stdin")
        ->excludes(hex);
    cmd->add_option(
           "-p,--protocol", options->protocol,
           "Protocol level when the stream does not start with CONNECT: 3 (3.1), 4 (3.1.1), 5")
        ->check(CLI::IsMember({3, 4, 5}))
        ->capture_default_str();
    cmd->callback([options] {
        const int status = run_decode(*options);
        if (status != exit_status::ok)
            throw CLI::RuntimeError(status);
    });
}

}  // namespace harness::cli
