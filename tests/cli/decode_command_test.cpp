// `mqtt-harness decode` as a user runs it: the real binary, its JSON Lines and exit statuses.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <array>
#include <boost/json/parse.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;

struct run_result {
    int status = -1;
    std::string out;
    std::string err;
    std::vector<json::object> lines() const {
        std::vector<json::object> objects;
        std::istringstream in(out);
        for (std::string line; std::getline(in, line);)
            objects.push_back(json::parse(line).as_object());
        return objects;
    }
};

std::filesystem::path temp_dir() {
    static const auto dir = [] {
        auto d = std::filesystem::temp_directory_path() /
                 ("decode-command-test-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
}

/// Runs `mqtt-harness ARGS` through the shell (ARGS may hold redirections).
run_result run(const std::string& args) {
    const auto err_file = temp_dir() / "stderr";
    const std::string command =
        std::string(MQTT_HARNESS_BINARY) + " " + args + " 2>" + err_file.string();
    run_result result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr)
        return result;
    std::array<char, 4096> buffer{};
    while (const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
        result.out.append(buffer.data(), n);
    }
    const int status = ::pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.err = read_file(err_file);
    return result;
}

std::filesystem::path write_bytes(const std::string& name,
                                  const std::vector<unsigned char>& bytes) {
    const auto path = temp_dir() / name;
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    return path;
}

// CONNECT 3.1.1 with will, user name and password, then a QoS 1 PUBLISH.
constexpr const char* v311_session =
    "10 22 00 04 4d 51 54 54 04 ee 00 0a 00 03 63 69 64 00 03 77 2f 74 00 02 62 79 "
    "00 04 75 73 65 72 00 02 70 77 "
    "3b 0c 00 03 61 2f 62 00 07 68 65 6c 6c 6f";

TEST(DecodeCommand, PrintsVersion) {
    const auto r = run("--version");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out, "mqtt-harness 0.1.0\n");
}

TEST(DecodeCommand, HelpListsTheDecodeSubcommand) {
    const auto r = run("--help");
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("decode"), std::string::npos);
}

TEST(DecodeCommand, StreamStartingWithConnectSetsTheProtocolLevel) {
    const auto r = run(std::string("decode --hex '") + v311_session + "'");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto lines = r.lines();
    ASSERT_EQ(lines.size(), 2u);
    const auto& c = lines[0];
    EXPECT_EQ(c.at("type"), "CONNECT");
    EXPECT_EQ(c.at("protocol_name"), "MQTT");
    EXPECT_EQ(c.at("protocol_version"), 4);
    EXPECT_EQ(c.at("clean_start"), true);
    EXPECT_EQ(c.at("keep_alive"), 10);
    EXPECT_EQ(c.at("client_id"), "cid");
    EXPECT_EQ(c.at("username"), "user");
    EXPECT_EQ(c.at("password_hex"), "7077");
    const auto& will = c.at("will").as_object();
    EXPECT_EQ(will.at("topic"), "w/t");
    EXPECT_EQ(will.at("payload_hex"), "6279");
    EXPECT_EQ(will.at("qos"), 1);
    EXPECT_EQ(will.at("retain"), true);
    EXPECT_FALSE(c.contains("properties")) << "no properties before 5.0";

    const auto& p = lines[1];
    EXPECT_EQ(p.at("type"), "PUBLISH");
    EXPECT_EQ(p.at("dup"), true);
    EXPECT_EQ(p.at("qos"), 1);
    EXPECT_EQ(p.at("retain"), true);
    EXPECT_EQ(p.at("topic"), "a/b");
    EXPECT_EQ(p.at("packet_id"), 7);
    EXPECT_EQ(p.at("payload_hex"), "68656c6c6f");
}

TEST(DecodeCommand, V5PropertiesAreNamedInSnakeCase) {
    // PUBLISH QoS 0 with message expiry, content type, correlation data, two subscription
    // identifiers and two user properties.
    const auto r =
        run("decode --hex '30 25 00 01 74 20 02 00 00 00 3c 03 00 01 6a 09 00 02 ca fe 0b 01 0b 02 "
            "26 00 01 61 00 01 31 26 00 01 61 00 01 32 ff'");
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    const auto lines = r.lines();
    ASSERT_EQ(lines.size(), 1u);
    const auto& props = lines[0].at("properties").as_object();
    EXPECT_EQ(props.at("message_expiry_interval"), 60);
    EXPECT_EQ(props.at("content_type"), "j");
    EXPECT_EQ(props.at("correlation_data"), "cafe");
    EXPECT_EQ(props.at("subscription_identifier"), json::parse("[1,2]"));
    EXPECT_EQ(props.at("user_property"), json::parse(R"([["a","1"],["a","2"]])"));
    EXPECT_EQ(lines[0].at("payload_hex"), "ff");
    EXPECT_FALSE(lines[0].contains("packet_id"));
}

