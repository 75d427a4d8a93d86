// The broker_options hooks over password_file and acl_file (see auth_hooks.hpp).
#include "harness/broker/auth_hooks.hpp"

#include <utility>

namespace harness::broker {

void use_password_file(access_rules& rules, std::shared_ptr<const password_file> users) {
    rules.authenticate = [users = std::move(users)](std::string_view user,
                                                    std::string_view password) {
        return users->check(user, password);
    };
}

void use_acl_file(access_rules& rules, std::shared_ptr<const acl_file> acl, bool check_subscribe) {
    rules.authorize = [acl = std::move(acl), check_subscribe](
                          std::string_view client_id, std::optional<std::string_view> user,
                          std::string_view topic, acl_access access) {
        if (access == acl_access::subscribe && !check_subscribe)
            return true;
        return acl->allowed(client_id, user, topic, access);
    };
}

}  // namespace harness::broker
