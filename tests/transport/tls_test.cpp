// TLS specifics against mosquitto: verification of the chain and of the name (DNS and IP
// subject alternative names), the explicit insecure switch, client certificates, and TLS
// setup errors that are caught before any traffic.
#include <gtest/gtest.h>

#include "broker_setup.hpp"
#include "harness/transport/transport.hpp"
#include "support/loopback.hpp"
#include "test_io.hpp"

namespace harness::transport::testing {
namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class tls_test : public ::testing::Test {
  protected:
    const broker_setup& setup = shared_broker();

    connect_result connect(const broker_url& url, const tls_options& tls) {
        return run(io, transport::connect(url, tls, 5s));
    }

    /// CONNECT, then the CONNACK or the failure.
    read_outcome exchange(stream& s) {
        if (const auto ec = run(io, write_all(s, connect_packet)))
            return {{}, ec, s.last_error()};
        return run(io, read_exactly(s, connack_packet.size()));
    }

    boost::asio::io_context io;
};

TEST_F(tls_test, rejects_a_server_certificate_from_another_ca) {
    const auto r = connect(setup.url(scheme::mqtts, broker_setup::mqtts_other_ca, "localhost"),
                           setup.trusting_test_ca());
    EXPECT_FALSE(r.s);
    EXPECT_EQ(r.ec, transport_errc::tls_verify_failed) << r.ec.message();
    EXPECT_TRUE(contains(r.message,
                         "TLS verification of localhost failed: certificate verify "
                         "failed (unable to get local issuer certificate)"))
        << r.message;
}

TEST_F(tls_test, rejects_a_server_certificate_for_another_name) {
    auto tls = setup.trusting_test_ca();
    tls.server_name = "broker.invalid";
    const auto r = connect(setup.url(scheme::mqtts, broker_setup::mqtts), tls);
    EXPECT_EQ(r.ec, transport_errc::tls_verify_failed) << r.message;
    EXPECT_TRUE(contains(r.message, "TLS verification of broker.invalid failed")) << r.message;
    EXPECT_TRUE(contains(r.message, "hostname mismatch")) << r.message;
}

TEST_F(tls_test, checks_an_address_against_the_ip_names_of_the_certificate) {
    // The certificate names 127.0.0.1 and ::1 but not 127.0.0.2.
    auto tls = setup.trusting_test_ca();
    tls.server_name = "127.0.0.2";
    const auto r = connect(setup.url(scheme::mqtts, broker_setup::mqtts), tls);
    EXPECT_EQ(r.ec, transport_errc::tls_verify_failed) << r.message;
    EXPECT_TRUE(contains(r.message, "IP address mismatch")) << r.message;
}

TEST_F(tls_test, rejects_the_test_ca_by_default) {
    const auto r = connect(setup.url(scheme::mqtts, broker_setup::mqtts, "localhost"), {});
    EXPECT_EQ(r.ec, transport_errc::tls_verify_failed) << r.message;
}

TEST_F(tls_test, insecure_accepts_any_certificate) {
    tls_options tls;
    tls.insecure = true;
    for (const auto listener : {broker_setup::mqtts_other_ca, broker_setup::mqtts}) {
        auto r = connect(setup.url(scheme::mqtts, listener, "localhost"), tls);
        ASSERT_TRUE(r.s) << r.message;
        const auto reply = exchange(*r.s);
        EXPECT_EQ(reply.data, connack_packet) << reply.message;
    }
    auto r = connect(setup.url(scheme::wss, broker_setup::wss), tls);
    ASSERT_TRUE(r.s) << r.message;
    EXPECT_EQ(exchange(*r.s).data, connack_packet);
}

TEST_F(tls_test, presents_a_client_certificate) {
    auto tls = setup.trusting_test_ca();
    tls.cert_file = setup.certs.client_cert;
    tls.key_file = setup.certs.client_key;
    auto r = connect(setup.url(scheme::mqtts, broker_setup::mqtts_client_cert, "localhost"), tls);
    ASSERT_TRUE(r.s) << r.message;
    const auto reply = exchange(*r.s);
    EXPECT_EQ(reply.data, connack_packet) << reply.message << "\n" << setup.broker->log();
}

TEST_F(tls_test, without_a_client_certificate_the_broker_refuses) {
    auto r = connect(setup.url(scheme::mqtts, broker_setup::mqtts_client_cert, "localhost"),
                     setup.trusting_test_ca());
    if (!r.s) {  // TLS 1.2: the handshake itself fails
        EXPECT_EQ(r.ec, transport_errc::tls_handshake_failed) << r.message;
        return;
    }
    // TLS 1.3: the client finishes its handshake first; the refusal arrives with the first read.
    const auto reply = exchange(*r.s);
    EXPECT_TRUE(reply.ec) << "CONNACK without a client certificate";
    EXPECT_TRUE(reply.data.empty());
}

TEST_F(tls_test, a_plain_listener_fails_the_handshake) {
    const auto url = setup.url(scheme::mqtts, broker_setup::mqtt);
    const auto r = connect(url, setup.trusting_test_ca());
    EXPECT_EQ(r.ec, transport_errc::tls_handshake_failed) << r.message;
    EXPECT_TRUE(contains(r.message,
                         "TLS handshake with 127.0.0.1:" + std::to_string(url.port) + " failed: "))
        << r.message;
}

// Setup errors come before any traffic: the port here is closed, and still the TLS files are
// what the error is about.
class tls_setup_test : public ::testing::Test {
  protected:
    connect_result connect(const tls_options& tls) {
        broker_url url;
        url.kind = scheme::mqtts;
        url.host = "127.0.0.1";
        url.port = test_support::free_port();
        return run(io, transport::connect(url, tls, 2s));
    }
    boost::asio::io_context io;
    test_support::temp_dir dir{"harness-tls-setup"};
};

TEST_F(tls_setup_test, names_a_missing_ca_file) {
    tls_options tls;
    tls.ca_file = dir.file("missing-ca.pem");
    const auto r = connect(tls);
    EXPECT_EQ(r.ec, transport_errc::tls_setup_failed);
    EXPECT_TRUE(contains(r.message, "cannot load CA file " + tls.ca_file)) << r.message;
}

TEST_F(tls_setup_test, names_a_ca_file_that_is_not_pem) {
    tls_options tls;
    tls.ca_file = dir.write("garbage.pem", "not a certificate\n");
    const auto r = connect(tls);
    EXPECT_EQ(r.ec, transport_errc::tls_setup_failed);
    EXPECT_TRUE(contains(r.message, tls.ca_file)) << r.message;
}

TEST_F(tls_setup_test, names_a_key_that_does_not_match_the_certificate) {
    const auto& certs = shared_broker().certs;
    tls_options tls;
    tls.ca_file = certs.ca;
    tls.cert_file = certs.client_cert;
    tls.key_file = certs.server_key;
    const auto r = connect(tls);
    EXPECT_EQ(r.ec, transport_errc::tls_setup_failed);
    EXPECT_TRUE(contains(r.message, "cannot load client key " + certs.server_key +
                                        " for certificate " + certs.client_cert +
                                        ": key values mismatch"))
        << r.message;
}

TEST_F(tls_setup_test, refuses_a_key_without_a_certificate) {
    tls_options tls;
    tls.insecure = true;
    tls.key_file = dir.write("key.pem", "");
    const auto r = connect(tls);
    EXPECT_EQ(r.ec, transport_errc::tls_setup_failed);
    EXPECT_TRUE(contains(r.message, "without a certificate")) << r.message;
}

TEST_F(tls_setup_test, missing_client_certificate_file) {
    tls_options tls;
    tls.insecure = true;
    tls.cert_file = dir.file("missing-client.pem");
    const auto r = connect(tls);
    EXPECT_EQ(r.ec, transport_errc::tls_setup_failed);
    EXPECT_TRUE(contains(r.message, "cannot load client certificate " + tls.cert_file))
        << r.message;
}

}  // namespace
}  // namespace harness::transport::testing
