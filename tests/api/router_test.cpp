#include "api/api.hpp"

#include "engine/engine.hpp"
#include "tests/test_support.hpp"

#include <nlohmann/json.hpp>

#include <set>

using namespace geokg;
using api::http::field;
using api::http::status;
using api::http::verb;
using nlohmann::json;

namespace {

struct Fixture {
  api::Api api;
  Fixture() {
    engine::Options o;
    o.db_path = ":memory:";
    auto e = engine::Engine::open(o);
    REQUIRE(e);
    api.attach(std::shared_ptr<engine::Engine>(std::move(*e)));
  }
  api::Reply call(verb method, const std::string& target, const std::string& body = "",
                  const std::string& content_type = "application/json") {
    api::Request req{method, target, 11};
    if (!body.empty()) {
      req.set(field::content_type, content_type);
      req.body() = body;
      req.prepare_payload();
    }
    return api.handle(req, {"test-request", "127.0.0.1", true});
  }
  json get_json(const std::string& target, status expect = status::ok) {
    auto r = call(verb::get, target);
    INFO(target << " -> " << r.message.body());
    REQUIRE(r.message.result() == expect);
    return json::parse(r.message.body());
  }
};

void require_problem(const api::Reply& r, status s, const std::string& code) {
  INFO(r.message.body());
  REQUIRE(r.message.result() == s);
  CHECK(r.message[field::content_type] == "application/problem+json");
  auto body = json::parse(r.message.body());
  CHECK(body["code"] == code);
  CHECK(body["status"] == static_cast<unsigned>(s));
  CHECK(body["request_id"] == "test-request");
  CHECK_FALSE(body["detail"].get<std::string>().empty());
  CHECK(r.message[field::access_control_allow_origin] == "*");
  CHECK(r.message["X-Request-Id"] == "test-request");
}

const char* kBatch = R"({"triples":[
  {"subject":"PRK","relation":"072","object":"RUS","date":"2023-09-13","source":{"title":"t","publisher":"p"},"evidence":{"text":"a"}},
  {"subject":"DPRK","relation":"provide-military-aid","object":"Russia","date":"2023-09-13","evidence":{"text":"b"}},
  {"subject":"USA","relation":"111","object":"PRK","date":"2023-11-09","confidence":0.8},
  {"subject":"RUS","relation":"016","object":null,"date":"2023-11-10","polarity":"asserted"}]})";

}  // namespace

TEST_CASE("health is up at once and readiness waits for the engine", "[api]") {
  api::Api bare;
  api::Request req{verb::get, "/healthz", 11};
  CHECK(bare.handle(req, {}).message.result() == status::ok);
  api::Request ready{verb::get, "/readyz", 11};
  CHECK(bare.handle(ready, {}).message.result() == status::service_unavailable);
  api::Request actors{verb::get, "/v1/actors", 11};
  CHECK(bare.handle(actors, {}).message.result() == status::service_unavailable);
  Fixture f;
  CHECK(f.call(verb::get, "/readyz").message.result() == status::ok);
  auto head = f.call(verb::head, "/healthz");
  CHECK(head.message.result() == status::ok);
  CHECK(head.message.body().empty());
  CHECK(head.message[field::content_length] != "0");
}

TEST_CASE("unknown paths are 404, wrong methods 405 with Allow, preflight answered", "[api]") {
  Fixture f;
  require_problem(f.call(verb::get, "/v1/nothing"), status::not_found, "not_found");
  auto r = f.call(verb::put, "/v1/triples");
  require_problem(r, status::method_not_allowed, "method_not_allowed");
  const std::string allow(r.message[field::allow]);
  CHECK(allow.find("GET") != std::string::npos);
  CHECK(allow.find("POST") != std::string::npos);
  auto pre = f.call(verb::options, "/v1/triples/12");
  CHECK(pre.message.result() == status::no_content);
  const std::string methods(pre.message[field::access_control_allow_methods]);
  CHECK(methods.find("DELETE") != std::string::npos);
  CHECK(pre.message[field::access_control_allow_origin] == "*");
}

TEST_CASE("routes match whole path segments and a capture is one non-empty segment", "[api]") {
  Fixture f;
  const auto no_endpoint = [&](const std::string& target) {
    auto r = f.call(verb::get, target);
    INFO(target << " -> " << r.message.body());
    require_problem(r, status::not_found, "not_found");
    CHECK(json::parse(r.message.body())["detail"].get<std::string>().starts_with("no endpoint at"));
  };
  no_endpoint("/v1/actors/PRK/");            // a trailing slash is one more (empty) segment
  no_endpoint("/v1/actors//partners");       // a capture is never empty
  no_endpoint("/v1/actors/PRK/partners/x");  // one segment too many
  no_endpoint("/v1/actor/PRK");              // literals compare whole
  no_endpoint("/v1/actorss");
  CHECK(f.get_json("/v1/actors/PRK")["id"] == "PRK");
  // An encoded '/' stays inside its segment: the route matches, the actor is unknown.
  auto encoded = f.call(verb::get, "/v1/actors/PRK%2Fpartners");
  require_problem(encoded, status::not_found, "not_found");
  CHECK_FALSE(json::parse(encoded.message.body())["detail"].get<std::string>().starts_with("no endpoint at"));
}

