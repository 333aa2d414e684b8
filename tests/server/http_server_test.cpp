#include "server/http_server.hpp"

#include "tests/raw_client.hpp"
#include "tests/test_support.hpp"

#include <boost/beast/http/parser.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;
using geokg::server::Callbacks;
using geokg::server::HttpServer;
using geokg::server::Options;
using geokg::server::Reply;
using geokg::server::Request;
using geokg::server::RequestContext;
using geokg::server::Response;
using namespace std::chrono_literals;

using Clock = std::chrono::steady_clock;

Options test_options() {
  Options options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.io_threads = 2;  // several threads on one io_context, as in production
  options.worker_threads = 1;
  options.access_log = false;
  return options;
}

Reply text_reply(std::string body, http::status status = http::status::ok) {
  Reply reply;
  reply.message.result(status);
  reply.message.set(http::field::content_type, "text/plain");
  reply.message.body() = std::move(body);
  return reply;
}

// Marks its responses so tests can tell they came through Callbacks::error.
Response test_error(http::status status, std::string_view code, std::string_view detail,
                    const RequestContext&) {
  Response response{status, 11};
  response.set("X-Error-Code", code);
  response.set(http::field::content_type, "text/plain");
  response.body() = std::string(code) + ": " + std::string(detail);
  return response;
}

Callbacks callbacks(std::function<Reply(Request&, const RequestContext&)> handle) {
  Callbacks result;
  result.handle = std::move(handle);
  result.error = test_error;
  return result;
}

Reply hello(Request&, const RequestContext&) { return text_reply("hello"); }

std::string get(std::string_view target, std::string_view extra_headers = {}) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n";
}

using Client = geokg::test::RawClient;

// Decodes a raw response (possibly chunked) as received on the wire.
std::optional<http::response<http::string_body>> parse_response(const std::string& raw) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  parser.eager(true);
  std::size_t offset = 0;
  while (!parser.is_done() && offset < raw.size()) {
    error_code ec;
    offset += parser.put(net::buffer(raw.data() + offset, raw.size() - offset), ec);
    if (ec) return std::nullopt;
  }
  if (!parser.is_done()) return std::nullopt;
  return parser.release();
}

bool is_hex_id(std::string_view id) {
  return id.size() == 16 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// Stream callback yielding the given pieces in order.
std::function<bool(std::string&)> pieces_stream(std::vector<std::string> pieces) {
  auto state = std::make_shared<std::pair<std::vector<std::string>, std::size_t>>(std::move(pieces), 0);
  return [state](std::string& out) {
    auto& [all, next] = *state;
    if (next < all.size()) out += all[next++];
    return next < all.size();
  };
}

}  // namespace

TEST_CASE("a keep-alive connection serves several requests with request ids", "[server]") {
  std::mutex mutex;
  std::vector<std::string> seen_ids;
  std::string seen_remote;
  bool seen_loopback = false;
  HttpServer server(test_options(), callbacks([&](Request& request, const RequestContext& context) {
                      std::lock_guard lock(mutex);
                      seen_ids.push_back(context.request_id);
                      seen_remote = context.remote_address;
                      seen_loopback = context.remote_is_loopback;
                      return text_reply("you asked for " + std::string(request.target()));
                    }));
  server.start();
  REQUIRE(server.port() != 0);

  Client client(server.port());
  REQUIRE(client.send(get("/one", "X-Request-Id: abc-123.X_y\r\n")));
  auto first = client.read();
  REQUIRE(first);
  CHECK(first->result() == http::status::ok);
  CHECK(first->body() == "you asked for /one");
  CHECK((*first)["X-Request-Id"] == "abc-123.X_y");
  CHECK((*first)[http::field::server] == "geokg");
  CHECK((*first)[http::field::content_length] == "18");
  CHECK(first->keep_alive());

  REQUIRE(client.send(get("/two", "X-Request-Id: not valid!\r\n")));
  auto second = client.read();
  REQUIRE(second);
  CHECK(second->body() == "you asked for /two");
  const std::string second_id((*second)["X-Request-Id"]);
  CHECK(is_hex_id(second_id));

  REQUIRE(client.send(get("/three")));
  auto third = client.read();
  REQUIRE(third);
  const std::string third_id((*third)["X-Request-Id"]);
  CHECK(is_hex_id(third_id));
  CHECK(third_id != second_id);

  std::lock_guard lock(mutex);
  CHECK(seen_ids == std::vector<std::string>{"abc-123.X_y", second_id, third_id});
  CHECK(seen_remote == "127.0.0.1");
  CHECK(seen_loopback);
}

