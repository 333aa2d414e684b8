#pragma once

#include "server/http_server.hpp"
#include "server/server_core.hpp"

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace geokg::server::detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Strand = net::strand<net::io_context::executor_type>;
using Socket = net::basic_stream_socket<tcp, Strand>;
using Clock = std::chrono::steady_clock;
using Timer = net::basic_waitable_timer<Clock, net::wait_traits<Clock>, Strand>;

// One accepted connection. Everything but the handler and stream calls runs on the socket's strand;
// requests are handled one at a time, so pipelined requests are answered in order.
class Session : public std::enable_shared_from_this<Session> {
 public:
  // A `rejecting` session only answers 503 (connection limit reached) and closes.
  static std::shared_ptr<Session> create(ServerCore& core, Socket socket, bool rejecting);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();
  // Server stopping: close now if waiting for a request, otherwise after the current response.
  void begin_stop();
  // Grace period over: close the socket whatever the session is doing.
  void force_close();

 private:
  enum class Phase { idle, reading, handling, writing, lingering, closed };

  Session(ServerCore& core, Socket socket, bool rejecting);

  // Reading and parsing.
  void wait_request();
  void read_more();
  void on_read(const boost::system::error_code& ec, std::size_t bytes);
  void begin_request();
  void parse_buffered();
  bool on_header_complete();
  void on_read_failed(const boost::system::error_code& ec);

  // Handling.
  void dispatch_request();
  void run_handler() noexcept;
  void on_handled();
  Response internal_error_response() noexcept;

  // Writing.
  void send_error(http::status status, std::string_view code, std::string_view detail);
  void send_rejection(Response response);
  void write_reply();
  void on_written(const boost::system::error_code& ec);
  void pull_piece();
  void run_stream() noexcept;
  void on_piece();
  void on_piece_written(const boost::system::error_code& ec);
  void finish_response();
  void complete_request();
  void log_access(unsigned status, std::int64_t micros);

  // Closing and timeouts.
  void linger_close();
  void linger_read();
  void close();
  void arm_deadline(Clock::time_point deadline);
  void disarm_deadline() noexcept { deadline_ = Clock::time_point::max(); }
  void on_timer(std::uint64_t generation, const boost::system::error_code& ec);
  void on_timeout();

  ServerCore& core_;
  Socket socket_;
  const Strand strand_;
  Timer timer_;
  SessionRegistry::Entry entry_{};
  bool registered_ = false;
  const bool rejecting_;
  // Set when the socket is closed; lets queued worker jobs of a dead connection skip the handler.
  std::atomic<bool> abandoned_{false};

  Phase phase_ = Phase::idle;
  Clock::time_point deadline_ = Clock::time_point::max();
  std::uint64_t timer_generation_ = 0;
  bool timer_waiting_ = false;
  bool timed_out_ = false;

  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool header_done_ = false;
  RequestContext context_;
  Clock::time_point request_start_{};

  // Facts about the request in flight, captured before the handler may move from the request.
  bool request_known_ = false;  // false for errors detected before a header was parsed
  http::verb method_ = http::verb::unknown;
  std::string target_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool offloaded_ = false;
  bool close_after_ = false;

  Reply reply_;
  std::shared_ptr<void> ticket_;  // from Callbacks::admit, released once the response is written
  std::optional<http::response_serializer<http::string_body>> serializer_;
  std::uint64_t body_bytes_ = 0;

  // Streaming state.
  bool chunked_ = false;
  bool stream_more_ = false;
  bool stream_failed_ = false;
  std::string piece_;
  std::array<char, 20> chunk_head_{};
  std::size_t lingered_bytes_ = 0;
};

}  // namespace geokg::server::detail
