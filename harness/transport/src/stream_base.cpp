// Error mapping for established streams.
#include "stream_base.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/websocket/error.hpp>

namespace harness::transport::detail {

bool is_clean_end(const boost::system::error_code& ec) noexcept {
    return ec == boost::asio::error::eof || ec == boost::asio::ssl::error::stream_truncated ||
           ec == boost::beast::websocket::error::closed;
}

bool is_cancellation(const boost::system::error_code& ec) noexcept {
    return ec == boost::asio::error::operation_aborted || ec == boost::asio::error::bad_descriptor;
}

std::string describe_error(const boost::system::error_code& ec) {
    if (ec == boost::asio::error::eof)
        return "the peer closed the connection";
    if (ec == boost::asio::ssl::error::stream_truncated)
        return "the peer closed the TCP connection without a TLS close_notify";
    if (ec == boost::beast::websocket::error::closed)
        return "the peer sent a WebSocket close frame";
    return ec.message();
}

std::string to_string(const boost::asio::ip::tcp::endpoint& endpoint) {
    const auto address = endpoint.address().to_string();
    const auto port = std::to_string(endpoint.port());
    return endpoint.address().is_v6() ? "[" + address + "]:" + port : address + ":" + port;
}

std::error_code stream_base::read_error(const boost::system::error_code& ec) {
    if (closed_here_)
        return closed_error("read from");
    if (is_cancellation(ec)) {
        last_error_ = "read from " + describe() + " cancelled";
        return std::make_error_code(std::errc::operation_canceled);
    }
    if (is_clean_end(ec)) {
        last_error_ = "read from " + describe() + ": " + describe_error(ec);
        return transport_errc::closed;
    }
    last_error_ = "read from " + describe() + " failed: " + describe_error(ec);
    return transport_errc::read_failed;
}

std::error_code stream_base::write_error(const boost::system::error_code& ec) {
    if (closed_here_)
        return closed_error("write to");
    if (is_cancellation(ec)) {
        last_error_ = "write to " + describe() + " cancelled";
        return std::make_error_code(std::errc::operation_canceled);
    }
    if (is_clean_end(ec)) {
        last_error_ = "write to " + describe() + ": " + describe_error(ec);
        return transport_errc::closed;
    }
    last_error_ = "write to " + describe() + " failed: " + describe_error(ec);
    return transport_errc::write_failed;
}

std::error_code stream_base::closed_error(std::string_view operation) {
    last_error_ =
        std::string(operation) + " " + describe() + ": the stream was closed by this side";
    return transport_errc::closed;
}

bool stream_base::can_read(std::size_t buffer_size, std::error_code& ec) {
    ec.clear();
    if (closed_here_) {
        ec = closed_error("read from");
        return false;
    }
    if (buffer_size == 0) {
        ec = std::make_error_code(std::errc::invalid_argument);
        return false;
    }
    return true;
}

bool stream_base::can_write(std::error_code& ec) {
    ec.clear();
    if (closed_here_) {
        ec = closed_error("write to");
        return false;
    }
    return true;
}

void stream_base::close_socket(lowest_socket& socket) noexcept {
    closed_here_ = true;
    boost::system::error_code ignored;
    socket.close(ignored);
}

}  // namespace harness::transport::detail
