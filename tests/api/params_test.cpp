#include "api/params.hpp"

#include "tests/test_support.hpp"

using namespace geokg;
using api::QueryParams;

TEST_CASE("query parameters decode, list and validate", "[api]") {
  auto q = QueryParams::parse("/v1/x?relation=072,111&relation=042&since=2023-01-01&limit=5&q=South%20Korea&flag",
                              {"relation", "since", "limit", "q", "flag"});
  REQUIRE(q);
  CHECK(q->path() == "/v1/x");
  CHECK(q->list("relation") == std::vector<std::string>{"072", "111", "042"});
  CHECK(q->date("since")->value().to_string() == "2023-01-01");
  CHECK(*q->integer("limit", 100, 1, 1000) == 5);
  CHECK(q->get("q")->value() == "South Korea");
  CHECK(*q->boolean("flag", false));
  CHECK(*q->integer("absent", 7, 1, 10) == 7);
}

TEST_CASE("bad parameters are errors that name the parameter", "[api]") {
  auto unknown = QueryParams::parse("/v1/x?limt=5", {"limit"});
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().parameter == "limt");
  CHECK(unknown.error().detail.find("limit") != std::string::npos);
  auto q = QueryParams::parse("/v1/x?limit=5000&since=2023-02-30&n=abc&b=maybe&d=1&d=2", {"limit", "since", "n", "b", "d"});
  REQUIRE(q);
  CHECK(q->integer("limit", 100, 1, 1000).error().parameter == "limit");
  CHECK(q->date("since").error().parameter == "since");
  CHECK(q->number("n", 0, 0, 1).error().parameter == "n");
  CHECK(q->boolean("b", false).error().parameter == "b");
  CHECK(q->get("d").error().detail.find("more than once") != std::string::npos);
  CHECK_FALSE(QueryParams::parse("/v1/x?q=%ZZ", {"q"}));
  CHECK_FALSE(QueryParams::parse("/v1/x?q=%FF", {"q"}));
  CHECK_FALSE(QueryParams::parse("not a path", {}));
}

TEST_CASE("cursors round-trip and reject tampering", "[api]") {
  const auto c = api::encode_cursor("triples", "19613:42");
  CHECK(*api::decode_cursor("triples", c) == "19613:42");
  CHECK(api::decode_cursor("actors", c).error().parameter == "cursor");
  CHECK_FALSE(api::decode_cursor("triples", "!!!"));
  CHECK_FALSE(api::decode_cursor("triples", "abc"));
}
