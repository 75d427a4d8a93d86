// Mosquitto's acl_file: parsing its `topic`, `user` and `pattern` lines (no I/O but load()) and
// deciding whether a client may read, write or subscribe to a topic. A file with any bad line is
// refused whole, as Mosquitto refuses to start on one.
//
// Semantics (Mosquitto 2.0's, with the choices noted where it leaves room):
// - `topic [read|write|readwrite|deny] TOPIC` lines before the first `user` line apply to
//   anonymous clients (no user name) only; after `user NAME` they apply to clients logged in as
//   NAME until the next `user` line (two sections for one name are merged). A client with a user
//   name that has no section gets the patterns only.
// - `pattern [read|write|readwrite|deny] TOPIC` lines apply to every client wherever they stand in
//   the file, after "%c" is replaced by the client identifier and "%u" by the user name. A pattern
//   with "%u" never matches an anonymous client, and a pattern with "%c" ("%u") never matches a
//   client identifier (user name) containing '+', '#' or '/', so no one can widen a pattern by
//   choosing their name.
// - Without an access word the access is readwrite. The topic is everything after the access
//   word, so it may contain spaces (then the access word is required). TOPIC is a topic filter;
//   '+' and '#' have their MQTT meaning. A filter starting with a wildcard does not match topics
//   starting with '$' ([MQTT-4.7.2-1]): $SYS needs a rule of its own ("topic read $SYS/#").
// - Any matching `deny` rule of the client's rules and the patterns refuses, whatever else
//   matches; otherwise a matching rule granting the access allows; nothing matching refuses
//   (an acl_file means default deny).
// - Clients never write to $SYS topics or to topics starting with "$share", whatever the rules.
// - Subscribe: the filter must be covered by one rule granting read: every topic the filter can
//   match is matched by the rule ("foo/#" covers "foo/+/bar" and "foo"; "foo/+" covers "foo/+"
//   and "foo/bar" but not "foo/#"; a literal level covers only the same literal). A deny rule
//   refuses the subscription when it covers the filter; a deny rule covering only part of it (deny
//   "foo/secret", subscribe "foo/#") lets the subscription through, and the broker is to check
//   `read` for each message it delivers. For a shared subscription "$share/{group}/{filter}" the
//   inner filter is checked.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/broker/acl_access.hpp"  // acl_access, shared with the broker core
#include "harness/codec/expected.hpp"

namespace harness::broker {

/// What a rule grants.
enum class acl_permission { read, write, readwrite, deny };

/// One `topic` or `pattern` line.
struct acl_rule {
    acl_permission permission = acl_permission::readwrite;
    /// A valid topic filter; in a pattern, "%c" and "%u" are still in it.
    std::string topic;
    std::size_t line = 0;

    friend bool operator==(const acl_rule&, const acl_rule&) = default;
};

/// One bad line: its number (1-based; 0 when the file itself could not be read) and what is
/// wrong with it.
struct acl_file_error {
    std::size_t line = 0;
    std::string message;

    friend bool operator==(const acl_file_error&, const acl_file_error&) = default;
};

class acl_file;
/// A usable file, or every error found in it (never an empty list).
using acl_file_result = codec::expected<acl_file, std::vector<acl_file_error>>;

/// The rules of an ACL file. A default-constructed one has no rules and refuses everything.
class acl_file {
  public:
    acl_file() = default;

    /// Parses the file's text: blank lines and lines starting with '#' (after blanks) skipped,
    /// "\r\n" line ends and leading and trailing blanks accepted. Errors: an unknown keyword, a
    /// bad access word, a missing topic or user name, an invalid topic filter; all are reported,
    /// each with its line number.
    static acl_file_result parse(std::string_view text);
    /// Reads and parses the file at `path`; a file that cannot be read is one error on line 0.
    static acl_file_result load(const std::filesystem::path& path);

    /// Whether the client may do `access` on `topic` (a topic name for read and write, a topic
    /// filter for subscribe; either already valid). `username` is nullopt for an anonymous
    /// client.
    bool allowed(std::string_view client_id, std::optional<std::string_view> username,
                 std::string_view topic, acl_access access) const;

    /// The `topic` lines before the first `user` line.
    const std::vector<acl_rule>& anonymous_rules() const noexcept { return anonymous_; }
    /// The `topic` lines of the user's sections, or nullptr when the user has none.
    const std::vector<acl_rule>* user_rules(std::string_view username) const;
    /// The `pattern` lines.
    const std::vector<acl_rule>& patterns() const noexcept { return patterns_; }

  private:
    std::vector<acl_rule> anonymous_;
    std::map<std::string, std::vector<acl_rule>, std::less<>> users_;
    std::vector<acl_rule> patterns_;
};

/// Whether every topic name `filter` can match is matched by `rule` (both valid, non-shared
/// filters): the check behind acl_access::subscribe.
bool acl_filter_covers(std::string_view rule, std::string_view filter) noexcept;

}  // namespace harness::broker
