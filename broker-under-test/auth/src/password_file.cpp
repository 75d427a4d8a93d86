// Parsing Mosquitto password files and checking passwords against their $6$ (salted SHA-512)
// and $7$ (PBKDF2-HMAC-SHA512) hashes with OpenSSL's libcrypto.
#include "harness/broker/password_file.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>

namespace harness::broker {
namespace {

constexpr std::size_t sha512_size = 64;
using digest = std::array<unsigned char, sha512_size>;

bool is_base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

/// Standard base64 with '=' padding, as mosquitto_passwd writes it; nullopt when malformed.
/// EVP_DecodeBlock is given only text checked here, and its output (which counts padding as
/// zero bytes) is cut to the real length.
std::optional<std::vector<unsigned char>> decode_base64(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0 || text.size() > INT_MAX)
        return std::nullopt;
    std::size_t padding = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '=') {
            ++padding;
        } else if (padding != 0 || !is_base64_char(c)) {
            return std::nullopt;
        }
    }
    if (padding > 2)
        return std::nullopt;
    std::vector<unsigned char> out(text.size() / 4 * 3);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0 || static_cast<std::size_t>(n) < padding)
        return std::nullopt;
    out.resize(static_cast<std::size_t>(n) - padding);
    return out;
}

/// Splits `text` at every '$'.
std::vector<std::string_view> split_dollars(std::string_view text) {
    std::vector<std::string_view> parts;
    for (;;) {
        const auto at = text.find('$');
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos)
            return parts;
        text.remove_prefix(at + 1);
    }
}

/// The salt or hash field decoded, or the reason it cannot be.
codec::expected<std::vector<unsigned char>, std::string> decode_field(std::string_view text,
                                                                      std::string_view what) {
    if (text.empty())
        return codec::unexpected{"empty " + std::string(what)};
    auto bytes = decode_base64(text);
    if (!bytes)
        return codec::unexpected{std::string(what) + " is not valid base64"};
    return std::move(*bytes);
}

/// The hash field of one line (after the first ':') as an entry, or what is wrong with it.
codec::expected<password_file::entry, std::string> parse_hash(std::string_view field) {
    if (field.empty())
        return codec::unexpected{std::string("empty password hash")};
    if (field.front() != '$')
        return codec::unexpected{
            std::string("unknown hash type: not a $6$ or $7$ hash (a plain-text password? "
                        "`mosquitto_passwd -U` hashes a file of them)")};
    const auto parts = split_dollars(field.substr(1));
    password_file::entry e;
    std::string_view salt_text;
    std::string_view hash_text;
    if (parts[0] == "6") {
        if (parts.size() != 3)
            return codec::unexpected{std::string("malformed $6$ hash: expected $6$<salt>$<hash>")};
        e.kind = password_hash_kind::sha512;
        salt_text = parts[1];
        hash_text = parts[2];
    } else if (parts[0] == "7") {
        if (parts.size() != 4)
            return codec::unexpected{
                std::string("malformed $7$ hash: expected $7$<iterations>$<salt>$<hash>")};
        e.kind = password_hash_kind::sha512_pbkdf2;
        const auto text = parts[1];
        int iterations = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), iterations);
        if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || iterations < 1)
            return codec::unexpected{
                std::string("bad iteration count in $7$ hash: expected a number from 1 to ") +
                std::to_string(INT_MAX)};
        e.iterations = iterations;
        salt_text = parts[2];
        hash_text = parts[3];
    } else {
        // Named only when it looks like a hash id ($1$, $2y$, $5$), never a plain-text password.
        bool short_id = parts.size() >= 3 && !parts[0].empty() && parts[0].size() <= 4;
        for (const char c : parts[0])
            short_id = short_id && std::isalnum(static_cast<unsigned char>(c)) != 0;
        return codec::unexpected{(short_id ? "unknown hash type '$" + std::string(parts[0]) + "$'"
                                           : std::string("unknown hash type")) +
                                 " (only $6$ sha512 and $7$ sha512-pbkdf2 are supported)"};
    }
    auto salt = decode_field(salt_text, "salt");
    if (!salt)
        return codec::unexpected{std::string(salt.error())};
    auto hash = decode_field(hash_text, "hash");
    if (!hash)
        return codec::unexpected{std::string(hash.error())};
    if (hash->size() != sha512_size)
        return codec::unexpected{"hash is " + std::to_string(hash->size()) +
                                 " bytes; SHA-512 gives " + std::to_string(sha512_size)};
    e.salt = std::move(*salt);
    e.hash = std::move(*hash);
    return e;
}

