#include "api/api.hpp"

#include "api/rate_limit.hpp"
#include "core/text.hpp"
#include "engine/engine.hpp"
#include "engine/key_ring.hpp"
#include "tests/temp_path.hpp"
#include "tests/test_support.hpp"

#include <nlohmann/json.hpp>

using namespace geokg;
using api::http::field;
using api::http::status;
using api::http::verb;
using nlohmann::json;

namespace {

const api::RequestInfo loopback{"req-1", "127.0.0.1", true};
const api::RequestInfo remote{"req-2", "203.0.113.9", false};

const char* kTriple = R"({"triples":[{"subject":"PRK","relation":"072","object":"RUS","date":"2023-09-13"}]})";

struct Secured {
  test::TempPath db;
  std::shared_ptr<engine::KeyRing> keys;
  api::Api api;
  explicit Secured(api::ApiOptions options = {}) : api(std::move(options)) {
    auto ring = engine::KeyRing::open(db.str(), std::chrono::milliseconds(0));
    REQUIRE(ring);
    keys = *ring;
    api.set_keys(keys);
    engine::Options o;
    o.db_path = ":memory:";
    auto e = engine::Engine::open(o);
    REQUIRE(e);
    api.attach(std::shared_ptr<engine::Engine>(std::move(*e)));
  }
  std::string key(core::Role role) {
    auto k = keys->create(role, "test");
    REQUIRE(k);
    return k->secret;
  }
  api::Request request(verb method, const std::string& target, const std::string& key = "",
                       const std::string& body = "") {
    api::Request req{method, target, 11};
    if (!key.empty()) req.set(field::authorization, "Bearer " + key);
    if (!body.empty()) {
      req.set(field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    return req;
  }
  api::Reply call(verb method, const std::string& target, const api::RequestInfo& info, const std::string& key = "",
                  const std::string& body = "") {
    auto req = request(method, target, key, body);
    return api.handle(req, info);
  }
};

void require_problem(const api::Reply& r, status s, const std::string& code) {
  INFO(r.message.body());
  REQUIRE(r.message.result() == s);
  CHECK(r.message[field::content_type] == "application/problem+json");
  CHECK(json::parse(r.message.body())["code"] == code);
}

}  // namespace

TEST_CASE("every route needs a role derived from its method unless it says otherwise", "[api]") {
  api::Api a;
  for (const auto& r : a.router().routes()) {
    INFO(r.pattern);
    const auto role = api::required_role(r);
    if (r.pattern == "/healthz" || r.pattern == "/readyz") {
      CHECK_FALSE(role);
    } else if (r.method == verb::get) {
      CHECK(role == core::Role::read);
    } else {
      REQUIRE(role);
      CHECK(core::includes(*role, core::Role::write));
    }
  }
}

TEST_CASE("without keys, writes come from loopback only and reads from anywhere", "[api]") {
  Secured s;
  CHECK(s.call(verb::post, "/v1/triples", loopback, "", kTriple).message.result() == status::created);
  auto r = s.call(verb::post, "/v1/triples", remote, "", kTriple);
  require_problem(r, status::forbidden, "forbidden");
  CHECK(json::parse(r.message.body())["detail"].get<std::string>().find("geokg keys create") != std::string::npos);
  require_problem(s.call(verb::delete_, "/v1/triples/1", remote), status::forbidden, "forbidden");
  CHECK(s.call(verb::get, "/v1/triples", remote).message.result() == status::ok);
  CHECK(s.call(verb::get, "/healthz", remote).message.result() == status::ok);
}

TEST_CASE("once a key exists, writes need a write key: 401 without, 403 with a read key", "[api]") {
  Secured s;
  const auto reader = s.key(core::Role::read);
  const auto writer = s.key(core::Role::write);
  const auto admin = s.key(core::Role::admin);

  auto none = s.call(verb::post, "/v1/triples", loopback, "", kTriple);
  require_problem(none, status::unauthorized, "unauthorized");
  CHECK(none.message[field::www_authenticate] == "Bearer realm=\"geokg\"");
  auto low = s.call(verb::post, "/v1/triples", remote, reader, kTriple);
  require_problem(low, status::forbidden, "forbidden");
  CHECK(json::parse(low.message.body())["detail"].get<std::string>().find("'read'") != std::string::npos);
  CHECK(s.call(verb::post, "/v1/triples", remote, writer, kTriple).message.result() == status::created);
  CHECK(s.call(verb::post, "/v1/triples", remote, admin, kTriple).message.result() == status::created);
  require_problem(s.call(verb::patch, "/v1/actors/PRK", remote, reader, R"({"name":"x"})"), status::forbidden,
                  "forbidden");

  // Reads stay open, but a bad key is refused even there.
  CHECK(s.call(verb::get, "/v1/status", remote).message.result() == status::ok);
  CHECK(s.call(verb::get, "/v1/status", remote, reader).message.result() == status::ok);
  require_problem(s.call(verb::get, "/v1/status", remote, "gk_not-a-key"), status::unauthorized, "unauthorized");
  auto wrong_scheme = s.request(verb::get, "/v1/status");
  wrong_scheme.set(field::authorization, "Basic dXNlcjpwYXNz");
  require_problem(s.api.handle(wrong_scheme, remote), status::unauthorized, "unauthorized");
  // Preflight and health never need a key.
  CHECK(s.call(verb::options, "/v1/triples", remote).message.result() == status::no_content);
  CHECK(s.call(verb::get, "/readyz", remote, "gk_bad").message.result() == status::unauthorized);
  CHECK(s.call(verb::get, "/readyz", remote).message.result() == status::ok);
}

TEST_CASE("a revoked key is refused at once", "[api]") {
  Secured s;
  auto k = s.keys->create(core::Role::write, "old");
  REQUIRE(k);
  CHECK(s.call(verb::post, "/v1/triples", remote, k->secret, kTriple).message.result() == status::created);
  REQUIRE(s.keys->revoke(k->key.id));
  require_problem(s.call(verb::post, "/v1/triples", remote, k->secret, kTriple), status::unauthorized,
                  "unauthorized");
}

TEST_CASE("serving with --require-read-key closes reads to callers without a key", "[api]") {
  api::ApiOptions o;
  o.access.require_read_key = true;
  Secured s(o);
  // No key yet: loopback only, as for writes.
  CHECK(s.call(verb::get, "/v1/status", loopback).message.result() == status::ok);
  require_problem(s.call(verb::get, "/v1/status", remote), status::forbidden, "forbidden");
  const auto reader = s.key(core::Role::read);
  require_problem(s.call(verb::get, "/v1/status", loopback), status::unauthorized, "unauthorized");
  require_problem(s.call(verb::get, "/metrics", remote), status::unauthorized, "unauthorized");
  CHECK(s.call(verb::get, "/v1/status", remote, reader).message.result() == status::ok);
  CHECK(s.call(verb::get, "/healthz", remote).message.result() == status::ok);
}

TEST_CASE("admission refuses before the body: 401, 429 with Retry-After, 503 when writes pile up", "[api]") {
  api::ApiOptions o;
  o.rate_limit_per_address = 1;
  o.rate_limit_burst = 3;
  o.max_pending_writes = 2;
  Secured s(o);
  const auto writer = s.key(core::Role::write);
  auto header = s.request(verb::post, "/v1/triples", writer, kTriple);

  const api::RequestInfo a{"r", "198.51.100.1", false};
  auto first = s.api.admit(header, a);
  CHECK_FALSE(first.reject);
  CHECK(first.ticket);
  auto second = s.api.admit(header, a);
  CHECK_FALSE(second.reject);
  // Two writes pending: the third is refused, though the address still has a token.
  auto third = s.api.admit(header, a);
  REQUIRE(third.reject);
  CHECK(third.reject->result() == status::service_unavailable);
  CHECK(third.reject->at(field::retry_after) == "1");
  CHECK(json::parse(third.reject->body())["code"] == "unavailable");
  first.ticket.reset();
  // The address has spent its burst of 3.
  auto fourth = s.api.admit(header, a);
  REQUIRE(fourth.reject);
  CHECK(fourth.reject->result() == status::too_many_requests);
  CHECK(std::stoi(std::string(fourth.reject->at(field::retry_after))) >= 1);
  CHECK(json::parse(fourth.reject->body())["code"] == "rate_limited");
  // Another address is not affected; a request without a key is refused before its body.
  auto other = s.request(verb::post, "/v1/triples", "", kTriple);
  auto refused = s.api.admit(other, {"r", "198.51.100.2", false});
  REQUIRE(refused.reject);
  CHECK(refused.reject->result() == status::unauthorized);
  CHECK_FALSE(s.api.admit(s.request(verb::get, "/v1/status"), {"r", "198.51.100.2", false}).reject);
  // Paths the router answers itself are admitted.
  CHECK_FALSE(s.api.admit(s.request(verb::get, "/nowhere"), {"r", "198.51.100.3", false}).reject);

  const auto metrics = s.api.render_metrics();
  CHECK(metrics.find("geokg_http_rejected_total{reason=\"rate_limited\"} 1") != std::string::npos);
  CHECK(metrics.find("geokg_http_rejected_total{reason=\"queue_full\"} 1") != std::string::npos);
  CHECK(metrics.find("geokg_http_rejected_total{reason=\"unauthorized\"} 1") != std::string::npos);
  CHECK(metrics.find("geokg_pending_writes 1") != std::string::npos);
}

TEST_CASE("per-key limits count per key, not per address", "[api]") {
  api::ApiOptions o;
  o.rate_limit_per_key = 1;
  o.rate_limit_burst = 1;
  Secured s(o);
  const auto k1 = s.key(core::Role::read);
  const auto k2 = s.key(core::Role::read);
  CHECK_FALSE(s.api.admit(s.request(verb::get, "/v1/status", k1), remote).reject);
  auto again = s.api.admit(s.request(verb::get, "/v1/status", k1), loopback);
  REQUIRE(again.reject);
  CHECK(again.reject->result() == status::too_many_requests);
  CHECK_FALSE(s.api.admit(s.request(verb::get, "/v1/status", k2), remote).reject);
  // Anonymous reads have no key to count.
  CHECK_FALSE(s.api.admit(s.request(verb::get, "/v1/status"), remote).reject);
}

TEST_CASE("token buckets refill at their rate and forget idle clients", "[api]") {
  using Clock = api::RateLimiter::Clock;
  api::RateLimiter off(0, 5);
  CHECK_FALSE(off.enabled());
  CHECK(off.acquire("x") == 0);

  api::RateLimiter limiter(2, 2, 2);
  const auto t0 = Clock::now();
  CHECK(limiter.acquire("a", t0) == 0);
  CHECK(limiter.acquire("a", t0) == 0);
  CHECK(limiter.acquire("a", t0) == 1);
  CHECK(limiter.acquire("a", t0 + std::chrono::milliseconds(500)) == 0);
  CHECK(limiter.acquire("a", t0 + std::chrono::milliseconds(500)) == 1);
  CHECK(limiter.acquire("b", t0) == 0);
  // A third key: the table is full; "a" and "b" have refilled by then and are forgotten.
  CHECK(limiter.acquire("c", t0 + std::chrono::seconds(5)) == 0);
  CHECK(limiter.acquire("a", t0 + std::chrono::seconds(5)) == 0);

  api::RateLimiter slow(0.1, 1);
  CHECK(slow.acquire("z", t0) == 0);
  CHECK(slow.acquire("z", t0) == 10);
}

TEST_CASE("metrics count requests by route pattern and render the Prometheus text format", "[api]") {
  Secured s;
  s.api.record("/v1/actors/{id}", "GET", 200, std::chrono::microseconds(1500));
  s.api.record("/v1/actors/{id}", "GET", 200, std::chrono::microseconds(700));
  s.api.record("/v1/actors/{id}", "GET", 404, std::chrono::microseconds(300));
  s.api.record("", "-", 400, std::chrono::microseconds(10));
  s.api.metrics().observe_extraction(0.02);
  auto r = s.call(verb::get, "/metrics", remote);
  REQUIRE(r.message.result() == status::ok);
  CHECK(r.message[field::content_type].starts_with("text/plain; version=0.0.4"));
  CHECK(r.route == "/metrics");
  const auto& text = r.message.body();
  INFO(text);
  CHECK(text.find("geokg_http_requests_total{route=\"/v1/actors/{id}\",method=\"GET\",status=\"200\"} 2") !=
        std::string::npos);
  CHECK(text.find("geokg_http_requests_total{route=\"/v1/actors/{id}\",method=\"GET\",status=\"404\"} 1") !=
        std::string::npos);
  CHECK(text.find("geokg_http_requests_total{route=\"transport\",method=\"-\",status=\"400\"} 1") !=
        std::string::npos);
  CHECK(text.find("geokg_http_request_duration_seconds_bucket{route=\"/v1/actors/{id}\",le=\"0.001\"} 2") !=
        std::string::npos);
  CHECK(text.find("geokg_http_request_duration_seconds_bucket{route=\"/v1/actors/{id}\",le=\"0.0025\"} 3") !=
        std::string::npos);
  CHECK(text.find("geokg_http_request_duration_seconds_bucket{route=\"/v1/actors/{id}\",le=\"+Inf\"} 3") !=
        std::string::npos);
  CHECK(text.find("geokg_http_request_duration_seconds_count{route=\"/v1/actors/{id}\"} 3") != std::string::npos);
  CHECK(text.find("geokg_extraction_duration_seconds_count 1") != std::string::npos);
  CHECK(text.find("geokg_build_info{version=\"" GEOKG_VERSION "\"") != std::string::npos);
  CHECK(text.find("# TYPE geokg_triples gauge") != std::string::npos);
  CHECK(text.find("geokg_ready 1") != std::string::npos);
  CHECK(text.find("geokg_evidence_total 0") != std::string::npos);
  // Every sample line is `name{labels} number` or `name number`.
  std::size_t lines = 0;
  for (auto line : core::split(text, '\n')) {
    if (line.empty() || line.front() == '#') continue;
    ++lines;
    const auto space = line.rfind(' ');
    REQUIRE(space != std::string_view::npos);
    const std::string value(line.substr(space + 1));
    CHECK_NOTHROW(std::stod(value));
    CHECK(line.substr(0, 6) == "geokg_");
  }
  CHECK(lines > 20);
}

TEST_CASE("router replies carry the route pattern that answered", "[api]") {
  Secured s;
  CHECK(s.call(verb::get, "/v1/actors/PRK", loopback).route == "/v1/actors/{id}");
  CHECK(s.call(verb::get, "/v1/nowhere", loopback).route == "unmatched");
  CHECK(s.call(verb::put, "/v1/triples", loopback).route == "/v1/triples");
  CHECK(s.call(verb::get, "/v1/triples?limit=0", loopback).route == "/v1/triples");
}

TEST_CASE("OpenAPI names the role of every route and the bearer scheme", "[api]") {
  api::Api a;
  const auto& doc = a.openapi();
  CHECK(doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer");
  const auto& post = doc["paths"]["/v1/triples"]["post"];
  CHECK(post["x-geokg-role"] == "write");
  CHECK(post["security"] == json::parse(R"([{"bearer": []}])"));
  const auto& get = doc["paths"]["/v1/triples"]["get"];
  CHECK(get["x-geokg-role"] == "read");
  CHECK(get["security"] == json::parse(R"([{}, {"bearer": []}])"));
  CHECK(doc["paths"]["/healthz"]["get"]["security"] == json::parse("[{}]"));
  CHECK(doc["paths"]["/metrics"]["get"]["x-geokg-role"] == "read");
}

TEST_CASE("reloading the extraction dictionaries needs an admin key", "[api]") {
  Secured s;
  const auto writer = s.key(core::Role::write);
  const auto admin = s.key(core::Role::admin);
  require_problem(s.call(verb::post, "/v1/dictionaries/reload", loopback), status::unauthorized, "unauthorized");
  require_problem(s.call(verb::post, "/v1/dictionaries/reload", remote, writer), status::forbidden, "forbidden");
  auto r = s.call(verb::post, "/v1/dictionaries/reload", remote, admin);
  INFO(r.message.body());
  REQUIRE(r.message.result() == status::ok);
  const auto j = json::parse(r.message.body());
  CHECK(j["files"].empty());
  CHECK(j["actors"].get<int>() > 1000);
  CHECK(j["patterns"].get<int>() > 0);
  CHECK(j["loaded_at"].get<std::string>().size() == 20);
  // Reading what is in use is a read.
  auto g = s.call(verb::get, "/v1/dictionaries", remote);
  REQUIRE(g.message.result() == status::ok);
  CHECK(json::parse(g.message.body())["actors"] == j["actors"]);
}