TEST_CASE("posting triples answers 201 and they are queryable at once", "[api]") {
  Fixture f;
  auto r = f.call(verb::post, "/v1/triples", kBatch);
  INFO(r.message.body());
  REQUIRE(r.message.result() == status::created);
  auto body = json::parse(r.message.body());
  CHECK(body["inserted"] == 3);
  CHECK(body["merged"] == 1);
  CHECK(body["ids"].size() == 4);
  CHECK(body["ids"][0] == body["ids"][1]);

  auto rel = f.get_json("/v1/actors/PRK/relations?direction=out");
  REQUIRE(rel["items"].size() == 1);
  CHECK(rel["items"][0]["neighbor"]["id"] == "RUS");
  CHECK(rel["items"][0]["relation"]["slug"] == "provide-military-aid");
  CHECK(rel["items"][0]["count"] == 1);

  auto t = f.get_json("/v1/triples/" + std::to_string(body["ids"][0].get<int>()));
  CHECK(t["evidence_count"] == 2);
  CHECK(t["evidence"].size() == 2);
  CHECK(t["evidence"][0]["source"]["title"] == "t");
  CHECK(t["subject"]["id"] == "PRK");

  auto no_object = f.get_json("/v1/triples?subject=RUS");
  REQUIRE(no_object["items"].size() == 1);
  CHECK(no_object["items"][0]["object"].is_null());
  auto status_body = f.get_json("/v1/status");
  CHECK(status_body["triples"] == 3);
  CHECK(status_body["evidence"] == 4);
}

TEST_CASE("bad batches are rejected whole with the bad rows listed", "[api]") {
  Fixture f;
  require_problem(f.call(verb::post, "/v1/triples", "{not json"), status::bad_request, "invalid_argument");
  require_problem(f.call(verb::post, "/v1/triples", kBatch, "text/csv"), status::unsupported_media_type,
                  "unsupported_media_type");
  require_problem(f.call(verb::post, "/v1/triples", R"({"triples":[],"x":1})"), status::bad_request,
                  "invalid_argument");
  auto shape = f.call(verb::post, "/v1/triples",
                      R"({"triples":[{"subject":"PRK","relation":"072","object":"RUS","date":"2023-09-13","colour":1}]})");
  require_problem(shape, status::bad_request, "invalid_argument");
  CHECK(json::parse(shape.message.body())["errors"][0]["field"] == "colour");
  auto r = f.call(verb::post, "/v1/triples", R"({"triples":[
      {"subject":"PRK","relation":"072","object":"RUS","date":"2023-09-13"},
      {"subject":"Atlantis","relation":"072","object":"RUS","date":"2023-09-13"},
      {"subject":"PRK","relation":"072","object":"RUS","date":"2023-02-30"}]})");
  require_problem(r, status::unprocessable_entity, "unprocessable");
  auto body = json::parse(r.message.body());
  REQUIRE(body["errors"].size() == 2);
  CHECK(body["errors"][0]["index"] == 1);
  CHECK(body["errors"][1]["index"] == 2);
  CHECK(body["errors"][1]["field"] == "date");
  CHECK(f.get_json("/v1/status")["triples"] == 0);
  std::string deep(200, '[');
  require_problem(f.call(verb::post, "/v1/triples", deep + std::string(200, ']')), status::bad_request, "invalid_argument");
}

TEST_CASE("bad parameters are 400 problems naming the parameter", "[api]") {
  Fixture f;
  const std::pair<const char*, const char*> cases[] = {
      {"/v1/triples?limit=5000", "limit"},          {"/v1/triples?limit=0", "limit"},
      {"/v1/triples?limit=-3", "limit"},            {"/v1/triples?since=2023-13-01", "since"},
      {"/v1/triples?relation=nope", "relation"},    {"/v1/triples?root=21", "root"},
      {"/v1/triples?quad_class=5", "quad_class"},   {"/v1/triples?polarity=maybe", "polarity"},
      {"/v1/triples?cursor=garbage", "cursor"},     {"/v1/triples?actr=PRK", "actr"},
      {"/v1/triples?actor=Atlantis", "actor"},      {"/v1/actors?type=planet", "type"},
      {"/v1/actors/PRK/relations?direction=up", "direction"},
      {"/v1/triples/abc", "id"},                    {"/v1/relation-types?root=7", "root"},
      {"/v1/resolve", "name"},                      {"/v1/triples?min_confidence=2", "min_confidence"},
  };
  for (const auto& [target, param] : cases) {
    INFO(target);
    auto r = f.call(verb::get, target);
    require_problem(r, status::bad_request, "invalid_argument");
    CHECK(json::parse(r.message.body())["parameter"] == param);
  }
  require_problem(f.call(verb::get, "/v1/actors/Atlantis"), status::not_found, "not_found");
  require_problem(f.call(verb::get, "/v1/triples/999"), status::not_found, "not_found");
}

