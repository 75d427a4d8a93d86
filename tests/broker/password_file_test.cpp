// Mosquitto password files: files written at test time by Debian's mosquitto_passwd (both its
// $7$ PBKDF2-SHA512 and its older $6$ SHA-512 format) accept their users' passwords and refuse
// wrong ones and unknown users; bad hand-written files are refused with every error on its line.
#include "harness/broker/password_file.hpp"

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <chrono>
#include <string>
#include <vector>

namespace harness::broker {
namespace {

using namespace std::chrono_literals;
using test_support::child_process;
using test_support::find_executable;
using test_support::temp_dir;

struct user {
    std::string name;
    std::string password;
};

// "pässwörd:with:cölons ✓ 🔑" in UTF-8, with the colons mosquitto_passwd allows in a password.
const std::string unicode_password =
    "p\xc3\xa4sswo\xcc\x88rd:with:c\xc3\xb6lons "
    "\xe2\x9c\x93 \xf0\x9f\x94\x91";

const std::vector<user> users = {
    {"alice", "correct horse battery staple"},
    {"bob", "s3cret"},
    {"carol", unicode_password},
    {"dave@example.com", "a:b:c"},
};

/// Runs mosquitto_passwd with `args`; fails the test unless it exits 0.
void run_mosquitto_passwd(const std::vector<std::string>& args) {
    child_process tool("mosquitto_passwd", args);
    const auto status = tool.wait_for(30s);
    ASSERT_TRUE(status.has_value()) << tool.command() << " did not finish";
    ASSERT_EQ(*status, 0) << tool.command() << ": " << tool.errors();
}

/// A password file of `users` written by mosquitto_passwd with `-H algorithm`.
std::string write_with_mosquitto_passwd(const temp_dir& dir, const std::string& algorithm) {
    if (!find_executable("mosquitto_passwd"))
        ADD_FAILURE() << "mosquitto_passwd not found (Debian package mosquitto)";
    const auto path = dir.file("passwd-" + algorithm);
    bool first = true;
    for (const auto& u : users) {
        std::vector<std::string> args = {"-H", algorithm};
        if (first)
            args.push_back("-c");
        args.insert(args.end(), {"-b", path, u.name, u.password});
        run_mosquitto_passwd(args);
        first = false;
    }
    return path;
}

std::string base64(const std::vector<unsigned char>& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

/// A `$7$` hash made here with libcrypto directly, for iteration counts mosquitto_passwd 2.0
/// cannot be told to use.
std::string pbkdf2_hash(const std::string& password, const std::vector<unsigned char>& salt,
                        int iterations) {
    std::vector<unsigned char> key(64);
    EXPECT_EQ(PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                                static_cast<int>(salt.size()), iterations, EVP_sha512(),
                                static_cast<int>(key.size()), key.data()),
              1);
    return "$7$" + std::to_string(iterations) + "$" + base64(salt) + "$" + base64(key);
}

/// The errors of a file that must be refused.
std::vector<password_file_error> errors_of(std::string_view text) {
    auto result = password_file::parse(text);
    EXPECT_FALSE(result.has_value()) << "the file was accepted:\n" << text;
    if (result.has_value())
        return {};
    return std::move(result).error();
}

// A valid line for the hand-written files: "user:<hash of 'pw'>".
std::string good_line(const std::string& name) {
    return name + ":" + pbkdf2_hash("pw", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 101) + "\n";
}

class MosquittoPasswdFile : public ::testing::TestWithParam<std::string> {};

TEST_P(MosquittoPasswdFile, AcceptsEachUsersOwnPassword) {
    temp_dir dir("password-file");
    const auto path = write_with_mosquitto_passwd(dir, GetParam());
    ASSERT_FALSE(HasFailure());
    const auto file = password_file::load(path);
    ASSERT_TRUE(file.has_value()) << file.error().front().message;
    EXPECT_EQ(file->size(), users.size());
    for (const auto& u : users)
        EXPECT_TRUE(file->check(u.name, u.password)) << u.name;
}

TEST_P(MosquittoPasswdFile, RefusesWrongPasswordsAndAnotherUsersPassword) {
    temp_dir dir("password-file");
    const auto path = write_with_mosquitto_passwd(dir, GetParam());
    ASSERT_FALSE(HasFailure());
    const auto file = password_file::load(path);
    ASSERT_TRUE(file.has_value()) << file.error().front().message;
    for (const auto& u : users) {
        EXPECT_FALSE(file->check(u.name, u.password + "x")) << u.name;
        EXPECT_FALSE(file->check(u.name, u.password.substr(0, u.password.size() - 1))) << u.name;
        EXPECT_FALSE(file->check(u.name, "")) << u.name;
        EXPECT_FALSE(file->check(u.name, "S3CRET")) << u.name;
    }
    EXPECT_FALSE(file->check("alice", "s3cret"));  // bob's
    // The password is the whole string, colons included, not its part before the first ':'.
    EXPECT_FALSE(file->check("carol", "p\xc3\xa4sswo\xcc\x88rd"));
    EXPECT_FALSE(file->check("dave@example.com", "a"));
}

TEST_P(MosquittoPasswdFile, RefusesUnknownUsers) {
    temp_dir dir("password-file");
    const auto path = write_with_mosquitto_passwd(dir, GetParam());
    ASSERT_FALSE(HasFailure());
    const auto file = password_file::load(path);
    ASSERT_TRUE(file.has_value()) << file.error().front().message;
    EXPECT_FALSE(file->contains("mallory"));
    EXPECT_FALSE(file->check("mallory", "s3cret"));
    EXPECT_FALSE(file->check("", ""));
    EXPECT_FALSE(file->check("Alice", "correct horse battery staple"));  // usernames are exact
    EXPECT_FALSE(file->check("alice ", "correct horse battery staple"));
}

TEST_P(MosquittoPasswdFile, StoresTheHashTypeTheToolWasAskedFor) {
    temp_dir dir("password-file");
    const auto path = write_with_mosquitto_passwd(dir, GetParam());
    ASSERT_FALSE(HasFailure());
    const auto file = password_file::load(path);
    ASSERT_TRUE(file.has_value()) << file.error().front().message;
    const auto* alice = file->find("alice");
    ASSERT_NE(alice, nullptr);
    if (GetParam() == "sha512") {
        EXPECT_EQ(alice->kind, password_hash_kind::sha512);
        EXPECT_EQ(alice->iterations, 0);
    } else {
        EXPECT_EQ(alice->kind, password_hash_kind::sha512_pbkdf2);
        EXPECT_EQ(alice->iterations, 101);  // mosquitto_passwd 2.0's count
    }
    EXPECT_EQ(alice->salt.size(), 12u);
    EXPECT_EQ(alice->hash.size(), 64u);
}

INSTANTIATE_TEST_SUITE_P(PasswordFile, MosquittoPasswdFile,
                         ::testing::Values("sha512-pbkdf2", "sha512"), [](const auto& info) {
                             return info.param == "sha512" ? std::string("Sha512")
                                                           : std::string("Sha512Pbkdf2");
                         });

TEST(PasswordFile, AcceptsAFileMixingBothFormatsWrittenByMosquittoPasswd) {
    temp_dir dir("password-file");
    const auto path = dir.file("mixed");
    run_mosquitto_passwd({"-c", "-b", path, "new", "pbkdf2 password"});
    run_mosquitto_passwd({"-H", "sha512", "-b", path, "old", unicode_password});
    ASSERT_FALSE(HasFailure());
    const auto file = password_file::load(path);
    ASSERT_TRUE(file.has_value()) << file.error().front().message;
    EXPECT_TRUE(file->check("new", "pbkdf2 password"));
    EXPECT_TRUE(file->check("old", unicode_password));
    EXPECT_FALSE(file->check("new", unicode_password));
    EXPECT_FALSE(file->check("old", "pbkdf2 password"));
}

TEST(PasswordFile, UsesTheIterationCountWrittenInA7Hash) {
    const std::vector<unsigned char> salt = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 255, 128};
    const auto text =
        "one:" + pbkdf2_hash("pw", salt, 1) + "\n" + "many:" + pbkdf2_hash("pw", salt, 1000) + "\n";
    const auto file = password_file::parse(text);
    ASSERT_TRUE(file.has_value()) << file.error().front().message;
    EXPECT_TRUE(file->check("one", "pw"));
    EXPECT_TRUE(file->check("many", "pw"));
    EXPECT_EQ(file->find("many")->iterations, 1000);
}

TEST(PasswordFile, SkipsCommentsAndBlankLinesAndAcceptsCrLfLineEnds) {
    const auto text = "# users of the test broker\n\n" + good_line("alice") + "   \n" +
                      "#bob:not a hash\r\n\t\r\n" + good_line("carol") +
                      "dave:" + pbkdf2_hash("pw", {1, 2, 3}, 101) + "  \r\n";
    const auto file = password_file::parse(text);
    ASSERT_TRUE(file.has_value()) << file.error().front().message;
    EXPECT_EQ(file->size(), 3u);
    EXPECT_TRUE(file->check("alice", "pw"));
    EXPECT_TRUE(file->check("carol", "pw"));
    EXPECT_TRUE(file->check("dave", "pw"));
    EXPECT_FALSE(file->contains("bob"));
}

TEST(PasswordFile, AcceptsALastLineWithoutLineEnd) {
    auto text = good_line("alice");
    text.pop_back();
    const auto file = password_file::parse(text);
    ASSERT_TRUE(file.has_value()) << file.error().front().message;
    EXPECT_TRUE(file->check("alice", "pw"));
}

TEST(PasswordFile, AnEmptyFileHasNoUsersAndRefusesEveryone) {
    const auto file = password_file::parse("# nobody yet\n\n");
    ASSERT_TRUE(file.has_value());
    EXPECT_TRUE(file->empty());
    EXPECT_FALSE(file->check("alice", "pw"));
    EXPECT_FALSE(password_file{}.check("", ""));
}

TEST(PasswordFile, RefusesALineWithoutColonNamingItsLine) {
    const auto errors = errors_of(good_line("alice") + "bob\n");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].line, 2u);
    EXPECT_EQ(errors[0].message, "missing ':' between username and password hash");
}

