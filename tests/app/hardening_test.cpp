#include "api/api.hpp"
#include "app/commands.hpp"
#include "app/logging.hpp"
#include "app/serve_config.hpp"
#include "app/wiring.hpp"
#include "engine/engine.hpp"
#include "engine/key_ring.hpp"
#include "tests/app/cli.hpp"
#include "tests/app/http_client.hpp"
#include "tests/raw_client.hpp"
#include "tests/temp_path.hpp"
#include "tests/test_support.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <sstream>

using namespace geokg;
using boost::beast::http::field;
using boost::beast::http::status;
using boost::beast::http::verb;
using nlohmann::json;
using namespace std::chrono_literals;

using test::run;

namespace {

std::optional<app::ServeConfig> config_of(std::vector<std::string> args, int& code, std::string& err_text) {
  std::ostringstream out, err;
  auto c = app::parse_serve_config(args, out, err, code);
  err_text = err.str();
  return c;
}

// `geokg serve` with these flags, in-process: the same parsing, key ring, API and transport.
struct Served {
  test::TempPath db;
  std::shared_ptr<engine::KeyRing> keys;
  std::unique_ptr<api::Api> api;
  std::unique_ptr<server::HttpServer> http;

  explicit Served(std::vector<std::string> flags = {}) {
    if (std::find(flags.begin(), flags.end(), "--access-log") == flags.end())
      flags.insert(flags.end(), {"--access-log", "false"});
    flags.insert(flags.end(), {"--db", db.str(), "--port", "0", "--threads", "2"});
    int code = 0;
    std::string err;
    auto config = config_of(flags, code, err);
    INFO(err);
    REQUIRE(config);
    auto ring = engine::KeyRing::open(db.str(), 0ms);
    REQUIRE(ring);
    keys = *ring;
    api = std::make_unique<api::Api>(config->api);
    api->set_keys(keys);
    engine::Options o;
    o.db_path = db.str();
    auto e = engine::Engine::open(o);
    REQUIRE(e);
    api->attach(std::shared_ptr<engine::Engine>(std::move(*e)));
    http = app::make_http_server(*api, config->server);
    http->start();
  }
  ~Served() { http->stop(2s); }
  unsigned short port() const { return http->port(); }
};

std::string request(std::string_view method, std::string_view target, std::string_view headers = "",
                    std::string_view body = "") {
  std::string r = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" + std::string(headers);
  if (!body.empty() || method == "POST")
    r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "\r\n" + std::string(body);
}

void require_problem(const std::optional<test::RawClient::Response>& r, status s, const std::string& code) {
  REQUIRE(r);
  INFO(r->body());
  CHECK(r->result() == s);
  CHECK((*r)[field::content_type] == "application/problem+json");
  CHECK(json::parse(r->body())["code"] == code);
}

// Sends the default logger's output to a string for the life of the object, even when a REQUIRE throws.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(text_)));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  std::string str() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

const std::string kTriple = R"({"triples":[{"subject":"PRK","relation":"072","object":"RUS","date":"2023-09-13"}]})";

}  // namespace

