#include "api/problem.hpp"

#include "tests/test_support.hpp"

#include <nlohmann/json.hpp>

#include <set>

using namespace geokg;

TEST_CASE("every error code maps to a distinct 4xx/5xx status and renders problem+json", "[api]") {
  std::set<unsigned> statuses;
  for (auto code : core::all_error_codes) {
    const auto s = static_cast<unsigned>(api::status_of(code));
    CHECK(s >= 400);
    CHECK(s < 600);
    statuses.insert(s);
    api::Request req{api::http::verb::get, "/v1/x?y=1", 11};
    auto res = api::problem_response(core::make_error(code, "the detail"), req, {"rid-1", "127.0.0.1", true});
    CHECK(res.result_int() == s);
    CHECK(res[api::http::field::content_type] == "application/problem+json");
    auto body = nlohmann::json::parse(res.body());
    CHECK(body["code"] == std::string(core::to_string(code)));
    CHECK(body["status"] == s);
    CHECK(body["request_id"] == "rid-1");
    CHECK(body["instance"] == "/v1/x?y=1");
    for (const char* k : {"type", "title", "detail"}) CHECK(body.contains(k));
    // Internal errors never leak their cause.
    CHECK((body["detail"] == "the detail") == (code != core::ErrorCode::internal));
  }
  CHECK(statuses.size() == std::size(core::all_error_codes));
  CHECK(api::status_of(core::ErrorCode::unprocessable) == api::http::status::unprocessable_entity);
  CHECK(api::status_of(core::ErrorCode::rate_limited) == api::http::status::too_many_requests);
}

TEST_CASE("row errors and the parameter at fault appear in the problem body", "[api]") {
  core::Error e = core::unprocessable("2 of 3 triples are invalid");
  e.items = {{0, "subject", "unknown actor"}, {2, "date", "bad date"}};
  e.parameter = "x";
  api::Request req{api::http::verb::post, "/v1/triples", 11};
  auto body = nlohmann::json::parse(api::problem_response(e, req, {}).body());
  REQUIRE(body["errors"].size() == 2);
  CHECK(body["errors"][1]["index"] == 2);
  CHECK(body["errors"][1]["field"] == "date");
  CHECK(body["parameter"] == "x");
}
