// Mosquitto's password_file as `mosquitto_passwd` writes it: parsing the text (no I/O but
// load()), checking a user's password against the stored salted SHA-512 or PBKDF2-SHA512 hash.
// A file with any bad line is refused whole, as Mosquitto refuses to start on one.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "harness/codec/expected.hpp"

namespace harness::broker {

/// How a user's password is hashed.
enum class password_hash_kind {
    /// `$6$<base64 salt>$<base64 SHA-512(password bytes + salt bytes)>` (Mosquitto 1.6 and
    /// earlier, `mosquitto_passwd -H sha512`).
    sha512,
    /// `$7$<iterations>$<base64 salt>$<base64 PBKDF2-HMAC-SHA512(password, salt, iterations)>`
    /// (Mosquitto 2.0's default, `-H sha512-pbkdf2`).
    sha512_pbkdf2,
};

/// One bad line: its number (1-based; 0 when the file itself could not be read) and what is
/// wrong with it. The message never repeats the hash field, which may be a plain-text password.
struct password_file_error {
    std::size_t line = 0;
    std::string message;

    friend bool operator==(const password_file_error&, const password_file_error&) = default;
};

class password_file;
/// A usable file, or every error found in it (never an empty list).
using password_file_result = codec::expected<password_file, std::vector<password_file_error>>;

/// The users of a password file and their hashes. A default-constructed one has no users and
/// refuses everyone.
class password_file {
  public:
    /// One user's stored hash.
    struct entry {
        password_hash_kind kind = password_hash_kind::sha512_pbkdf2;
        int iterations = 0;  // PBKDF2 iterations; 0 for sha512
        std::vector<unsigned char> salt;
        std::vector<unsigned char> hash;  // 64 bytes
    };

    password_file() = default;

    /// Parses the file's text: `username:hash` lines (the username is everything before the
    /// first ':'), blank lines and lines starting with '#' skipped, "\r\n" line ends and trailing
    /// blanks accepted. Any bad line (missing colon, empty username, unknown hash type, malformed
    /// hash, bad base64, wrong hash length, bad iteration count, duplicate user) makes it an
    /// error; all of them are reported, each with its line number.
    static password_file_result parse(std::string_view text);
    /// Reads and parses the file at `path`; a file that cannot be read is one error on line 0.
    static password_file_result load(const std::filesystem::path& path);

    /// Whether `password` is `user`'s. False for an unknown user (after hashing as long as for a
    /// known one, so the time taken does not tell whether the user exists). The hashes are
    /// compared in constant time.
    bool check(std::string_view user, std::string_view password) const;

    bool contains(std::string_view user) const { return entries_.find(user) != entries_.end(); }
    /// The user's stored hash, or nullptr for an unknown user.
    const entry* find(std::string_view user) const;
    std::size_t size() const noexcept { return entries_.size(); }
    bool empty() const noexcept { return entries_.empty(); }

  private:
    std::map<std::string, entry, std::less<>> entries_;
};

}  // namespace harness::broker
