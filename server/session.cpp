#include "server/session.hpp"

#include "server/request_id.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <string_view>
#include <utility>

namespace geokg::server::detail {

namespace {

using boost::system::error_code;

constexpr std::size_t min_read_size = 1024;
constexpr std::size_t max_read_size = 64 * 1024;
// After a response that closes the connection, unread request bytes are drained for a while so that
// closing does not reset the connection before the client has read the response.
constexpr std::chrono::milliseconds max_linger{2'000};
constexpr std::size_t max_linger_bytes = 1u << 20;

constexpr std::string_view continue_response = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view crlf = "\r\n";
constexpr std::string_view last_chunk = "0\r\n\r\n";

bool is_http_error(const error_code& ec) {
  static const auto& category = http::make_error_code(http::error::end_of_stream).category();
  return ec.category() == category;
}

Response plain_error(http::status status, std::string_view detail) {
  Response response{status, 11};
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.body().assign(detail);
  response.body() += '\n';
  return response;
}

// Writes "<hex size>\r\n" at the start of `out` and returns its length.
std::size_t format_chunk_head(std::array<char, 20>& out, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::array<char, 16> reversed{};
  std::size_t n = 0;
  do {
    reversed[n++] = digits[size & 0xfu];
    size >>= 4;
  } while (size != 0);
  std::size_t length = 0;
  while (n > 0) out[length++] = reversed[--n];
  out[length++] = '\r';
  out[length++] = '\n';
  return length;
}

}  // namespace

std::shared_ptr<Session> Session::create(ServerCore& core, Socket socket, bool rejecting) {
  std::shared_ptr<Session> session(new Session(core, std::move(socket), rejecting));
  session->entry_ = core.registry.add(session, rejecting);
  session->registered_ = true;
  return session;
}

Session::Session(ServerCore& core, Socket socket, bool rejecting)
    : core_(core),
      socket_(std::move(socket)),
      strand_(socket_.get_executor()),
      timer_(strand_),
      rejecting_(rejecting) {
  error_code ec;
  const auto remote = socket_.remote_endpoint(ec);
  if (!ec) {
    context_.remote_address = remote.address().to_string();
    context_.remote_is_loopback = remote.address().is_loopback();
  }
}

Session::~Session() {
  if (registered_) core_.registry.remove(entry_, rejecting_);
}

void Session::start() {
  net::post(strand_, [self = shared_from_this()] {
    if (self->rejecting_) {
      self->send_error(http::status::service_unavailable, "unavailable",
                       "the server is at its connection limit; retry later");
      return;
    }
    self->wait_request();
  });
}

void Session::begin_stop() {
  net::post(strand_, [self = shared_from_this()] {
    if (self->phase_ == Phase::idle) self->close();
  });
}

void Session::force_close() {
  net::post(strand_, [self = shared_from_this()] { self->close(); });
}

// ---- reading ------------------------------------------------------------------------------------

void Session::wait_request() {
  if (core_.stopping.load()) {
    close();
    return;
  }
  request_known_ = false;
  timed_out_ = false;
  if (buffer_.size() > 0) {  // a pipelined request is already buffered
    begin_request();
    parse_buffered();
    return;
  }
  phase_ = Phase::idle;
  arm_deadline(Clock::now() + core_.options.idle_timeout);
  read_more();
}

void Session::read_more() {
  const std::size_t size =
      std::clamp(buffer_.capacity() - buffer_.size(), min_read_size, max_read_size);
  socket_.async_read_some(buffer_.prepare(size),
                          [self = shared_from_this()](const error_code& ec, std::size_t bytes) {
                            self->on_read(ec, bytes);
                          });
}

void Session::on_read(const error_code& ec, std::size_t bytes) {
  if (phase_ == Phase::closed) return;
  if (phase_ == Phase::reading && timed_out_) {
    send_error(http::status::request_timeout, "request_timeout",
               "the request was not received in time");
    return;
  }
  if (ec) {  // peer closed or reset, possibly mid-request: nobody to answer
    close();
    return;
  }
  buffer_.commit(bytes);
  if (phase_ == Phase::idle) begin_request();
  parse_buffered();
}

void Session::begin_request() {
  phase_ = Phase::reading;
  request_start_ = Clock::now();
  arm_deadline(request_start_ + core_.options.request_timeout);
  parser_.emplace();
  parser_->header_limit(core_.options.max_header_bytes);
  // The real limit depends on the header (Callbacks::body_limit); it is set once the header is parsed.
  parser_->body_limit(boost::none);
  header_done_ = false;
}

void Session::parse_buffered() {
  for (;;) {
    if (buffer_.size() == 0) {
      read_more();
      return;
    }
    error_code ec;
    const std::size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == http::error::need_more) {
      read_more();
      return;
    }
    if (ec) {
      on_read_failed(ec);
      return;
    }
    if (!header_done_ && parser_->is_header_done()) {
      header_done_ = true;
      if (!on_header_complete()) return;
    }
    if (parser_->is_done()) {
      dispatch_request();
      return;
    }
    if (used == 0) {
      read_more();
      return;
    }
  }
}

// Returns false when it took over the control flow (error response or 100-continue write).
bool Session::on_header_complete() {
  const auto& request = parser_->get();
  request_known_ = true;
  method_ = request.method();
  version_ = request.version();
  context_.received = Clock::now();
  if (const auto id = request["X-Request-Id"]; is_valid_request_id(id)) {
    context_.request_id.assign(id);
  } else {
    generate_request_id(context_.request_id);
  }
  if (core_.options.access_log || core_.callbacks.on_complete) target_.assign(request.target());

  std::uint64_t limit = core_.options.max_body_bytes;
  if (core_.callbacks.body_limit) {
    try {
      limit = core_.callbacks.body_limit(request);
    } catch (const std::exception& e) {
      spdlog::error("request {}: body_limit callback failed: {}", context_.request_id, e.what());
      send_error(http::status::internal_server_error, "internal", "internal server error");
      return false;
    }
  }
  if (const auto length = parser_->content_length(); length && *length > limit) {
    send_error(http::status::payload_too_large, "payload_too_large",
               "the request body exceeds " + std::to_string(limit) + " bytes");
    return false;
  }
  parser_->body_limit(limit);

  if (core_.callbacks.admit) {
    Admission admission;
    try {
      admission = core_.callbacks.admit(request, context_);
    } catch (const std::exception& e) {
      spdlog::error("request {}: admit callback failed: {}", context_.request_id, e.what());
      send_error(http::status::internal_server_error, "internal", "internal server error");
      return false;
    }
    if (admission.reject) {
      send_rejection(std::move(*admission.reject));
      return false;
    }
    ticket_ = std::move(admission.ticket);
  }

  if (!parser_->is_done() && version_ >= 11 && buffer_.size() == 0 &&
      boost::beast::iequals(request[http::field::expect], "100-continue")) {
    net::async_write(socket_, net::buffer(continue_response.data(), continue_response.size()),
                     [self = shared_from_this()](const error_code& write_ec, std::size_t) {
                       if (self->phase_ == Phase::closed) return;
                       if (write_ec) {
                         self->close();
                         return;
                       }
                       self->parse_buffered();
                     });
    return false;
  }
  return true;
}

void Session::on_read_failed(const error_code& ec) {
  if (ec == http::error::header_limit) {
    send_error(http::status::request_header_fields_too_large, "header_too_large",
               "the request header exceeds " + std::to_string(core_.options.max_header_bytes) +
                   " bytes");
  } else if (ec == http::error::body_limit || ec == http::error::buffer_overflow) {
    send_error(http::status::payload_too_large, "payload_too_large",
               "the request body exceeds the limit");
  } else if (is_http_error(ec)) {
    send_error(http::status::bad_request, "malformed_request", "malformed HTTP request");
  } else {
    close();
  }
}

// ---- handling -----------------------------------------------------------------------------------

void Session::dispatch_request() {
  phase_ = Phase::handling;
  disarm_deadline();
  auto& request = parser_->get();
  keep_alive_ = request.keep_alive();
  close_after_ = false;
  offloaded_ = false;
  if (core_.pool != nullptr && core_.callbacks.offload) {
    try {
      offloaded_ = core_.callbacks.offload(request);
    } catch (const std::exception& e) {
      spdlog::error("request {}: offload callback failed: {}", context_.request_id, e.what());
      reply_ = Reply{internal_error_response(), {}};
      on_handled();
      return;
    }
  }
  if (offloaded_ && core_.claim_inline()) {  // a stream it returns still runs on the pool
    run_handler();
    core_.release_inline();
    on_handled();
    return;
  }
  if (offloaded_) {
    net::post(*core_.pool, [self = shared_from_this()] {
      self->run_handler();
      net::post(self->strand_, [self] { self->on_handled(); });
    });
    return;
  }
  run_handler();
  on_handled();
}

void Session::run_handler() noexcept {
  if (abandoned_.load()) return;
  try {
    reply_ = core_.callbacks.handle(parser_->get(), context_);
    return;
  } catch (const std::exception& e) {
    spdlog::error("request {}: handler failed: {}", context_.request_id, e.what());
  } catch (...) {
    spdlog::error("request {}: handler failed with a non-standard exception", context_.request_id);
  }
  reply_ = Reply{internal_error_response(), {}};
}

void Session::on_handled() {
  if (phase_ == Phase::closed) return;
  write_reply();
}

Response Session::internal_error_response() noexcept {
  if (core_.callbacks.error) {
    try {
      return core_.callbacks.error(http::status::internal_server_error, "internal",
                                   "internal server error", context_);
    } catch (const std::exception& e) {
      spdlog::error("request {}: error callback failed: {}", context_.request_id, e.what());
    }
  }
  return plain_error(http::status::internal_server_error, "internal server error");
}

// ---- writing ------------------------------------------------------------------------------------

void Session::send_error(http::status status, std::string_view code, std::string_view detail) {
  if (!request_known_) {
    context_.received = Clock::now();
    generate_request_id(context_.request_id);
    method_ = http::verb::unknown;
    version_ = 11;
    target_.clear();
  }
  keep_alive_ = false;
  close_after_ = true;
  offloaded_ = false;
  Response response;
  bool built = false;
  if (core_.callbacks.error) {
    try {
      response = core_.callbacks.error(status, code, detail, context_);
      built = true;
    } catch (const std::exception& e) {
      spdlog::error("request {}: error callback failed: {}", context_.request_id, e.what());
    }
  }
  if (!built) response = plain_error(status, detail);
  if (status == http::status::service_unavailable) response.set(http::field::retry_after, "1");
  reply_ = Reply{std::move(response), {}};
  write_reply();
}

// A refusal decided from the header alone: a request without a body keeps its connection; one
// whose body is still coming is answered, then the connection closes (the body is drained, unread).
void Session::send_rejection(Response response) {
  phase_ = Phase::handling;
  disarm_deadline();
  const bool complete = parser_->is_done();
  keep_alive_ = complete && parser_->get().keep_alive();
  close_after_ = !complete;
  offloaded_ = false;
  reply_ = Reply{std::move(response), {}, {}};
  write_reply();
}

void Session::write_reply() {
  auto& response = reply_.message;
  const bool streaming = static_cast<bool>(reply_.stream);
  const bool head = method_ == http::verb::head;
  // response.keep_alive() reflects a "Connection: close" the handler may have set.
  bool keep = keep_alive_ && !close_after_ && response.keep_alive() && !core_.stopping.load();

  if (streaming) {
    chunked_ = version_ >= 11;
    if (chunked_) {
      response.chunked(true);
    } else {  // HTTP/1.0 has no chunked encoding: the body ends when the connection closes
      response.chunked(false);
      response.erase(http::field::content_length);
      keep = false;
    }
    response.body().clear();
  } else if (!response.has_content_length() && !response.chunked()) {
    try {
      response.prepare_payload();
    } catch (const std::exception& e) {  // e.g. a body on a 204
      spdlog::error("request {}: invalid response: {}", context_.request_id, e.what());
      response = internal_error_response();
      response.prepare_payload();
    }
  }
  response.version(version_);
  response.keep_alive(keep);
  response.set(http::field::server, "geokg");
  response.set("X-Request-Id", context_.request_id);
  close_after_ = !keep;
  body_bytes_ = (head || streaming) ? 0 : response.body().size();

  serializer_.emplace(response);
  phase_ = Phase::writing;
  arm_deadline(Clock::now() + core_.options.request_timeout);
  if (head || streaming) {
    http::async_write_header(
        socket_, *serializer_, [self = shared_from_this(), head](const error_code& ec, std::size_t) {
          if (self->phase_ == Phase::closed) return;
          if (ec) {
            self->close();
            return;
          }
          if (head) {
            self->finish_response();
          } else {
            self->stream_failed_ = false;
            self->pull_piece();
          }
        });
    return;
  }
  http::async_write(socket_, *serializer_,
                    [self = shared_from_this()](const error_code& ec, std::size_t) {
                      self->on_written(ec);
                    });
}

void Session::on_written(const error_code& ec) {
  if (phase_ == Phase::closed) return;
  if (ec) {
    close();
    return;
  }
  finish_response();
}

void Session::pull_piece() {
  phase_ = Phase::handling;
  disarm_deadline();
  if (offloaded_) {
    net::post(*core_.pool, [self = shared_from_this()] {
      self->run_stream();
      net::post(self->strand_, [self] { self->on_piece(); });
    });
    return;
  }
  run_stream();
  on_piece();
}

void Session::run_stream() noexcept {
  if (abandoned_.load()) return;
  piece_.clear();
  try {
    do {
      stream_more_ = reply_.stream(piece_);
    } while (stream_more_ && piece_.empty());
    return;
  } catch (const std::exception& e) {
    spdlog::error("request {}: stream failed: {}", context_.request_id, e.what());
  } catch (...) {
    spdlog::error("request {}: stream failed with a non-standard exception", context_.request_id);
  }
  stream_failed_ = true;
}

void Session::on_piece() {
  if (phase_ == Phase::closed) return;
  if (stream_failed_) {  // the header is out: closing without the last chunk tells the client
    close();
    return;
  }
  body_bytes_ += piece_.size();
  std::array<net::const_buffer, 4> buffers{};
  std::size_t count = 0;
  if (chunked_) {
    if (!piece_.empty()) {
      buffers[count++] = net::buffer(chunk_head_.data(), format_chunk_head(chunk_head_, piece_.size()));
      buffers[count++] = net::buffer(piece_);
      buffers[count++] = net::buffer(crlf.data(), crlf.size());
    }
    if (!stream_more_) buffers[count++] = net::buffer(last_chunk.data(), last_chunk.size());
  } else if (!piece_.empty()) {
    buffers[count++] = net::buffer(piece_);
  }
  if (count == 0) {
    finish_response();
    return;
  }
  phase_ = Phase::writing;
  arm_deadline(Clock::now() + core_.options.request_timeout);
  net::async_write(socket_, buffers, [self = shared_from_this()](const error_code& ec, std::size_t) {
    self->on_piece_written(ec);
  });
}

void Session::on_piece_written(const error_code& ec) {
  if (phase_ == Phase::closed) return;
  if (ec) {
    close();
    return;
  }
  if (stream_more_) {
    pull_piece();
  } else {
    finish_response();
  }
}

void Session::finish_response() {
  complete_request();
  ticket_.reset();
  serializer_.reset();
  reply_ = Reply{};
  parser_.reset();
  piece_.clear();
  if (close_after_) {
    linger_close();
  } else {
    wait_request();
  }
}

void Session::complete_request() {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - context_.received);
  const unsigned status = reply_.message.result_int();
  if (core_.options.access_log) log_access(status, micros.count());
  if (!core_.callbacks.on_complete) return;
  const std::string_view method =
      request_known_ ? std::string_view(http::to_string(method_)) : std::string_view("-");
  const std::string_view target = request_known_ ? std::string_view(target_) : std::string_view("-");
  try {
    core_.callbacks.on_complete(context_, Completion{method, target, reply_.label, status, body_bytes_, micros});
  } catch (const std::exception& e) {
    spdlog::error("request {}: on_complete callback failed: {}", context_.request_id, e.what());
  }
}