TEST(DecodeCommand, ProtocolOptionAppliesWhenNoConnectLeads) {
    const auto r = run("decode -p 4 --hex '20 02 00 05 90 04 00 0a 01 80 b0 02 00 0b e0 00'");
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    const auto lines = r.lines();
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0].at("type"), "CONNACK");
    EXPECT_EQ(lines[0].at("session_present"), false);
    EXPECT_EQ(lines[0].at("reason_code"), 5) << "the 3.1.1 return code";
    EXPECT_EQ(lines[1].at("reason_codes"), json::parse("[1,128]"));
    EXPECT_EQ(lines[2].at("packet_id"), 11);
    EXPECT_EQ(lines[3].at("type"), "DISCONNECT");
}

TEST(DecodeCommand, SubscribeAndUnsubscribeFields) {
    const auto r =
        run("decode --hex '82 09 00 0b 02 0b 05 00 01 78 2d a2 08 00 0c 00 00 03 61 2f 62'");
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    const auto lines = r.lines();
    ASSERT_EQ(lines.size(), 2u);
    const auto& sub = lines[0].at("subscriptions").as_array().at(0).as_object();
    EXPECT_EQ(sub.at("topic_filter"), "x");
    EXPECT_EQ(sub.at("qos"), 1);
    EXPECT_EQ(sub.at("no_local"), true);
    EXPECT_EQ(sub.at("retain_as_published"), true);
    EXPECT_EQ(sub.at("retain_handling"), 2);
    EXPECT_EQ(lines[1].at("topic_filters"), json::parse(R"(["a/b"])"));
}

TEST(DecodeCommand, MalformedPacketPrintsAnErrorObjectAndExits1) {
    const auto r = run("decode -p 4 --hex 'c0 00 30 04 00 02 c3 28'");
    EXPECT_EQ(r.status, 1);
    const auto lines = r.lines();
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].at("type"), "PINGREQ");
    const auto& e = lines[1];
    EXPECT_EQ(e.at("offset"), 6);
    EXPECT_EQ(e.at("reason_code"), 0x81);
    EXPECT_NE(std::string(e.at("message").as_string()).find("topic name"), std::string::npos);
}

TEST(DecodeCommand, StreamCutInsideAPacketExits1) {
    const auto r = run("decode --hex 'c0 00 30 0a 00 03'");
    EXPECT_EQ(r.status, 1);
    const auto lines = r.lines();
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[1].at("offset"), 2);
}

TEST(DecodeCommand, InputThatIsNotHexExits2WithAClearMessage) {
    const auto r = run("decode --hex '30 0g'");
    EXPECT_EQ(r.status, 2);
    EXPECT_TRUE(r.out.empty());
    EXPECT_NE(r.err.find("'g' is not a hex digit"), std::string::npos) << r.err;
}

TEST(DecodeCommand, UnknownOptionExits2) {
    EXPECT_EQ(run("decode --bogus").status, 2);
}

TEST(DecodeCommand, ReadsRawBytesFromAFileAndFromStdin) {
    const auto file = write_bytes("ping.bin", {0xC0, 0x00, 0xD0, 0x00});
    const auto from_file = run("decode --file " + file.string());
    ASSERT_EQ(from_file.status, 0) << from_file.err;
    EXPECT_EQ(from_file.lines().size(), 2u);
    const auto from_stdin = run("decode < " + file.string());
    ASSERT_EQ(from_stdin.status, 0) << from_stdin.err;
    EXPECT_EQ(from_stdin.out, from_file.out);
}

TEST(DecodeCommand, HexFromStdin) {
    const auto file = temp_dir() / "ping.hex";
    std::ofstream(file) << "c0 00\n";
    const auto r = run("decode --hex - < " + file.string());
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.lines().at(0).at("type"), "PINGREQ");
}

TEST(DecodeCommand, MissingFileExits2) {
    const auto r = run("decode --file /nonexistent/capture.bin");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("cannot open"), std::string::npos);
}

}  // namespace