TEST_CASE("cursor pagination over HTTP walks every triple exactly once", "[api]") {
  Fixture f;
  json batch = {{"triples", json::array()}};
  for (int i = 0; i < 57; ++i)
    batch["triples"].push_back({{"subject", i % 2 ? "PRK" : "KOR"},
                                {"relation", i % 3 ? "042" : "111"},
                                {"object", "USA"},
                                {"date", "2023-0" + std::to_string(1 + i % 9) + "-1" + std::to_string(i % 10)}});
  REQUIRE(f.call(verb::post, "/v1/triples", batch.dump()).message.result() == status::created);
  std::set<int> seen;
  std::string target = "/v1/triples?object=USA&limit=10";
  int pages = 0;
  for (;;) {
    auto page = f.get_json(target);
    for (const auto& t : page["items"]) CHECK(seen.insert(t["id"].get<int>()).second);
    ++pages;
    if (page["next_cursor"].is_null()) break;
    target = "/v1/triples?object=USA&limit=10&cursor=" + page["next_cursor"].get<std::string>();
  }
  CHECK(seen.size() == f.get_json("/v1/status")["triples"].get<std::size_t>());
  CHECK(pages == 6);
}

TEST_CASE("actors resolve by alias and can be created and patched", "[api]") {
  Fixture f;
  auto a = f.get_json("/v1/actors/DPRK");
  CHECK(a["id"] == "PRK");
  CHECK(a["resolved_from"] == "DPRK");
  auto res = f.get_json("/v1/resolve?name=U.S.");
  CHECK(res["items"][0]["id"] == "USA");
  auto list = f.get_json("/v1/actors?q=korea&type=country");
  std::set<std::string> ids;
  for (const auto& x : list["items"]) ids.insert(x["id"]);
  CHECK(ids.count("PRK"));
  CHECK(ids.count("KOR"));

  auto created = f.call(verb::post, "/v1/actors",
                        R"({"id":"ewha-university","name":"Ewha Womans University","type":"organization","country":"KOR","aliases":["Ewha"]})");
  REQUIRE(created.message.result() == status::created);
  CHECK(created.message[field::location] == "/v1/actors/ewha-university");
  require_problem(f.call(verb::post, "/v1/actors", R"({"id":"ewha-university","name":"x"})"), status::conflict,
                  "conflict");
  require_problem(f.call(verb::post, "/v1/actors", R"({"id":"x","name":"x","colour":"red"})"), status::bad_request,
                  "invalid_argument");
  auto patched = f.call(verb::patch, "/v1/actors/Ewha", R"({"add_aliases":["Ewha University"]})");
  REQUIRE(patched.message.result() == status::ok);
  CHECK(json::parse(patched.message.body())["aliases"].size() == 2);
  CHECK(f.get_json("/v1/actors/ewha%20university")["id"] == "ewha-university");
}

TEST_CASE("a retracted triple disappears until include_retracted, and DELETE is 204", "[api]") {
  Fixture f;
  auto r = f.call(verb::post, "/v1/triples", kBatch);
  const int id = json::parse(r.message.body())["ids"][0];
  auto del = f.call(verb::delete_, "/v1/triples/" + std::to_string(id), R"({"reason":"wrong date"})");
  CHECK(del.message.result() == status::no_content);
  CHECK(del.message.body().empty());
  CHECK(f.get_json("/v1/triples?subject=PRK")["items"].empty());
  CHECK(f.get_json("/v1/triples?subject=PRK&include_retracted=true")["items"].size() == 1);
  auto t = f.get_json("/v1/triples/" + std::to_string(id));
  CHECK(t["retracted"] == true);
  CHECK(t["retraction"]["reason"] == "wrong date");
  require_problem(f.call(verb::delete_, "/v1/triples/424242"), status::not_found, "not_found");
}