/// `password` hashed as `e` says, or nullopt when libcrypto fails.
std::optional<digest> hash_password(const password_file::entry& e, std::string_view password) {
    digest out{};
    if (password.size() > INT_MAX || e.salt.size() > INT_MAX)
        return std::nullopt;
    // An empty string_view may have a null data(); libcrypto gets a real pointer either way.
    const char* pass = password.empty() ? "" : password.data();
    if (e.kind == password_hash_kind::sha512_pbkdf2) {
        if (PKCS5_PBKDF2_HMAC(pass, static_cast<int>(password.size()), e.salt.data(),
                              static_cast<int>(e.salt.size()), e.iterations, EVP_sha512(),
                              static_cast<int>(out.size()), out.data()) != 1)
            return std::nullopt;
        return out;
    }
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (ctx == nullptr)
        return std::nullopt;
    unsigned int length = 0;
    const bool ok = EVP_DigestInit_ex(ctx, EVP_sha512(), nullptr) == 1 &&
                    EVP_DigestUpdate(ctx, pass, password.size()) == 1 &&
                    EVP_DigestUpdate(ctx, e.salt.data(), e.salt.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx, out.data(), &length) == 1 && length == out.size();
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return std::nullopt;
    return out;
}

bool matches(const password_file::entry& e, std::string_view password) {
    const auto computed = hash_password(e, password);
    if (!computed || e.hash.size() != computed->size())
        return false;
    return CRYPTO_memcmp(computed->data(), e.hash.data(), computed->size()) == 0;
}

/// What check() hashes for an unknown user: the cost of mosquitto_passwd's default hash.
const password_file::entry& unknown_user_entry() {
    static const password_file::entry e{password_hash_kind::sha512_pbkdf2, 101,
                                        std::vector<unsigned char>(12, 0),
                                        std::vector<unsigned char>(sha512_size, 0)};
    return e;
}

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

}  // namespace

password_file_result password_file::parse(std::string_view text) {
    password_file file;
    std::vector<password_file_error> errors;
    std::map<std::string_view, std::size_t, std::less<>> first_line;  // user -> its line
    std::size_t number = 0;
    while (!text.empty()) {
        ++number;
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        while (!line.empty() && is_blank(line.back()))
            line.remove_suffix(1);
        if (line.empty() || line.front() == '#')
            continue;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            errors.push_back({number, "missing ':' between username and password hash"});
            continue;
        }
        const auto user = line.substr(0, colon);
        if (user.empty()) {
            errors.push_back({number, "empty username"});
            continue;
        }
        auto e = parse_hash(line.substr(colon + 1));
        if (!e) {
            errors.push_back({number, "user '" + std::string(user) + "': " + e.error()});
            continue;
        }
        if (const auto seen = first_line.find(user); seen != first_line.end()) {
            errors.push_back({number, "duplicate user '" + std::string(user) + "' (first on line " +
                                          std::to_string(seen->second) + ")"});
            continue;
        }
        first_line.emplace(user, number);
        file.entries_.emplace(std::string(user), std::move(*e));
    }
    if (!errors.empty())
        return codec::unexpected{std::move(errors)};
    return file;
}

password_file_result password_file::load(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const std::error_code error(errno, std::generic_category());
        return codec::unexpected{std::vector<password_file_error>{
            {0, "cannot open password file '" + path.string() + "': " + error.message()}}};
    }
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad())
        return codec::unexpected{std::vector<password_file_error>{
            {0, "cannot read password file '" + path.string() + "'"}}};
    return parse(content.str());
}

bool password_file::check(std::string_view user, std::string_view password) const {
    const auto* e = find(user);
    if (e == nullptr) {
        (void)matches(unknown_user_entry(), password);
        return false;
    }
    return matches(*e, password);
}

const password_file::entry* password_file::find(std::string_view user) const {
    const auto it = entries_.find(user);
    return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace harness::broker