TEST_CASE("serve flags reach the transport and the API, bad values are usage errors", "[app]") {
  int code = -1;
  std::string err;
  auto c = config_of({"--max-body-bytes", "4096", "--max-header-bytes", "2048", "--request-timeout", "0.5",
                      "--idle-timeout", "2", "--max-connections", "7", "--max-pending-writes", "3",
                      "--query-timeout", "1.5", "--query-max-work", "1000", "--require-read-key",
                      "--rate-limit-per-key", "5", "--rate-limit-per-address", "2.5", "--rate-limit-burst", "9",
                      "--log-format", "json", "--log-level", "warn", "--actors", "a.tsv", "--actors", "b.txt:c.actors"},
                     code, err);
  INFO(err);
  REQUIRE(c);
  CHECK(c->actor_dictionaries == std::vector<std::string>{"a.tsv", "b.txt", "c.actors"});
  CHECK(c->server.max_body_bytes == 4096);
  CHECK(c->api.max_body_bytes == 4096);
  CHECK(c->server.max_header_bytes == 2048);
  CHECK(c->server.request_timeout == 500ms);
  CHECK(c->server.idle_timeout == 2000ms);
  CHECK(c->server.max_connections == 7);
  CHECK(c->api.max_pending_writes == 3);
  CHECK(c->api.query_budget.time == 1500ms);
  CHECK(c->api.query_budget.work == 1000);
  CHECK(c->api.access.require_read_key);
  CHECK(c->api.rate_limit_per_key == 5);
  CHECK(c->api.rate_limit_per_address == 2.5);
  CHECK(c->api.rate_limit_burst == 9);
  CHECK(c->server.log_format == server::LogFormat::json);
  CHECK(c->log_level == "warn");

  auto defaults = config_of({}, code, err);
  REQUIRE(defaults);
  CHECK_FALSE(defaults->api.access.require_read_key);
  CHECK(defaults->api.rate_limit_per_key == 0);
  CHECK(defaults->api.rate_limit_per_address == 0);
  CHECK(defaults->server.log_format == server::LogFormat::text);
  CHECK(defaults->server.request_timeout == 30s);

  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--log-format", "xml"},
                                             {"--request-timeout", "0"},
                                             {"--idle-timeout", "-1"},
                                             {"--rate-limit-per-key", "-2"},
                                             {"--max-connections", "0"},
                                             {"--max-header-bytes", "10"},
                                             {"--log-level", "loud"},
                                             {"--no-such-flag"}}) {
    INFO(bad[0]);
    code = -1;
    CHECK_FALSE(config_of(bad, code, err));
    CHECK(code == 2);
  }
}

TEST_CASE("geokg keys creates a key shown once, lists it by hint and revokes it", "[app]") {
  test::TempPath db;
  auto created = run({"keys", "create", "--db", db.str(), "--role", "write", "--name", "ingest bot"});
  INFO(created.err);
  REQUIRE(created.code == 0);
  const std::string secret = created.out.substr(0, created.out.find('\n'));
  CHECK(secret.rfind("gk_", 0) == 0);
  CHECK(secret.size() == 46);
  CHECK(created.err.find("shown only this once") != std::string::npos);

  auto listed = run({"keys", "list", "--db", db.str()});
  REQUIRE(listed.code == 0);
  CHECK(listed.out.find("1\twrite\t" + secret.substr(0, 9)) != std::string::npos);
  CHECK(listed.out.find("ingest bot") != std::string::npos);
  CHECK(listed.out.find(secret) == std::string::npos);

  REQUIRE(run({"keys", "revoke", "--db", db.str(), "1"}).code == 0);
  CHECK(run({"keys", "list", "--db", db.str()}).out.find("ingest bot") == std::string::npos);
  CHECK(run({"keys", "list", "--db", db.str(), "--all"}).out.find("ingest bot") != std::string::npos);
  CHECK(run({"keys", "revoke", "--db", db.str(), "7"}).code == 1);

  CHECK(run({"keys", "create", "--db", db.str(), "--role", "root"}).code == 2);
  CHECK(run({"keys", "create", "--db", db.str()}).code == 2);
  CHECK(run({"keys", "revoke", "--db", db.str(), "x1"}).code == 2);
  CHECK(run({"keys", "shred", "--db", db.str()}).code == 2);
  CHECK(run({"keys"}).code == 2);
}

