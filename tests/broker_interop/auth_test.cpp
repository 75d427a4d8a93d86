// The embedded broker with a password file written by Debian's mosquitto_passwd and an ACL file
// (loaded with the auth library into the broker's hooks), against mosquitto_pub and
// mosquitto_sub: what a user may do under its own topics, and what the clients report when
// refused (the same exit statuses and messages as against Mosquitto 2.0.11).
#include <gtest/gtest.h>

#include "harness/broker/auth_hooks.hpp"
#include "harness/broker/server.hpp"
#include "peers.hpp"
#include "support/temp_dir.hpp"

namespace harness::broker_interop {
namespace {

class MosquittoAuth : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_passwd"));
        ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_sub"));
        ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_pub"));
        const auto password_path = dir.file("passwords");
        child_process passwd("mosquitto_passwd", {"-c", "-b", password_path, "alice", "secret"});
        ASSERT_EQ(finish(passwd), 0) << describe(passwd);
        auto users = broker::password_file::load(password_path);
        ASSERT_TRUE(users) << users.error().front().message;
        auto acl = broker::acl_file::parse("pattern readwrite users/%u/#\n");
        ASSERT_TRUE(acl);

        broker::server_options options;
        options.broker.access.allow_anonymous = false;
        broker::use_password_file(options.broker.access,
                                  std::make_shared<const broker::password_file>(*users));
        broker::use_acl_file(options.broker.access, std::make_shared<const broker::acl_file>(*acl));
        server = std::make_unique<broker::embedded_broker>(options);
    }

    std::unique_ptr<child_process> tool(const std::string& name,
                                        const std::vector<std::string>& args) {
        return mosquitto_tool(name, server->port(), args);
    }

    test_support::temp_dir dir{"broker-auth"};
    std::unique_ptr<broker::embedded_broker> server;
};

TEST_F(MosquittoAuth, UserPublishesAndSubscribesUnderItsOwnTopicsOnly) {
    auto sub = tool("mosquitto_sub", {"-V", "5", "-d", "-u", "alice", "-P", "secret", "-t",
                                      "users/alice/#", "-t", "users/bob/#", "-C", "1"});
    ASSERT_TRUE(sub->wait_for_output("received SUBACK", step)) << describe(*sub);
    // Outside users/alice: acknowledged with 0x87 (as Mosquitto does) and not delivered.
    auto denied = tool("mosquitto_pub", {"-V", "5", "-q", "1", "-u", "alice", "-P", "secret", "-t",
                                         "users/bob/inbox", "-m", "not mine"});
    EXPECT_EQ(finish(*denied), 0) << describe(*denied);
    EXPECT_NE(denied->errors().find("Publish 1 failed: Not authorized"), std::string::npos)
        << describe(*denied);
    auto allowed = tool("mosquitto_pub", {"-V", "5", "-q", "1", "-u", "alice", "-P", "secret", "-t",
                                          "users/alice/inbox", "-m", "mine"});
    EXPECT_EQ(finish(*allowed), 0) << describe(*allowed);
    EXPECT_EQ(finish(*sub), 0) << describe(*sub);
    EXPECT_EQ(message_lines(*sub), std::vector<std::string>{"mine"});
}

TEST_F(MosquittoAuth, WrongPasswordIsRefusedNotAuthorized) {
    // 5.0: CONNACK 0x87, mosquitto_pub exits with the reason code.
    auto v5 = tool("mosquitto_pub",
                   {"-V", "5", "-u", "alice", "-P", "wrong", "-t", "users/alice/x", "-m", "x"});
    EXPECT_EQ(finish(*v5), 0x87) << describe(*v5);
    EXPECT_NE(v5->errors().find("Connection error: Not authorized"), std::string::npos)
        << describe(*v5);
    // 3.1.1: return code 5.
    auto v311 = tool("mosquitto_pub",
                     {"-V", "311", "-u", "alice", "-P", "wrong", "-t", "users/alice/x", "-m", "x"});
    EXPECT_EQ(finish(*v311), 5) << describe(*v311);
    EXPECT_NE(v311->errors().find("Connection Refused: not authorised."), std::string::npos)
        << describe(*v311);
}

TEST_F(MosquittoAuth, AnonymousClientIsRefusedWhenNotAllowed) {
    auto p = tool("mosquitto_pub", {"-V", "5", "-t", "users/alice/x", "-m", "x"});
    EXPECT_EQ(finish(*p), 0x87) << describe(*p);
    EXPECT_NE(p->errors().find("Connection error: Not authorized"), std::string::npos)
        << describe(*p);
}

}  // namespace
}  // namespace harness::broker_interop