TEST_CASE("pipelined requests are answered in order", "[server]") {
  auto handlers = callbacks([](Request& request, const RequestContext&) {
    return text_reply(std::string(request.target()));
  });
  handlers.offload = [](const http::request_header<>& header) { return header.target() == "/first"; };
  HttpServer server(test_options(), std::move(handlers));
  server.start();

  Client client(server.port());
  REQUIRE(client.send(get("/first", "X-Request-Id: r1\r\n") + get("/second", "X-Request-Id: r2\r\n") +
              get("/third", "X-Request-Id: r3\r\n")));
  for (const std::string name : {"first", "second", "third"}) {
    auto response = client.read();
    REQUIRE(response);
    CHECK(response->body() == "/" + name);
  }
}

TEST_CASE("pipelined responses carry their own request ids", "[server]") {
  HttpServer server(test_options(), callbacks(hello));
  server.start();
  Client client(server.port());
  REQUIRE(client.send(get("/", "X-Request-Id: r1\r\n") + get("/", "X-Request-Id: r2\r\n")));
  auto first = client.read();
  auto second = client.read();
  REQUIRE(first);
  REQUIRE(second);
  CHECK((*first)["X-Request-Id"] == "r1");
  CHECK((*second)["X-Request-Id"] == "r2");
}