TEST_CASE("over HTTP, a key created by the CLI opens writes, the key never reaches the logs", "[app]") {
  CapturedLog captured;
  std::string secret;
  {
    Served s({"--access-log", "true"});
    test::RawClient c(s.port());
    // No key yet: loopback writes pass.
    REQUIRE(c.send(request("POST", "/v1/triples", "", kTriple)));
    auto first = c.read();
    REQUIRE(first);
    CHECK(first->result() == status::created);

    auto created = run({"keys", "create", "--db", s.db.str(), "--role", "write"});
    REQUIRE(created.code == 0);
    secret = created.out.substr(0, created.out.find('\n'));
    REQUIRE(c.send(request("POST", "/v1/triples", "", kTriple)));
    auto refused = c.read();
    require_problem(refused, status::unauthorized, "unauthorized");
    CHECK((*refused)[field::www_authenticate] == "Bearer realm=\"geokg\"");
    // Refused before its body was read: the server closes the connection after answering.
    CHECK_FALSE(refused->keep_alive());
    test::RawClient d(s.port());
    REQUIRE(d.send(request("POST", "/v1/triples", "Authorization: Bearer " + secret + "\r\n", kTriple)));
    auto accepted = d.read();
    REQUIRE(accepted);
    CHECK(accepted->result() == status::created);
    REQUIRE(d.send(request("GET", "/v1/status", "Authorization: Bearer " + secret + "x\r\n")));
    require_problem(d.read(), status::unauthorized, "unauthorized");
    // A refused request without a body keeps its connection.
    REQUIRE(d.send(request("GET", "/v1/status")));
    auto open = d.read();
    REQUIRE(open);
    CHECK(open->result() == status::ok);
  }
  const auto log = captured.str();
  INFO(log);
  CHECK(log.find("POST /v1/triples 401") != std::string::npos);
  CHECK(log.find(secret) == std::string::npos);
  CHECK(log.find(secret.substr(3, 20)) == std::string::npos);
}

