#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace geokg::server {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Per-request facts the transport knows and the application may use.
struct RequestContext {
  std::string request_id;       // from a valid incoming X-Request-Id, else generated
  std::string remote_address;   // peer IP as text
  bool remote_is_loopback = false;
  std::chrono::steady_clock::time_point received;
};

// A handler's answer. When `stream` is set, `message` carries only status and headers and the
// body is sent with chunked transfer encoding: `stream` is called repeatedly, appends the next
// piece to `out`, and returns false once the body is complete (a piece may be empty).
struct Reply {
  Response message;
  std::function<bool(std::string& out)> stream;
  std::string label;  // names the handler (e.g. a route pattern) in the access log and in Completion
};

// The decision on a request whose header has arrived, taken before its body is read.
struct Admission {
  std::optional<Response> reject;  // when set: sent as the answer; the body is never read
  std::shared_ptr<void> ticket;    // held until the response is written (e.g. a queue slot)
};

// What the transport reports once a response has been written (or the connection failed).
struct Completion {
  std::string_view method;  // "-" when the request could not be parsed
  std::string_view target;
  std::string_view label;   // Reply::label, empty for errors the transport answered itself
  unsigned status = 0;
  std::uint64_t body_bytes = 0;
  std::chrono::microseconds duration{0};  // from the end of the header to the end of the response
};

enum class LogFormat { text, json };

// Application callbacks; the transport knows nothing else of the domain.
struct Callbacks {
  // Turns a request into a reply. Called on an I/O thread unless `offload` says otherwise.
  std::function<Reply(Request& request, const RequestContext& context)> handle;
  // Builds an error response for failures detected by the transport itself
  // (malformed HTTP 400, 408, 413, 431, 503 when full). `code` is a stable snake_case code.
  std::function<Response(http::status status, std::string_view code, std::string_view detail,
                         const RequestContext& context)>
      error;
  // Optional: the body limit for a request, decided from its header (default: Options::max_body_bytes).
  std::function<std::uint64_t(const http::request_header<>& header)> body_limit;
  // Optional: true for requests that may take long: they run on the worker pool, or on the I/O
  // thread that read them while another I/O thread stays free (a stream they return runs on the pool).
  std::function<bool(const http::request_header<>& header)> offload;
  // Optional: admission control (authentication, rate limits, queue caps) once the header is
  // complete, so that a refused request never costs its body. Called on an I/O thread.
  std::function<Admission(const http::request_header<>& header, const RequestContext& context)> admit;
  // Optional: called once per response (metrics). Called on an I/O thread; must not throw.
  std::function<void(const RequestContext& context, const Completion& completion)> on_complete;
};

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 = ephemeral
  unsigned io_threads = 2;
  unsigned worker_threads = 2;  // 0: offloaded requests run on the I/O thread
  std::uint64_t max_body_bytes = 64ull << 20;
  std::uint32_t max_header_bytes = 16u << 10;
  std::chrono::milliseconds request_timeout{30'000};  // to read one whole request; also per write
  std::chrono::milliseconds idle_timeout{60'000};     // keep-alive connection with no request
  std::size_t max_connections = 10'000;  // beyond: 503 with Retry-After, then close
  bool access_log = true;  // one spdlog line per request
  LogFormat log_format = LogFormat::text;  // json: one JSON object per access-log line
};

// Boost.Beast HTTP/1.1 server: keep-alive, pipelining-safe, TCP_NODELAY, limits and timeouts,
// X-Request-Id on every response, graceful stop. Thread-safe start/stop.
class HttpServer {
 public:
  HttpServer(Options options, Callbacks callbacks);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; throws std::system_error when the address cannot be bound.
  void start();
  // The bound port (useful with port 0); valid after start().
  std::uint16_t port() const noexcept;
  // Connections being served now (those answered 503 at the connection limit excluded).
  std::size_t connections() const;
  // Blocks until stop() has completed.
  void wait();
  // Stops accepting, lets in-flight requests finish (up to `grace`), then closes connections.
  // Waits for handlers already running; must not be called from a handler or stream callback.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds{10'000});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace geokg::server