TEST(PasswordFile, RefusesAnEmptyUsername) {
    const auto errors = errors_of(good_line(""));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0], (password_file_error{1, "empty username"}));
}

TEST(PasswordFile, RefusesADuplicateUserNamingTheFirstLine) {
    const auto errors = errors_of(good_line("alice") + good_line("bob") + good_line("alice"));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0], (password_file_error{3, "duplicate user 'alice' (first on line 1)"}));
}

TEST(PasswordFile, RefusesUnknownHashTypes) {
    const auto errors = errors_of(
        "md5:$1$abcdefgh$0123456789abcdef\n"  // a crypt(3) MD5 hash
        "plain:hunter2\n"                     // a password never hashed with -U
        "empty:\n"
        "dollar:$\n"
        "secret:$hunter2\n");
    ASSERT_EQ(errors.size(), 5u);
    EXPECT_EQ(errors[0],
              (password_file_error{1,
                                   "user 'md5': unknown hash type '$1$' (only $6$ sha512 and "
                                   "$7$ sha512-pbkdf2 are supported)"}));
    EXPECT_EQ(errors[1].line, 2u);
    EXPECT_EQ(errors[1].message,
              "user 'plain': unknown hash type: not a $6$ or $7$ hash (a plain-text password? "
              "`mosquitto_passwd -U` hashes a file of them)");
    EXPECT_EQ(errors[2], (password_file_error{3, "user 'empty': empty password hash"}));
    EXPECT_EQ(errors[3].line, 4u);
    EXPECT_EQ(errors[3].message.rfind("user 'dollar': unknown hash type", 0), 0u);
    // A plain-text password that happens to start with '$' is never repeated in the message.
    EXPECT_EQ(errors[4].line, 5u);
    EXPECT_EQ(errors[4].message.find("hunter2"), std::string::npos) << errors[4].message;
}

