#include "api/api.hpp"

#include "engine/engine.hpp"
#include "tests/test_support.hpp"

#include <nlohmann/json.hpp>

#include <fstream>

using namespace geokg;
using api::http::field;
using api::http::status;
using api::http::verb;
using nlohmann::json;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream f(std::string(GEOKG_TEST_DATA_DIR) + "/import/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

struct ImportFixture {
  api::Api api;
  ImportFixture() {
    engine::Options o;
    o.db_path = ":memory:";
    auto e = engine::Engine::open(o);
    REQUIRE(e);
    api.attach(std::shared_ptr<engine::Engine>(std::move(*e)));
  }
  api::Reply post(const std::string& target, const std::string& body) {
    api::Request req{verb::post, target, 11};
    req.set(field::content_type, "text/tab-separated-values");
    req.body() = body;
    req.prepare_payload();
    return api.handle(req, {"test-request", "127.0.0.1", true});
  }
};

}  // namespace

TEST_CASE("POST /v1/imports takes a dataset file as the body and sums up what it did", "[import]") {
  ImportFixture f;
  auto r = f.post("/v1/imports?format=gdelt2", fixture("gdelt2.tsv"));
  INFO(r.message.body());
  REQUIRE(r.message.result() == status::ok);
  auto j = json::parse(r.message.body());
  CHECK(j["inserted"] == 4);
  CHECK(j["rejected"] == 2);
  CHECK(j["already_imported"] == 1);
  REQUIRE(j["rejections"].size() == 2);
  CHECK(j["rejections"][0]["line"] == 5);
  CHECK(j["rejections"][0]["column"] == "SQLDATE");

  auto again = json::parse(f.post("/v1/imports?format=gdelt2", fixture("gdelt2.tsv")).message.body());
  CHECK(again["inserted"] == 0);
  CHECK(again["already_imported"] == 5);

  auto strict = f.post("/v1/imports?format=icews&strict=true", fixture("icews.tab"));
  INFO(strict.message.body());
  REQUIRE(strict.message.result() == status::unprocessable_entity);
  auto p = json::parse(strict.message.body());
  CHECK(p["code"] == "unprocessable");
  CHECK(p["errors"][0]["index"] == 5);

  CHECK(f.post("/v1/imports?format=xml", "x").message.result() == status::bad_request);
  CHECK(f.post("/v1/imports", "x").message.result() == status::bad_request);
  CHECK(f.post("/v1/imports?format=gdelt2", "").message.result() == status::bad_request);
}
