// Parsing Mosquitto ACL files and checking a client's read, write and subscribe access against
// their rules and patterns.
#include "harness/broker/acl_file.hpp"

#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "config_words.hpp"
#include "harness/codec/topic.hpp"

namespace harness::broker {
namespace {

using detail::is_blank;
using detail::next_word;
using detail::trim;

std::optional<acl_permission> parse_permission(std::string_view word) {
    if (word == "read")
        return acl_permission::read;
    if (word == "write")
        return acl_permission::write;
    if (word == "readwrite")
        return acl_permission::readwrite;
    if (word == "deny")
        return acl_permission::deny;
    return std::nullopt;
}

bool grants(acl_permission permission, acl_access access) {
    switch (permission) {
        case acl_permission::read:
            return access != acl_access::write;
        case acl_permission::write:
            return access == acl_access::write;
        case acl_permission::readwrite:
            return true;
        case acl_permission::deny:
            return false;
    }
    return false;
}

/// A topic's first level ("$SYS" of "$SYS/broker/uptime").
std::string_view first_level(std::string_view topic) {
    return topic.substr(0, topic.find('/'));
}

/// Takes the next level off `topic`; `done` is set after the last one.
std::string_view next_level(std::string_view& topic, bool& done) {
    const auto slash = topic.find('/');
    if (slash == std::string_view::npos) {
        done = true;
        return std::exchange(topic, {});
    }
    const auto level = topic.substr(0, slash);
    topic.remove_prefix(slash + 1);
    return level;
}

/// A client identifier or user name that may stand in for %c or %u: one that cannot add
/// wildcards or levels to a pattern.
bool safe_substitute(std::string_view value) {
    return value.find_first_of("+#/") == std::string_view::npos;
}

/// The pattern with %c and %u replaced, or nullopt when it must not match this client.
std::optional<std::string> substitute(std::string_view pattern, std::string_view client_id,
                                      std::optional<std::string_view> username) {
    std::string out;
    out.reserve(pattern.size());
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '%' && i + 1 < pattern.size()) {
            if (pattern[i + 1] == 'c') {
                if (!safe_substitute(client_id))
                    return std::nullopt;
                out += client_id;
                ++i;
                continue;
            }
            if (pattern[i + 1] == 'u') {
                if (!username || !safe_substitute(*username))
                    return std::nullopt;
                out += *username;
                ++i;
                continue;
            }
        }
        out += pattern[i];
    }
    return out;
}

bool rule_matches(std::string_view rule, std::string_view topic, acl_access access) {
    return access == acl_access::subscribe ? acl_filter_covers(rule, topic)
                                           : codec::topic_matches(rule, topic);
}

/// Where the rules looked at for one check say the access is: denied, granted or neither.
struct verdict {
    bool denied = false;
    bool granted = false;

    void add(acl_permission permission, std::string_view rule, std::string_view topic,
             acl_access access) {
        if (!rule_matches(rule, topic, access))
            return;
        if (permission == acl_permission::deny)
            denied = true;
        else if (grants(permission, access))
            granted = true;
    }
};

}  // namespace

bool acl_filter_covers(std::string_view rule, std::string_view filter) noexcept {
    // Filters starting with a wildcard match no '$' topics, so cover none.
    if (!filter.empty() && filter.front() == '$' && !rule.empty() &&
        (rule.front() == '+' || rule.front() == '#'))
        return false;
    bool rule_done = false;
    bool filter_done = false;
    while (!rule_done) {
        const auto rule_level = next_level(rule, rule_done);
        if (rule_level == "#")
            return true;  // the rest of the filter, however long (or nothing: "a/#" covers "a")
        if (filter_done)
            return false;  // the rule wants more levels than the filter has
        const auto filter_level = next_level(filter, filter_done);
        if (filter_level == "#")
            return false;  // only "#" covers "#"
        if (rule_level != "+" && rule_level != filter_level)
            return false;  // a literal covers only the same literal, never "+"
    }
    return filter_done;
}

acl_file_result acl_file::parse(std::string_view text) {
    acl_file acl;
    std::vector<acl_file_error> errors;
    std::vector<acl_rule>* section = &acl.anonymous_;
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const auto end = text.find('\n');
        auto line = trim(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (line.empty() || line.front() == '#')
            continue;

        const auto keyword = next_word(line);
        const auto fail = [&](std::string message) {
            errors.push_back({line_number, std::move(message)});
        };
        if (keyword == "user") {
            if (line.empty()) {
                fail("'user' needs a user name");
                continue;
            }
            section = &acl.users_[std::string(line)];
            continue;
        }
        if (keyword != "topic" && keyword != "pattern") {
            fail("unknown keyword '" + std::string(keyword) +
                 "' (expected topic, pattern or user)");
            continue;
        }
        if (line.empty()) {
            fail("'" + std::string(keyword) + "' needs a topic");
            continue;
        }
        acl_rule rule;
        rule.line = line_number;
        auto topic = line;
        const auto first = next_word(line);
        if (!line.empty() || parse_permission(first)) {
            const auto permission = parse_permission(first);
            if (!permission) {
                fail("unknown access '" + std::string(first) +
                     "' (expected read, write, readwrite or deny)");
                continue;
            }
            if (line.empty()) {
                fail("'" + std::string(keyword) + " " + std::string(first) + "' needs a topic");
                continue;
            }
            rule.permission = *permission;
            topic = line;
        }
        if (const auto error = codec::validate_topic_filter(topic, false);
            error != codec::topic_error::none) {
            fail("invalid topic filter '" + std::string(topic) +
                 "': " + std::string(codec::to_string(error)));
            continue;
        }
        rule.topic = std::string(topic);
        (keyword == "pattern" ? acl.patterns_ : *section).push_back(std::move(rule));
    }
    if (!errors.empty())
        return codec::unexpected{std::move(errors)};
    return acl;
}

acl_file_result acl_file::load(const std::filesystem::path& path) {
    std::error_code error;
    std::ifstream in;
    if (std::filesystem::is_regular_file(path, error))
        in.open(path, std::ios::binary);
    std::ostringstream content;
    if (in)
        content << in.rdbuf();
    if (!in.is_open() || in.bad())
        return codec::unexpected{
            std::vector<acl_file_error>{{0, "cannot read ACL file '" + path.string() + "'"}}};
    return parse(content.str());
}

const std::vector<acl_rule>* acl_file::user_rules(std::string_view username) const {
    const auto found = users_.find(username);
    return found == users_.end() ? nullptr : &found->second;
}

bool acl_file::allowed(std::string_view client_id, std::optional<std::string_view> username,
                       std::string_view topic, acl_access access) const {
    if (access == acl_access::subscribe) {
        if (const auto shared = codec::parse_shared_subscription(topic))
            topic = shared->filter;
    } else {
        const auto level = first_level(topic);
        if (level == "$share" || (access == acl_access::write && level == "$SYS"))
            return false;
    }

    verdict result;
    const std::vector<acl_rule>* rules = username ? user_rules(*username) : &anonymous_;
    if (rules != nullptr) {
        for (const auto& rule : *rules)
            result.add(rule.permission, rule.topic, topic, access);
    }
    for (const auto& pattern : patterns_) {
        if (const auto rule = substitute(pattern.topic, client_id, username))
            result.add(pattern.permission, *rule, topic, access);
    }
    return result.granted && !result.denied;
}

}  // namespace harness::broker
