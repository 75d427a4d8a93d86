// What a client asks to do with a topic, as the broker's authorize hook (options.hpp) and the
// ACL file (auth/acl_file.hpp) both name it.
#pragma once

namespace harness::broker {

/// What a client asks to do with a topic.
enum class acl_access {
    read,       // receive a message published on the topic (a topic name)
    write,      // publish on the topic (a topic name)
    subscribe,  // subscribe with the topic filter
};

}  // namespace harness::broker
