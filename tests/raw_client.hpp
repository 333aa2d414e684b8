#pragma once

// A raw HTTP/1.1 client for tests that send malformed, slow or pipelined requests and watch how the
// server answers and closes: every wait is bounded, so a server bug fails a test instead of hanging it.

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace geokg::test {

class RawClient {
 public:
  using Response = boost::beast::http::response<boost::beast::http::string_body>;
  using milliseconds = std::chrono::milliseconds;

  explicit RawClient(unsigned short port) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }

  // False when the server has closed the connection (or reset it) before all was written.
  [[nodiscard]] bool send(std::string_view raw) {
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(raw.data(), raw.size()), ec);
    return !ec;
  }

  // One response; nullopt on close, error or timeout. `head`: the response to a HEAD request.
  std::optional<Response> read(milliseconds timeout = std::chrono::seconds(10), bool head = false) {
    boost::beast::http::response_parser<boost::beast::http::string_body> parser;
    parser.body_limit(boost::none);
    if (head) parser.skip(true);
    const auto ec = run(
        [&](auto done) { boost::beast::http::async_read(socket_, buffer_, parser, std::move(done)); },
        timeout);
    if (ec) return std::nullopt;
    return parser.release();
  }

  // Everything until the server closes the connection (or `timeout` passes); `closed` tells which.
  std::string read_until_closed(bool& closed, milliseconds timeout = std::chrono::seconds(5)) {
    std::string data(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    buffer_.consume(buffer_.size());
    closed = false;
    const auto deadline = Clock::now() + timeout;
    std::vector<char> chunk(64 * 1024);
    while (Clock::now() < deadline) {
      std::size_t got = 0;
      const auto ec = run(
          [&](auto done) {
            socket_.async_read_some(boost::asio::buffer(chunk),
                                    [&got, done = std::move(done)](const boost::system::error_code& e,
                                                                   std::size_t n) mutable {
                                      got = n;
                                      done(e, n);
                                    });
          },
          remaining(deadline));
      data.append(chunk.data(), got);
      if (ec == boost::asio::error::timed_out) return data;
      if (ec) {
        closed = true;
        return data;
      }
    }
    return data;
  }

  // True when the server closes the connection within `timeout` (bytes it sends first are dropped).
  bool closed_within(milliseconds timeout = std::chrono::seconds(5)) {
    bool closed = false;
    read_until_closed(closed, timeout);
    return closed;
  }

  // Exactly `size` bytes, or an empty string if they do not come in time.
  std::string read_exactly(std::size_t size, milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = Clock::now() + timeout;
    while (buffer_.size() < size && Clock::now() < deadline) {
      std::size_t got = 0;
      const auto ec = run(
          [&](auto done) {
            socket_.async_read_some(buffer_.prepare(size - buffer_.size()),
                                    [&got, done = std::move(done)](const boost::system::error_code& e,
                                                                   std::size_t n) mutable {
                                      got = n;
                                      done(e, n);
                                    });
          },
          remaining(deadline));
      buffer_.commit(got);
      if (ec) break;
    }
    if (buffer_.size() < size) return {};
    std::string data(static_cast<const char*>(buffer_.data().data()), size);
    buffer_.consume(size);
    return data;
  }

  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  using Clock = std::chrono::steady_clock;

  static milliseconds remaining(Clock::time_point deadline) {
    return std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  }

  // Runs one asynchronous operation for at most `timeout`; its error, or timed_out.
  template <class Start>
  boost::system::error_code run(Start start, milliseconds timeout) {
    std::optional<boost::system::error_code> result;
    start([&result](const boost::system::error_code& ec, std::size_t) { result = ec; });
    io_.restart();
    io_.run_for(timeout);
    if (result) return *result;
    boost::system::error_code ignored;
    socket_.cancel(ignored);
    io_.restart();
    io_.run();
    // The operation may have completed before the cancellation reached it. Its outcome must not be
    // dropped: Asio reports an end of stream once, and a read after it waits for an event that never
    // comes (this made a test miss the server's close under load, 4-6 times in 120 runs).
    if (result && *result != boost::asio::error::operation_aborted) return *result;
    return boost::asio::error::timed_out;
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_{io_};
  boost::beast::flat_buffer buffer_;
};

}  // namespace geokg::test