TEST_CASE("limits hold end to end: body 413, header 431, slow request 408, idle close", "[app]") {
  Served s({"--max-body-bytes", "2048", "--max-header-bytes", "2048", "--request-timeout", "0.3", "--idle-timeout",
            "0.3"});
  SECTION("a body over --max-body-bytes") {
    test::RawClient c(s.port());
    REQUIRE(c.send(request("POST", "/v1/triples", "", std::string(3000, ' '))));
    require_problem(c.read(), status::payload_too_large, "payload_too_large");
  }
  SECTION("a header over --max-header-bytes") {
    test::RawClient c(s.port());
    REQUIRE(c.send(request("GET", "/v1/status", "X-Fill: " + std::string(3000, 'x') + "\r\n")));
    require_problem(c.read(), status::request_header_fields_too_large, "header_too_large");
  }
  SECTION("a request that stops half way is answered 408 and closed") {
    test::RawClient c(s.port());
    REQUIRE(c.send("POST /v1/triples HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"tri"));
    const auto before = std::chrono::steady_clock::now();
    require_problem(c.read(5s), status::request_timeout, "request_timeout");
    CHECK(std::chrono::steady_clock::now() - before < 3s);
    CHECK(c.closed_within(3s));
  }
  SECTION("a client sending its header a byte at a time cannot outlast the request timeout") {
    test::RawClient c(s.port());
    const std::string header = "GET /v1/status HTTP/1.1\r\nHost: t\r\nX-Slow: ";
    REQUIRE(c.send(header));
    bool answered = false;
    for (int i = 0; i < 200 && !answered; ++i) {
      if (!c.send("x")) break;
      // Waiting for the answer doubles as the pause between bytes.
      auto r = c.read(20ms);
      if (r) {
        CHECK(r->result() == status::request_timeout);
        answered = true;
      }
    }
    CHECK((answered || c.closed_within(3s)));
  }
  SECTION("an idle keep-alive connection is closed") {
    test::RawClient c(s.port());
    REQUIRE(c.send(request("GET", "/healthz")));
    REQUIRE(c.read());
    CHECK(c.closed_within(3s));
  }
}

TEST_CASE("connections beyond --max-connections are answered 503 with Retry-After", "[app]") {
  Served s({"--max-connections", "2"});
  test::RawClient a(s.port()), b(s.port());
  for (auto* c : {&a, &b}) {
    REQUIRE(c->send(request("GET", "/healthz")));
    REQUIRE(c->read());
  }
  test::RawClient third(s.port());
  auto r = third.read(5s);
  require_problem(r, status::service_unavailable, "unavailable");
  CHECK((*r)[field::retry_after] == "1");
  const auto metrics = s.api->render_metrics();
  CHECK(metrics.find("geokg_http_rejected_total{reason=\"connection_limit\"} 1") != std::string::npos);
}

TEST_CASE("a route's own body limit applies below --max-body-bytes", "[app]") {
  Served s;
  test::RawClient c(s.port());
  // POST /v1/actors takes at most 1 MiB; POST /v1/triples takes the global 64 MiB.
  const std::string big(1100 * 1024, ' ');
  REQUIRE(c.send(request("POST", "/v1/actors", "", "{" + big + "}")));
  require_problem(c.read(), status::payload_too_large, "payload_too_large");
  test::RawClient d(s.port());
  REQUIRE(d.send(request("POST", "/v1/triples", "", kTriple.substr(0, kTriple.size() - 1) + big + "}")));
  auto ok = d.read();
  REQUIRE(ok);
  CHECK(ok->result() == status::created);
}

TEST_CASE("a client over its rate limit gets 429 with Retry-After, others are served", "[app]") {
  Served s({"--rate-limit-per-address", "0.5", "--rate-limit-burst", "2"});
  test::RawClient c(s.port());
  for (int i = 0; i < 2; ++i) {
    REQUIRE(c.send(request("GET", "/v1/status")));
    auto r = c.read();
    REQUIRE(r);
    CHECK(r->result() == status::ok);
  }
  REQUIRE(c.send(request("GET", "/v1/status")));
  auto limited = c.read();
  require_problem(limited, status::too_many_requests, "rate_limited");
  CHECK(std::stoi(std::string((*limited)[field::retry_after])) >= 1);
  // The connection stays usable (the request had no body).
  REQUIRE(c.send(request("GET", "/healthz")));
  auto still = c.read();
  REQUIRE(still);
  CHECK(still->result() == status::too_many_requests);
}

TEST_CASE("GET /metrics counts requests by route pattern over HTTP", "[app]") {
  Served s;
  test::HttpClient c(s.port());
  CHECK(c.request(verb::get, "/v1/actors/PRK").result() == status::ok);
  CHECK(c.request(verb::get, "/v1/actors/USA").result() == status::ok);
  CHECK(c.request(verb::get, "/v1/actors/nobody-at-all").result() == status::not_found);
  CHECK(c.request(verb::get, "/v1/nothing/here").result() == status::not_found);
  auto m = c.request(verb::get, "/metrics");
  REQUIRE(m.result() == status::ok);
  const auto& text = m.body();
  INFO(text);
  CHECK(text.find("geokg_http_requests_total{route=\"/v1/actors/{id}\",method=\"GET\",status=\"200\"} 2") !=
        std::string::npos);
  CHECK(text.find("geokg_http_requests_total{route=\"/v1/actors/{id}\",method=\"GET\",status=\"404\"} 1") !=
        std::string::npos);
  CHECK(text.find("route=\"unmatched\",method=\"GET\",status=\"404\"} 1") != std::string::npos);
  CHECK(text.find("/v1/actors/PRK") == std::string::npos);
  CHECK(text.find("geokg_actors ") != std::string::npos);
}

TEST_CASE("JSON logs are one valid object per line, access lines merged, request ids lifted", "[app]") {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  sink->set_formatter(app::make_json_formatter());
  spdlog::logger log("json-test", sink);
  log.info("{}", R"({"type":"access","request_id":"r1","status":200})");
  log.error("request abc-123 POST /v1/triples: disk full");
  log.warn("a \"quoted\" line\twith\ncontrol and \xff invalid bytes");
  log.info("{}", "{\"not\": \"an access line\"}");
  std::vector<json> lines;
  std::istringstream in(captured.str());
  for (std::string line; std::getline(in, line);) {
    INFO(line);
    REQUIRE_NOTHROW(lines.push_back(json::parse(line)));
  }
  REQUIRE(lines.size() == 4);
  CHECK(lines[0]["type"] == "access");
  CHECK(lines[0]["status"] == 200);
  CHECK(lines[0]["level"] == "info");
  CHECK(lines[0]["ts"].get<std::string>().size() == 24);
  CHECK(lines[1]["request_id"] == "abc-123");
  CHECK(lines[1]["level"] == "error");
  CHECK(lines[1]["msg"] == "request abc-123 POST /v1/triples: disk full");
  CHECK(lines[2]["msg"].get<std::string>().find("\"quoted\"") != std::string::npos);
  CHECK(lines[3]["msg"] == "{\"not\": \"an access line\"}");
}
