#pragma once

// A raw HTTP/1.1 client for tests that send malformed or slow requests: every wait is bounded,
// so a server bug fails a test instead of hanging it.

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace geokg::test {

class RawClient {
 public:
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  explicit RawClient(unsigned short port) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }

  // False when the server has closed the connection (or reset it) before all was written.
  bool send(std::string_view raw) {
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(raw.data(), raw.size()), ec);
    return !ec;
  }

  // One response; nullopt on close, error or timeout.
  std::optional<Response> read(std::chrono::milliseconds timeout = std::chrono::seconds(10), bool head = false) {
    boost::beast::http::response_parser<boost::beast::http::string_body> parser;
    parser.body_limit(boost::none);
    if (head) parser.skip(true);
    std::optional<boost::system::error_code> result;
    boost::beast::http::async_read(socket_, buffer_, parser,
                                   [&](const boost::system::error_code& ec, std::size_t) { result = ec; });
    if (!run(timeout, result) || *result) return std::nullopt;
    return parser.release();
  }

  // True when the server closes the connection within `timeout` (bytes it sends first are dropped).
  bool closed_within(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char chunk[4096];
    buffer_.clear();
    while (std::chrono::steady_clock::now() < deadline) {
      std::optional<boost::system::error_code> result;
      socket_.async_read_some(boost::asio::buffer(chunk),
                              [&](const boost::system::error_code& ec, std::size_t) { result = ec; });
      if (!run(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()),
               result))
        return false;
      if (*result) return true;
    }
    return false;
  }

 private:
  bool run(std::chrono::milliseconds timeout, std::optional<boost::system::error_code>& result) {
    io_.restart();
    io_.run_for(timeout);
    if (result) return true;
    boost::system::error_code ignored;
    socket_.cancel(ignored);
    io_.restart();
    io_.run();
    // The operation may have completed before the cancellation reached it; its outcome counts (Asio
    // reports an end of stream once: a read after a dropped one waits for an event that never comes).
    return result && *result != boost::asio::error::operation_aborted;
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_{io_};
  boost::beast::flat_buffer buffer_;
};

}  // namespace geokg::test