TEST(PasswordFile, RefusesBadBase64InSaltOrHash) {
    const std::string salt = "AQIDBAUGBwgJCgsM";  // 12 bytes
    const std::string hash = pbkdf2_hash("pw", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 101)
                                 .substr(std::string("$7$101$AQIDBAUGBwgJCgsM$").size());
    const auto errors =
        errors_of("a:$7$101$AQID*AUGBwgJCgsM$" + hash + "\n" +        // '*' is not base64
                  "b:$7$101$" + salt + "$" + hash.substr(1) + "\n" +  // length not a multiple of 4
                  "c:$6$" + salt + "$" + hash.substr(0, 84) + "=A==\n" +  // '=' before the end
                  "d:$6$$" + hash + "\n" +                                // no salt
                  "e:$7$101$" + salt + "$\n");                            // no hash
    ASSERT_EQ(errors.size(), 5u);
    EXPECT_EQ(errors[0], (password_file_error{1, "user 'a': salt is not valid base64"}));
    EXPECT_EQ(errors[1], (password_file_error{2, "user 'b': hash is not valid base64"}));
    EXPECT_EQ(errors[2], (password_file_error{3, "user 'c': hash is not valid base64"}));
    EXPECT_EQ(errors[3], (password_file_error{4, "user 'd': empty salt"}));
    EXPECT_EQ(errors[4], (password_file_error{5, "user 'e': empty hash"}));
}