namespace {

// JSON string contents: quotes, backslashes, control characters and non-ASCII bytes escaped
// (a request target is client text and need not be UTF-8).
void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char digits[] = "0123456789abcdef";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\u00";
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 0xfu]);
    } else {
      out.push_back(ch);
    }
  }
}

}  // namespace

void Session::log_access(unsigned status, std::int64_t micros) {
  const std::string_view method =
      request_known_ ? std::string_view(http::to_string(method_)) : std::string_view("-");
  const std::string_view target = request_known_ ? std::string_view(target_) : std::string_view("-");
  if (core_.options.log_format == LogFormat::text) {
    spdlog::info("{} {} {} {}B {}us id={} peer={}", method, target, status, body_bytes_, micros,
                 context_.request_id, context_.remote_address);
    return;
  }
  // A JSON object as the message: a JSON log formatter adds time and level around its members.
  std::string line;
  line.reserve(160 + target.size());
  line += "{\"type\":\"access\",\"request_id\":\"";
  append_json_escaped(line, context_.request_id);
  line += "\",\"method\":\"";
  append_json_escaped(line, method);
  line += "\",\"target\":\"";
  append_json_escaped(line, target);
  line += "\",\"route\":\"";
  append_json_escaped(line, reply_.label);
  line += "\",\"status\":" + std::to_string(status);
  line += ",\"bytes\":" + std::to_string(body_bytes_);
  line += ",\"duration_us\":" + std::to_string(micros);
  line += ",\"peer\":\"";
  append_json_escaped(line, context_.remote_address);
  line += "\"}";
  spdlog::info("{}", line);
}

