#include "api/api.hpp"
#include "app/wiring.hpp"
#include "engine/engine.hpp"
#include "tests/app/http_client.hpp"
#include "tests/temp_path.hpp"
#include "tests/test_support.hpp"

#include <nlohmann/json.hpp>

using namespace geokg;
using boost::beast::http::status;
using boost::beast::http::verb;
using nlohmann::json;

namespace {

// The real stack: engine on a SQLite file, API, Beast server on 127.0.0.1 port 0.
struct RunningServer {
  api::Api api;
  std::unique_ptr<server::HttpServer> http;
  explicit RunningServer(const std::string& db) {
    engine::Options o;
    o.db_path = db;
    auto e = engine::Engine::open(o);
    REQUIRE(e);
    api.attach(std::shared_ptr<engine::Engine>(std::move(*e)));
    server::Options so;
    so.port = 0;
    so.access_log = false;
    http = app::make_http_server(api, so);
    http->start();
  }
  ~RunningServer() { http->stop(std::chrono::seconds(2)); }
  unsigned short port() const { return http->port(); }
};

}  // namespace

TEST_CASE("a real server answers over HTTP and a restart on the same file keeps every write", "[app]") {
  test::TempPath db;
  json before_relations, before_triple;
  int id = 0;
  {
    RunningServer s(db.str());
    test::HttpClient c(s.port());
    auto health = c.request(verb::get, "/healthz");
    CHECK(health.result() == status::ok);
    CHECK_FALSE(health["X-Request-Id"].empty());
    CHECK(health[boost::beast::http::field::access_control_allow_origin] == "*");

    auto posted = c.request(verb::post, "/v1/triples",
                            R"({"triples":[{"subject":"PRK","relation":"072","object":"RUS","date":"2023-09-13",
                                "evidence":{"text":"North Korea shipped artillery shells to Russia."}},
                               {"subject":"Blinken","relation":"020","object":"CHN","date":"2023-11-09","create":1}]})");
    CHECK(posted.result() == status::bad_request);  // unknown member: nothing written
    posted = c.request(verb::post, "/v1/triples",
                       R"({"triples":[{"subject":"PRK","relation":"072","object":"RUS","date":"2023-09-13",
                           "evidence":{"text":"North Korea shipped artillery shells to Russia."}},
                          {"subject":"USA","relation":"020","object":"CHN","date":"2023-11-09"}]})");
    REQUIRE(posted.result() == status::created);
    id = json::parse(posted.body())["ids"][0];
    auto bad = c.request(verb::get, "/v1/triples?since=2023-02-30");
    CHECK(bad.result() == status::bad_request);
    CHECK(bad[boost::beast::http::field::content_type] == "application/problem+json");
    CHECK(c.request(verb::patch, "/v1/triples").result() == status::method_not_allowed);

    before_relations = json::parse(c.request(verb::get, "/v1/actors/PRK/relations").body());
    before_triple = json::parse(c.request(verb::get, "/v1/triples/" + std::to_string(id)).body());
    REQUIRE(before_relations["items"].size() == 1);
  }
  RunningServer s(db.str());
  test::HttpClient c(s.port());
  CHECK(json::parse(c.request(verb::get, "/v1/actors/PRK/relations").body()) == before_relations);
  auto after = json::parse(c.request(verb::get, "/v1/triples/" + std::to_string(id)).body());
  CHECK(after == before_triple);
  CHECK(after["evidence"][0]["text"] == "North Korea shipped artillery shells to Russia.");
  CHECK(json::parse(c.request(verb::get, "/v1/status").body())["triples"] == 2);
}