TEST_CASE("HTTP/1.0 clients are answered and closed unless they ask for keep-alive", "[server]") {
  HttpServer server(test_options(), callbacks(hello));
  server.start();

  SECTION("without keep-alive") {
    Client client(server.port());
    REQUIRE(client.send("GET /hello HTTP/1.0\r\n\r\n"));
    auto response = client.read();
    REQUIRE(response);
    CHECK(response->version() == 10);
    CHECK(response->body() == "hello");
    CHECK(client.closed_within());
  }
  SECTION("with keep-alive") {
    Client client(server.port());
    for (int i = 0; i < 2; ++i) {
      REQUIRE(client.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
      auto response = client.read();
      REQUIRE(response);
      CHECK(response->version() == 10);
      CHECK(response->keep_alive());
      CHECK(response->body() == "hello");
    }
  }
}

TEST_CASE("Connection: close is honoured", "[server]") {
  HttpServer server(test_options(), callbacks(hello));
  server.start();
  Client client(server.port());
  REQUIRE(client.send(get("/", "Connection: close\r\n")));
  auto response = client.read();
  REQUIRE(response);
  CHECK_FALSE(response->keep_alive());
  CHECK(client.closed_within());
}

TEST_CASE("HEAD responses carry the headers but no body", "[server]") {
  HttpServer server(test_options(), callbacks(hello));
  server.start();
  Client client(server.port());
  REQUIRE(client.send("HEAD / HTTP/1.1\r\nHost: test\r\n\r\n"));
  auto head = client.read(5s, true);
  REQUIRE(head);
  CHECK((*head)[http::field::content_length] == "5");
  CHECK(head->body().empty());
  // A stray body would be read as the start of the next response.
  REQUIRE(client.send(get("/")));
  auto next = client.read();
  REQUIRE(next);
  CHECK(next->body() == "hello");
}

TEST_CASE("offloaded handlers run on the worker pool without stalling other connections", "[server]") {
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<std::thread::id> blocked_thread{};
  std::atomic<std::thread::id> fast_thread{};
  auto handlers = callbacks([&](Request& request, const RequestContext&) {
    if (request.target() == "/block") {
      blocked_thread = std::this_thread::get_id();
      entered.set_value();
      released.wait_for(10s);
      return text_reply("unblocked");
    }
    fast_thread = std::this_thread::get_id();
    return text_reply("fast");
  });
  handlers.offload = [](const http::request_header<>& header) { return header.target() == "/block"; };
  auto options = test_options();
  options.io_threads = 1;
  HttpServer server(options, std::move(handlers));
  server.start();

  Client slow(server.port());
  REQUIRE(slow.send(get("/block")));
  REQUIRE(entered.get_future().wait_for(5s) == std::future_status::ready);

  Client quick(server.port());
  REQUIRE(quick.send(get("/fast")));
  auto fast = quick.read();
  REQUIRE(fast);
  CHECK(fast->body() == "fast");

  release.set_value();
  auto unblocked = slow.read();
  REQUIRE(unblocked);
  CHECK(unblocked->body() == "unblocked");
  CHECK(blocked_thread.load() != fast_thread.load());
}

TEST_CASE("an offloaded handler runs on its I/O thread only while another I/O thread stays free", "[server]") {
  // Two blocking handlers on a server of two I/O threads and one worker: the first runs inline,
  // the second on the worker (were both inline, no thread would be left to serve /fast; were both
  // queued on the one worker, the second would never start).
  std::mutex mutex;
  std::condition_variable changed;
  int entered = 0;
  bool release = false;
  auto handlers = callbacks([&](Request& request, const RequestContext&) {
    if (request.target() == "/block") {
      std::unique_lock lock(mutex);
      ++entered;
      changed.notify_all();
      changed.wait_for(lock, 10s, [&] { return release; });
      return text_reply("unblocked");
    }
    return text_reply("fast");
  });
  handlers.offload = [](const http::request_header<>& header) { return header.target() == "/block"; };
  auto options = test_options();
  options.io_threads = 2;
  options.worker_threads = 1;
  HttpServer server(options, std::move(handlers));
  server.start();

  Client first(server.port());
  Client second(server.port());
  REQUIRE(first.send(get("/block")));
  REQUIRE(second.send(get("/block")));
  {
    std::unique_lock lock(mutex);
    REQUIRE(changed.wait_for(lock, 5s, [&] { return entered == 2; }));
  }
  Client quick(server.port());
  REQUIRE(quick.send(get("/fast")));
  auto fast = quick.read(5s);
  REQUIRE(fast);
  CHECK(fast->body() == "fast");
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  changed.notify_all();
  for (Client* client : {&first, &second}) {
    auto unblocked = client->read(5s);
    REQUIRE(unblocked);
    CHECK(unblocked->body() == "unblocked");
  }
}

TEST_CASE("streamed replies are sent chunked and complete", "[server]") {
  const bool offload = GENERATE(false, true);
  std::atomic<std::thread::id> stream_thread{};
  std::atomic<std::thread::id> handler_thread{};
  auto handlers = callbacks([&](Request&, const RequestContext&) {
    handler_thread = std::this_thread::get_id();
    Reply reply;
    reply.message.set(http::field::content_type, "text/plain");
    auto inner = pieces_stream({"alpha,", "", "beta,", std::string(100'000, 'x'), "end"});
    reply.stream = [&stream_thread, inner](std::string& out) {
      stream_thread = std::this_thread::get_id();
      return inner(out);
    };
    return reply;
  });
  handlers.offload = [offload](const http::request_header<>&) { return offload; };
  HttpServer server(test_options(), std::move(handlers));
  server.start();
  const std::string expected = "alpha,beta," + std::string(100'000, 'x') + "end";

  SECTION("raw bytes are chunked") {
    Client client(server.port());
    REQUIRE(client.send(get("/stream", "Connection: close\r\n")));
    bool closed = false;
    const std::string raw = client.read_until_closed(closed);
    CHECK(closed);
    CHECK(raw.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
    CHECK(raw.find("Content-Length") == std::string::npos);
    CHECK(raw.find("\r\n6\r\nalpha,\r\n5\r\nbeta,\r\n186a0\r\n") != std::string::npos);
    CHECK(raw.size() >= 5);
    CHECK(raw.substr(raw.size() - 5) == "0\r\n\r\n");
    auto response = parse_response(raw);
    REQUIRE(response);
    CHECK(response->body() == expected);
    CHECK(response->count("X-Request-Id") == 1);
    // Offloaded: the handler ran on an I/O thread (the other one stayed free), the stream on the worker.
    if (offload) CHECK(stream_thread.load() != handler_thread.load());
  }
  SECTION("the connection stays usable after a stream") {
    Client client(server.port());
    for (int i = 0; i < 2; ++i) {
      REQUIRE(client.send(get("/stream")));
      auto response = client.read();
      REQUIRE(response);
      CHECK(response->chunked());
      CHECK(response->body() == expected);
    }
  }
  SECTION("HTTP/1.0 gets the body until close") {
    Client client(server.port());
    REQUIRE(client.send("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    bool closed = false;
    const std::string raw = client.read_until_closed(closed);
    CHECK(closed);
    CHECK(raw.find("chunked") == std::string::npos);
    const auto body_start = raw.find("\r\n\r\n");
    REQUIRE(body_start != std::string::npos);
    CHECK(raw.substr(body_start + 4) == expected);
  }
  SECTION("HEAD does not pull the stream") {
    Client client(server.port());
    REQUIRE(client.send("HEAD /stream HTTP/1.1\r\nHost: test\r\n\r\n"));
    auto head = client.read(5s, true);
    REQUIRE(head);
    CHECK(head->body().empty());
    CHECK(stream_thread.load() == std::thread::id{});
    REQUIRE(client.send(get("/stream")));
    auto next = client.read();
    REQUIRE(next);
    CHECK(next->body() == expected);
  }
}

TEST_CASE("a stream is not pulled faster than the client reads", "[server]") {
  constexpr std::size_t piece_size = 256 * 1024;
  constexpr std::size_t piece_count = 128;  // 32 MiB: more than loopback socket buffers hold
  std::atomic<std::size_t> pulls{0};
  auto handlers = callbacks([&](Request&, const RequestContext&) {
    Reply reply;
    reply.stream = [&pulls](std::string& out) {
      out.append(piece_size, 'p');
      return ++pulls < piece_count;
    };
    return reply;
  });
  handlers.offload = [](const http::request_header<>&) { return true; };
  HttpServer server(test_options(), std::move(handlers));
  server.start();

  Client client(server.port());
  REQUIRE(client.send(get("/big", "Connection: close\r\n")));
  // Wait (bounded) until pulling stops because writes no longer complete.
  std::size_t last = 0;
  auto stable_since = Clock::now();
  const auto give_up = Clock::now() + 5s;
  while (Clock::now() < give_up && Clock::now() - stable_since < 300ms) {
    std::this_thread::sleep_for(20ms);
    const auto now = pulls.load();
    if (now != last) {
      last = now;
      stable_since = Clock::now();
    }
  }
  CHECK(pulls.load() < piece_count);

  bool closed = false;
  const std::string raw = client.read_until_closed(closed, 10s);
  CHECK(closed);
  auto response = parse_response(raw);
  REQUIRE(response);
  CHECK(response->body().size() == piece_size * piece_count);
  CHECK(pulls.load() == piece_count);
}

TEST_CASE("a body over the limit is answered 413 through the error callback", "[server]") {
  auto handlers = callbacks([](Request& request, const RequestContext&) {
    return text_reply("got " + std::to_string(request.body().size()));
  });
  handlers.body_limit = [](const http::request_header<>& header) -> std::uint64_t {
    return header.target() == "/small" ? 8 : 1024;
  };
  auto options = test_options();
  options.max_body_bytes = 1;  // overridden by body_limit
  HttpServer server(options, std::move(handlers));
  server.start();
  Client client(server.port());

  SECTION("a body within the limit is accepted") {
    REQUIRE(client.send("POST /large HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\n" +
                std::string(1000, 'b')));
    auto response = client.read();
    REQUIRE(response);
    CHECK(response->body() == "got 1000");
  }
  SECTION("Content-Length over the default limit") {
    REQUIRE(client.send("POST /large HTTP/1.1\r\nHost: test\r\nX-Request-Id: big-1\r\nContent-Length: 2000\r\n\r\n" +
                std::string(2000, 'b')));
    auto response = client.read();
    REQUIRE(response);
    CHECK(response->result() == http::status::payload_too_large);
    CHECK((*response)["X-Error-Code"] == "payload_too_large");
    CHECK((*response)["X-Request-Id"] == "big-1");
    CHECK_FALSE(response->keep_alive());
    CHECK(client.closed_within());
  }
  SECTION("Content-Length over a per-route limit") {
    REQUIRE(client.send("POST /small HTTP/1.1\r\nHost: test\r\nContent-Length: 16\r\n\r\n" + std::string(16, 'b')));
    auto response = client.read();
    REQUIRE(response);
    CHECK(response->result() == http::status::payload_too_large);
    CHECK((*response)["X-Error-Code"] == "payload_too_large");
  }
  SECTION("a chunked body over the limit") {
    REQUIRE(client.send(
        "POST /small HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
        "6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n"));
    auto response = client.read();
    REQUIRE(response);
    CHECK(response->result() == http::status::payload_too_large);
    CHECK((*response)["X-Error-Code"] == "payload_too_large");
  }
}

TEST_CASE("Expect: 100-continue gets an interim response before the body is sent", "[server]") {
  HttpServer server(test_options(), callbacks([](Request& request, const RequestContext&) {
                      return text_reply("got " + request.body());
                    }));
  server.start();
  Client client(server.port());
  REQUIRE(client.send("POST / HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  const std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
  CHECK(client.read_exactly(interim.size()) == interim);
  REQUIRE(client.send("hello"));
  auto response = client.read();
  REQUIRE(response);
  CHECK(response->body() == "got hello");
}

TEST_CASE("a header over the limit is answered 431", "[server]") {
  auto options = test_options();
  options.max_header_bytes = 1024;
  HttpServer server(options, callbacks(hello));
  server.start();
  Client client(server.port());
  REQUIRE(client.send(get("/", "X-Big: " + std::string(4000, 'h') + "\r\n")));
  auto response = client.read();
  REQUIRE(response);
  CHECK(response->result() == http::status::request_header_fields_too_large);
  CHECK((*response)["X-Error-Code"] == "header_too_large");
  CHECK(is_hex_id((*response)["X-Request-Id"]));
  CHECK(client.closed_within());
}

TEST_CASE("a malformed request is answered 400 and closed", "[server]") {
  HttpServer server(test_options(), callbacks(hello));
  server.start();
  Client client(server.port());
  REQUIRE(client.send("THIS IS NOT HTTP\r\n\r\n"));
  auto response = client.read();
  REQUIRE(response);
  CHECK(response->result() == http::status::bad_request);
  CHECK((*response)["X-Error-Code"] == "malformed_request");
  CHECK((*response)[http::field::server] == "geokg");
  CHECK(is_hex_id((*response)["X-Request-Id"]));
  CHECK(client.closed_within());
}

TEST_CASE("errors fall back to plain text without an error callback", "[server]") {
  Callbacks handlers;
  handlers.handle = hello;
  HttpServer server(test_options(), std::move(handlers));
  server.start();
  Client client(server.port());
  REQUIRE(client.send("GET / HTTP/9.9x\r\n\r\n"));
  auto response = client.read();
  REQUIRE(response);
  CHECK(response->result() == http::status::bad_request);
  CHECK(response->body() == "malformed HTTP request\n");
}

TEST_CASE("a request not completed in time is answered 408 and closed", "[server]") {
  auto options = test_options();
  options.request_timeout = 200ms;
  HttpServer server(options, callbacks(hello));
  server.start();
  Client client(server.port());

  SECTION("half a request") {
    const auto started = Clock::now();
    REQUIRE(client.send("GET / HTTP/1.1\r\nHost: test\r\n"));
    auto response = client.read(5s);
    REQUIRE(response);
    CHECK(response->result() == http::status::request_timeout);
    CHECK((*response)["X-Error-Code"] == "request_timeout");
    CHECK(Clock::now() - started >= 150ms);
    CHECK(client.closed_within());
  }
  SECTION("a client trickling bytes is dropped") {
    REQUIRE(client.send("GET / HTTP/1.1\r\n"));
    const std::string trickle(100, 'a');
    std::string raw;
    bool closed = false;
    for (char c : trickle) {
      if (!client.send(std::string_view(&c, 1))) break;
      raw += client.read_until_closed(closed, 50ms);
      if (!raw.empty() || closed) break;
    }
    if (!closed) raw += client.read_until_closed(closed);
    CHECK(closed);
    auto response = parse_response(raw);
    REQUIRE(response);
    CHECK(response->result() == http::status::request_timeout);
  }
}

TEST_CASE("an idle keep-alive connection is closed after the idle timeout", "[server]") {
  auto options = test_options();
  options.idle_timeout = 200ms;
  HttpServer server(options, callbacks(hello));
  server.start();

  SECTION("after a request") {
    Client client(server.port());
    REQUIRE(client.send(get("/")));
    REQUIRE(client.read());
    const auto started = Clock::now();
    CHECK(client.closed_within(5s));
    CHECK(Clock::now() - started >= 150ms);
  }
  SECTION("without any request") {
    Client client(server.port());
    CHECK(client.closed_within(5s));
  }
}

TEST_CASE("connections beyond max_connections are answered 503 with Retry-After", "[server]") {
  auto options = test_options();
  options.max_connections = 2;
  HttpServer server(options, callbacks(hello));
  server.start();

  auto first = std::make_unique<Client>(server.port());
  Client second(server.port());
  for (Client* client : {first.get(), &second}) {
    REQUIRE(client->send(get("/")));
    REQUIRE(client->read());
  }
  Client third(server.port());
  REQUIRE(third.send(get("/")));
  auto rejected = third.read();
  REQUIRE(rejected);
  CHECK(rejected->result() == http::status::service_unavailable);
  CHECK((*rejected)[http::field::retry_after] == "1");
  CHECK((*rejected)["X-Error-Code"] == "unavailable");
  CHECK(is_hex_id((*rejected)["X-Request-Id"]));
  CHECK(third.closed_within());

  // Once a connection goes away, a new one is served (the server notices the close asynchronously).
  first.reset();
  bool served = false;
  for (const auto give_up = Clock::now() + 5s; !served && Clock::now() < give_up;) {
    Client next(server.port());
    REQUIRE(next.send(get("/")));
    auto response = next.read();
    served = response && response->result() == http::status::ok;
    if (!served) std::this_thread::sleep_for(20ms);
  }
  CHECK(served);
}

TEST_CASE("a throwing handler yields 500 and the server keeps serving", "[server]") {
  const bool offload = GENERATE(false, true);
  auto handlers = callbacks([](Request& request, const RequestContext&) -> Reply {
    if (request.target() == "/boom") throw std::runtime_error("secret database path");
    return text_reply("fine");
  });
  handlers.offload = [offload](const http::request_header<>&) { return offload; };
  HttpServer server(test_options(), std::move(handlers));
  server.start();
  Client client(server.port());
  REQUIRE(client.send(get("/boom", "X-Request-Id: boom-1\r\n")));
  auto failed = client.read();
  REQUIRE(failed);
  CHECK(failed->result() == http::status::internal_server_error);
  CHECK((*failed)["X-Error-Code"] == "internal");
  CHECK((*failed)["X-Request-Id"] == "boom-1");
  CHECK(failed->body().find("secret") == std::string::npos);

  REQUIRE(client.send(get("/fine")));
  auto fine = client.read();
  REQUIRE(fine);
  CHECK(fine->body() == "fine");
}

TEST_CASE("the access log has one line per request and no authorization values", "[server]") {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("access-log-test", sink));
  {
    auto options = test_options();
    options.access_log = true;
    HttpServer server(options, callbacks(hello));
    server.start();
    Client client(server.port());
    REQUIRE(client.send(get("/logged?q=1", "X-Request-Id: log-1\r\nAuthorization: Bearer hunter2\r\n")));
    REQUIRE(client.read());
    REQUIRE(client.send("HEAD /logged HTTP/1.1\r\nHost: test\r\nX-Request-Id: log-2\r\n\r\n"));
    REQUIRE(client.read(5s, true));
    client.close();
    server.stop();
  }
  spdlog::set_default_logger(previous);
  const std::string log = captured.str();
  INFO(log);
  CHECK(log.find("GET /logged?q=1 200 5B") != std::string::npos);
  CHECK(log.find("id=log-1 peer=127.0.0.1") != std::string::npos);
  CHECK(log.find("HEAD /logged 200 0B") != std::string::npos);
  CHECK(log.find("hunter2") == std::string::npos);
}

TEST_CASE("stop with an idle connection returns promptly", "[server]") {
  HttpServer server(test_options(), callbacks(hello));
  server.start();
  Client client(server.port());
  REQUIRE(client.send(get("/")));
  REQUIRE(client.read());

  std::thread waiter([&] { server.wait(); });
  const auto started = Clock::now();
  server.stop(10s);
  CHECK(Clock::now() - started < 2s);
  waiter.join();
  CHECK(client.closed_within());
  server.stop();  // idempotent
}

TEST_CASE("stop lets an in-flight request finish", "[server]") {
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  auto handlers = callbacks([&](Request&, const RequestContext&) {
    entered.set_value();
    released.wait_for(10s);
    return text_reply("finished");
  });
  handlers.offload = [](const http::request_header<>&) { return true; };
  HttpServer server(test_options(), std::move(handlers));
  server.start();
  const auto port = server.port();
  Client client(port);
  REQUIRE(client.send(get("/")));
  REQUIRE(entered.get_future().wait_for(5s) == std::future_status::ready);

  std::thread stopper([&] { server.stop(10s); });
  // New connections are refused once stop has begun.
  bool refused = false;
  for (const auto give_up = Clock::now() + 5s; !refused && Clock::now() < give_up;) {
    try {
      Client probe(port);
      refused = probe.closed_within(1s);
    } catch (const boost::system::system_error&) {
      refused = true;
    }
  }
  CHECK(refused);
  release.set_value();
  auto response = client.read();
  REQUIRE(response);
  CHECK(response->body() == "finished");
  CHECK_FALSE(response->keep_alive());
  client.close();
  stopper.join();
}

TEST_CASE("stop closes a stalled stream after the grace period", "[server]") {
  auto handlers = callbacks([](Request&, const RequestContext&) {
    Reply reply;
    reply.stream = [](std::string& out) {
      out.append(64 * 1024, 's');
      return true;  // endless
    };
    return reply;
  });
  handlers.offload = [](const http::request_header<>&) { return true; };
  HttpServer server(test_options(), std::move(handlers));
  server.start();
  Client client(server.port());
  REQUIRE(client.send(get("/endless")));
  REQUIRE(client.read_exactly(16).size() == 16);  // the stream is flowing (and the client stops reading)
  const auto started = Clock::now();
  server.stop(200ms);
  CHECK(Clock::now() - started < 3s);
}

TEST_CASE("port 0 binds an ephemeral port and a taken port throws", "[server]") {
  HttpServer first(test_options(), callbacks(hello));
  first.start();
  REQUIRE(first.port() != 0);
  auto options = test_options();
  options.port = first.port();
  HttpServer second(options, callbacks(hello));
  CHECK_THROWS_AS(second.start(), std::system_error);
}

TEST_CASE("stop with a half-received request returns after the grace period", "[server]") {
  HttpServer server(test_options(), callbacks(hello));
  server.start();
  Client client(server.port());
  // The interim response proves the server holds a half-received request.
  REQUIRE(client.send("POST / HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n"));
  const std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
  REQUIRE(client.read_exactly(interim.size()) == interim);
  REQUIRE(client.send("half"));
  const auto started = Clock::now();
  server.stop(200ms);
  CHECK(Clock::now() - started < 3s);
  CHECK(client.closed_within());
}

TEST_CASE("without worker threads offloaded requests run inline", "[server]") {
  auto handlers = callbacks(hello);
  handlers.offload = [](const http::request_header<>&) { return true; };
  auto options = test_options();
  options.worker_threads = 0;
  HttpServer server(options, std::move(handlers));
  server.start();
  Client client(server.port());
  REQUIRE(client.send(get("/")));
  auto response = client.read();
  REQUIRE(response);
  CHECK(response->body() == "hello");
}

TEST_CASE("admission refuses from the header alone: the body is never read, the handler never runs", "[server]") {
  std::atomic<int> handled{0};
  auto handlers = callbacks([&](Request&, const RequestContext&) {
    ++handled;
    return text_reply("handled");
  });
  handlers.admit = [](const http::request_header<>& header, const RequestContext&) {
    geokg::server::Admission a;
    if (header["X-Deny"] == "yes") {
      Response r{http::status::unauthorized, 11};
      r.set(http::field::content_type, "text/plain");
      r.body() = "denied";
      a.reject = std::move(r);
    }
    return a;
  };
  HttpServer server(test_options(), std::move(handlers));
  server.start();

  SECTION("a bodyless request keeps its connection") {
    Client client(server.port());
    REQUIRE(client.send(get("/a", "X-Deny: yes\r\nX-Request-Id: deny-1\r\n")));
    auto denied = client.read();
    REQUIRE(denied);
    CHECK(denied->result() == http::status::unauthorized);
    CHECK(denied->body() == "denied");
    CHECK((*denied)["X-Request-Id"] == "deny-1");
    CHECK(denied->keep_alive());
    REQUIRE(client.send(get("/b")));
    auto ok = client.read();
    REQUIRE(ok);
    CHECK(ok->body() == "handled");
    CHECK(handled.load() == 1);
  }
  SECTION("a request whose body is still coming is answered at once, then closed") {
    Client client(server.port());
    // Only the header is sent: the answer must not wait for the 1 MB announced.
    REQUIRE(client.send("POST /upload HTTP/1.1\r\nHost: test\r\nX-Deny: yes\r\nContent-Length: 1000000\r\n\r\n"));
    auto denied = client.read(2s);
    REQUIRE(denied);
    CHECK(denied->result() == http::status::unauthorized);
    CHECK_FALSE(denied->keep_alive());
    CHECK(client.closed_within());
    CHECK(handled.load() == 0);
  }
  SECTION("Expect: 100-continue gets the refusal instead of the interim response") {
    Client client(server.port());
    REQUIRE(client.send(
        "POST /upload HTTP/1.1\r\nHost: test\r\nX-Deny: yes\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n"));
    auto denied = client.read(2s);
    REQUIRE(denied);
    CHECK(denied->result() == http::status::unauthorized);
    CHECK(handled.load() == 0);
  }
}

TEST_CASE("an admission ticket lives until the response is written", "[server]") {
  auto released = std::make_shared<std::atomic<int>>(0);
  std::atomic<int> alive_while_handled{-1};
  auto handlers = callbacks([&](Request&, const RequestContext&) {
    alive_while_handled = released->load() == 0 ? 1 : 0;
    return text_reply("ok");
  });
  handlers.admit = [released](const http::request_header<>&, const RequestContext&) {
    geokg::server::Admission a;
    a.ticket = std::shared_ptr<void>(new int(0), [released](void* p) {
      delete static_cast<int*>(p);
      ++*released;
    });
    return a;
  };
  handlers.offload = [](const http::request_header<>&) { return true; };
  HttpServer server(test_options(), std::move(handlers));
  server.start();
  Client client(server.port());
  REQUIRE(client.send(get("/one")));
  REQUIRE(client.read());
  CHECK(alive_while_handled.load() == 1);
  REQUIRE(client.send(get("/two")));
  REQUIRE(client.read());
  client.close();
  server.stop();
  CHECK(released->load() == 2);
}

TEST_CASE("on_complete reports each response with the handler's label", "[server]") {
  std::mutex mutex;
  std::vector<std::tuple<std::string, std::string, std::string, unsigned, std::uint64_t>> seen;
  auto handlers = callbacks([](Request& request, const RequestContext&) {
    auto reply = text_reply("hello");
    reply.label = "/route/{x}";
    if (request.target() == "/missing") reply.message.result(http::status::not_found);
    return reply;
  });
  handlers.on_complete = [&](const RequestContext&, const geokg::server::Completion& c) {
    std::lock_guard lock(mutex);
    seen.emplace_back(std::string(c.method), std::string(c.target), std::string(c.label), c.status, c.body_bytes);
    CHECK(c.duration.count() >= 0);
  };
  auto options = test_options();
  options.max_header_bytes = 1024;
  HttpServer server(options, std::move(handlers));
  server.start();
  {
    Client client(server.port());
    REQUIRE(client.send(get("/route/1")));
    REQUIRE(client.read());
    REQUIRE(client.send(get("/missing")));
    REQUIRE(client.read());
  }
  {
    Client client(server.port());
    REQUIRE(client.send(get("/big", "X-Fill: " + std::string(2000, 'x') + "\r\n")));
    auto r = client.read();
    REQUIRE(r);
    CHECK(r->result() == http::status::request_header_fields_too_large);
  }
  server.stop();
  std::lock_guard lock(mutex);
  REQUIRE(seen.size() == 3);
  // Each response is reported once written, on either I/O thread: one connection's reports come in
  // order, the two connections' may interleave.
  const auto at = [&](std::string_view target) {
    return std::find_if(seen.begin(), seen.end(), [&](const auto& r) { return std::get<1>(r) == target; });
  };
  const auto route = at("/route/1");
  const auto missing = at("/missing");
  const auto big = std::find_if(seen.begin(), seen.end(), [](const auto& r) { return std::get<3>(r) == 431u; });
  REQUIRE(route != seen.end());
  REQUIRE(missing != seen.end());
  REQUIRE(big != seen.end());
  CHECK(route < missing);
  CHECK(*route == std::make_tuple(std::string("GET"), std::string("/route/1"), std::string("/route/{x}"), 200u,
                                  std::uint64_t{5}));
  CHECK(std::get<3>(*missing) == 404u);
  // Errors the transport answers itself have no label.
  CHECK(std::get<2>(*big).empty());
}

TEST_CASE("the JSON access log writes one object per request with escaped fields", "[server]") {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  sink->set_pattern("%v");
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("json-log-test", sink));
  {
    auto options = test_options();
    options.access_log = true;
    options.log_format = geokg::server::LogFormat::json;
    auto handlers = callbacks([](Request&, const RequestContext&) {
      auto reply = text_reply("hi");
      reply.label = "/q";
      return reply;
    });
    HttpServer server(options, std::move(handlers));
    server.start();
    Client client(server.port());
    REQUIRE(client.send(get("/q?x=%22a%22&y=\"b\"", "X-Request-Id: json-1\r\nAuthorization: Bearer hunter2\r\n")));
    REQUIRE(client.read());
    client.close();
    server.stop();
  }
  spdlog::set_default_logger(previous);
  const std::string log = captured.str();
  INFO(log);
  const auto start = log.find("{\"type\":\"access\"");
  REQUIRE(start != std::string::npos);
  const auto line = log.substr(start, log.find('\n', start) - start);
  CHECK(line == "{\"type\":\"access\",\"request_id\":\"json-1\",\"method\":\"GET\",\"target\":\"/q?x=%22a%22&y=\\\"b\\\"\","
                "\"route\":\"/q\",\"status\":200,\"bytes\":2,\"duration_us\":" +
                    line.substr(line.find("\"duration_us\":") + 14, line.find(",\"peer\"") - line.find("\"duration_us\":") - 14) +
                    ",\"peer\":\"127.0.0.1\"}");
  CHECK(log.find("hunter2") == std::string::npos);
}