// ---- closing and timeouts -----------------------------------------------------------------------

void Session::linger_close() {
  phase_ = Phase::lingering;
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) {
    close();
    return;
  }
  buffer_.clear();
  lingered_bytes_ = 0;
  arm_deadline(Clock::now() + std::min<std::chrono::milliseconds>(max_linger,
                                                                   core_.options.request_timeout));
  linger_read();
}

void Session::linger_read() {
  const std::size_t size = std::max(min_read_size, std::min(buffer_.capacity(), max_read_size));
  socket_.async_read_some(buffer_.prepare(size),
                          [self = shared_from_this()](const error_code& ec, std::size_t bytes) {
                            if (self->phase_ == Phase::closed) return;
                            self->lingered_bytes_ += bytes;
                            if (ec || self->lingered_bytes_ > max_linger_bytes) {
                              self->close();
                              return;
                            }
                            self->linger_read();
                          });
}

void Session::close() {
  if (phase_ == Phase::closed) return;
  phase_ = Phase::closed;
  abandoned_.store(true);
  error_code ec;
  socket_.close(ec);
  ++timer_generation_;
  timer_waiting_ = false;
  timer_.cancel();
}

// One timer per session; moving a deadline later only updates deadline_, the timer catches up when it
// fires, so a keep-alive request usually costs no timer cancellation.
void Session::arm_deadline(Clock::time_point deadline) {
  deadline_ = deadline;
  if (timer_waiting_ && timer_.expiry() <= deadline) return;
  timer_.expires_at(deadline);
  timer_waiting_ = true;
  const auto generation = ++timer_generation_;
  timer_.async_wait([self = shared_from_this(), generation](const error_code& ec) {
    self->on_timer(generation, ec);
  });
}

void Session::on_timer(std::uint64_t generation, const error_code& ec) {
  if (generation != timer_generation_) return;  // superseded by a re-arm or by close()
  timer_waiting_ = false;
  if (ec || phase_ == Phase::closed || deadline_ == Clock::time_point::max()) return;
  if (Clock::now() < deadline_) {
    arm_deadline(deadline_);
    return;
  }
  disarm_deadline();
  on_timeout();
}

void Session::on_timeout() {
  switch (phase_) {
    case Phase::reading: {  // the pending read completes as aborted and answers 408
      timed_out_ = true;
      error_code ec;
      socket_.cancel(ec);
      break;
    }
    case Phase::idle:
    case Phase::writing:
    case Phase::lingering:
      close();
      break;
    case Phase::handling:
    case Phase::closed:
      break;
  }
}

}  // namespace geokg::server::detail