TEST_CASE("the OpenAPI document lists every route of the router", "[api]") {
  Fixture f;
  const auto& doc = f.api.openapi();
  CHECK(doc["openapi"] == "3.1.0");
  for (const auto& route : f.api.router().routes()) {
    std::string m(api::http::to_string(route.method));
    for (auto& c : m) c = static_cast<char>(std::tolower(c));
    INFO(m << " " << route.pattern);
    REQUIRE(doc["paths"].contains(route.pattern));
    CHECK(doc["paths"][route.pattern].contains(m));
    for (const auto& q : route.query) {
      bool found = false;
      for (const auto& p : doc["paths"][route.pattern][m]["parameters"]) found = found || p["name"] == q.name;
      CHECK(found);
    }
  }
  auto served = f.get_json("/openapi.json");
  CHECK(served == doc);
}

TEST_CASE("failures found by the transport render through the same error table", "[api]") {
  api::Api a;
  auto bad = a.transport_error(status::bad_request, "malformed_request", "bad request line", {"rid", "", false});
  CHECK(bad.result() == status::bad_request);
  CHECK(json::parse(bad.body())["code"] == "invalid_argument");
  CHECK(bad["X-Request-Id"] == "rid");
  auto big = a.transport_error(status::request_header_fields_too_large, "header_too_large", "too big", {"rid", "", false});
  CHECK(big.result() == status::request_header_fields_too_large);
  CHECK(json::parse(big.body())["code"] == "header_too_large");
  auto slow = a.transport_error(status::request_timeout, "request_timeout", "too slow", {});
  CHECK(slow.result() == status::request_timeout);
  CHECK(slow[field::content_type] == "application/problem+json");
}

TEST_CASE("documents are posted as JSON or plain text, deduplicated, listed and read back", "[api]") {
  Fixture f;
  const std::string doc = R"({"text":"North Korea supplied artillery shells to Russia, officials said.",
    "title":"Shells","url":"https://example.org/shells","publisher":"Wire","published_at":"2023-11-09"})";
  auto r = f.call(verb::post, "/v1/documents", doc);
  INFO(r.message.body());
  REQUIRE(r.message.result() == status::created);
  auto body = json::parse(r.message.body());
  const auto id = body["id"].get<int>();
  CHECK(body["created"] == true);
  REQUIRE_FALSE(body["triples"].empty());
  CHECK(body["triples"][0]["evidence"]["sentence_index"] == 0);
  CHECK(body["triples"][0]["evidence"]["start"].is_number());
  CHECK(r.message[field::location] == "/v1/documents/" + std::to_string(id));

  auto again = f.call(verb::post, "/v1/documents", doc);
  CHECK(again.message.result() == status::ok);
  CHECK(json::parse(again.message.body())["id"] == id);

  auto plain = f.call(verb::post, "/v1/documents?title=Talks&published_at=2024-01-02&publisher=Other",
                      "Japan and South Korea held talks in Seoul.", "text/plain; charset=utf-8");
  INFO(plain.message.body());
  REQUIRE(plain.message.result() == status::created);

  auto read = f.get_json("/v1/documents/" + std::to_string(id));
  CHECK(read["text"] == "North Korea supplied artillery shells to Russia, officials said.");
  CHECK(read["triples"].size() == body["triples"].size());
  auto list = f.get_json("/v1/documents?limit=1");
  REQUIRE(list["items"].size() == 1);
  CHECK(list["items"][0]["title"] == "Talks");
  CHECK_FALSE(list["items"][0].contains("text"));
  auto next = f.get_json("/v1/documents?limit=1&cursor=" + list["next_cursor"].get<std::string>());
  CHECK(next["items"][0]["id"] == id);
  CHECK(f.get_json("/v1/documents?publisher=Wire")["items"].size() == 1);
  CHECK(f.get_json("/v1/status")["documents"] == 2);

  require_problem(f.call(verb::post, "/v1/documents", R"({"text":"x","published_at":"2023-02-30"})"),
                  status::bad_request, "invalid_argument");
  require_problem(f.call(verb::post, "/v1/documents", R"({"text":"x"})"), status::bad_request, "invalid_argument");
  require_problem(f.call(verb::post, "/v1/documents", R"({"text":"x","published_at":"2023-01-01","lang":"en"})"),
                  status::bad_request, "invalid_argument");
  require_problem(f.call(verb::post, "/v1/documents", R"x({"text":"x","published_at":"2023-01-01","url":"javascript:alert(1)"})x"),
                  status::bad_request, "invalid_argument");
  require_problem(f.call(verb::post, "/v1/documents?title=x", doc), status::bad_request, "invalid_argument");
  require_problem(f.call(verb::get, "/v1/documents/0"), status::bad_request, "invalid_argument");
  require_problem(f.call(verb::get, "/v1/documents/77"), status::not_found, "not_found");
  require_problem(f.call(verb::get, "/v1/documents?since=yesterday"), status::bad_request, "invalid_argument");
}