TEST(PasswordFile, RefusesAHashThatIsNotSha512Long) {
    // 48 bytes of base64 without padding, 46 with "==" padding: neither is SHA-512's 64.
    const std::string bytes48(64, 'A');
    const std::string bytes46 = std::string(60, 'A') + "AA==";
    const auto errors = errors_of("a:$6$AQIDBAUGBwgJCgsM$" + bytes48 + "\n" +
                                  "b:$7$101$AQIDBAUGBwgJCgsM$" + bytes46 + "\n");
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0], (password_file_error{1, "user 'a': hash is 48 bytes; SHA-512 gives 64"}));
    EXPECT_EQ(errors[1], (password_file_error{2, "user 'b': hash is 46 bytes; SHA-512 gives 64"}));
}

TEST(PasswordFile, RefusesMalformedHashesOfAKnownType) {
    const auto good = good_line("x");
    const auto hash7 = good.substr(2, good.size() - 3);             // "$7$101$salt$hash"
    const auto tail = hash7.substr(std::string("$7$101$").size());  // "salt$hash"
    const auto errors = errors_of("a:$6$" + tail + "$extra\n" +     // three fields after $6$
                                  "b:$7$" + tail + "\n" +           // no iteration count
                                  "c:$7$0$" + tail + "\n" +         //
                                  "d:$7$-5$" + tail + "\n" +        //
                                  "e:$7$1x$" + tail + "\n" +        //
                                  "f:$7$99999999999$" + tail + "\n");
    ASSERT_EQ(errors.size(), 6u);
    EXPECT_EQ(errors[0],
              (password_file_error{1, "user 'a': malformed $6$ hash: expected $6$<salt>$<hash>"}));
    EXPECT_EQ(errors[1], (password_file_error{2,
                                              "user 'b': malformed $7$ hash: expected "
                                              "$7$<iterations>$<salt>$<hash>"}));
    for (std::size_t i = 2; i < errors.size(); ++i) {
        EXPECT_EQ(errors[i].line, i + 1);
        EXPECT_NE(errors[i].message.find("bad iteration count in $7$ hash"), std::string::npos)
            << errors[i].message;
    }
}

TEST(PasswordFile, ReportsEveryBadLineAndRefusesTheWholeFile) {
    // Mosquitto refuses to start on such a file: the good lines do not make it usable.
    const auto errors = errors_of("# header\n" + good_line("alice") + "bob\n\n" +
                                  "carol:$5$abc$def\n" + good_line("alice") + good_line("dave"));
    ASSERT_EQ(errors.size(), 3u);
    EXPECT_EQ(errors[0].line, 3u);
    EXPECT_EQ(errors[1].line, 5u);
    EXPECT_EQ(errors[2].line, 6u);
}

TEST(PasswordFile, LoadReportsAFileThatCannotBeRead) {
    temp_dir dir("password-file");
    const auto path = dir.file("missing");
    const auto file = password_file::load(path);
    ASSERT_FALSE(file.has_value());
    ASSERT_EQ(file.error().size(), 1u);
    EXPECT_EQ(file.error()[0].line, 0u);
    EXPECT_NE(file.error()[0].message.find(path), std::string::npos) << file.error()[0].message;
    EXPECT_NE(file.error()[0].message.find("No such file"), std::string::npos)
        << file.error()[0].message;
}

TEST(PasswordFile, LoadReportsBadLinesOfTheFileOnDisk) {
    temp_dir dir("password-file");
    const auto path = dir.write("passwd", good_line("alice") + "bob:hunter2\n");
    const auto file = password_file::load(path);
    ASSERT_FALSE(file.has_value());
    ASSERT_EQ(file.error().size(), 1u);
    EXPECT_EQ(file.error()[0].line, 2u);
}

}  // namespace
}  // namespace harness::broker
