// Fills the broker core's authentication and authorization hooks (access_rules::authenticate
// and ::authorize) from a loaded password file and ACL file, with Mosquitto 2.0.11's behaviour.
#pragma once

#include <memory>

#include "harness/broker/acl_file.hpp"
#include "harness/broker/options.hpp"
#include "harness/broker/password_file.hpp"

namespace harness::broker {

/// User names and passwords are checked against `users`: an unknown user or a wrong password is
/// refused. Anonymous clients are still governed by rules.allow_anonymous.
void use_password_file(access_rules& rules, std::shared_ptr<const password_file> users);

/// Publishing (write) and receiving (read) are checked against `acl`, which denies whatever it
/// does not grant. Mosquitto 2.0.11 does not check SUBSCRIBE against its acl_file (every
/// subscription is granted; the messages are then filtered by the read check): that is the
/// default here too. With `check_subscribe`, a SUBSCRIBE is refused unless the ACL covers the
/// filter (acl_file::allowed with acl_access::subscribe).
void use_acl_file(access_rules& rules, std::shared_ptr<const acl_file> acl,
                  bool check_subscribe = false);

}  // namespace harness::broker
