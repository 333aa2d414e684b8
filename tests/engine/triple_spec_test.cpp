#include "engine/triple_spec.hpp"

#include "tests/test_support.hpp"

#include <nlohmann/json.hpp>

using namespace geokg;
using nlohmann::ordered_json;

TEST_CASE("a well-formed triple row decodes every member", "[engine]") {
  auto j = ordered_json::parse(R"({"subject":"PRK","relation":"072","object":"RUS","date":"2023-09-13",
    "polarity":"denied","confidence":0.7,"source":{"url":"https://e.x/a","title":"T","publisher":"P","published_at":"2023-09-14"},
    "evidence":{"text":"North Korea supplied shells.","start":3,"end":30}})");
  engine::TripleSpec s;
  std::vector<core::ErrorItem> errors;
  REQUIRE(engine::decode_triple_spec(j, 0, s, errors));
  CHECK(s.subject == "PRK");
  CHECK(s.object == std::optional<std::string>("RUS"));
  CHECK(s.polarity == "denied");
  CHECK(s.confidence == Approx(0.7));
  CHECK(s.source.url == "https://e.x/a");
  CHECK(s.evidence_text == "North Korea supplied shells.");
  CHECK(s.evidence_start == std::optional<std::int64_t>(3));
}

TEST_CASE("shape errors name the row and the member, and unknown members are rejected", "[engine]") {
  engine::TripleSpec s;
  std::vector<core::ErrorItem> errors;
  auto j = ordered_json::parse(R"({"subject":1,"relation":"072","date":"2023-09-13","confidense":0.5,"object":null})");
  CHECK_FALSE(engine::decode_triple_spec(j, 7, s, errors));
  REQUIRE(errors.size() == 2);
  for (const auto& e : errors) CHECK(e.index == 7);
  CHECK(errors[0].field == "confidense");
  CHECK(errors[1].field == "subject");
  errors.clear();
  CHECK_FALSE(engine::decode_triple_spec(ordered_json::parse(R"({"subject":"A","relation":"1","date":"x"})"), 0, s, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].field == "object");
  errors.clear();
  CHECK_FALSE(engine::decode_triple_spec(ordered_json::parse("[1,2]"), 3, s, errors));
  CHECK_FALSE(engine::decode_triple_spec(
      ordered_json::parse(R"({"subject":"A","relation":"1","date":"x","object":null,"evidence":{"start":-1}})"), 0, s,
      errors));
}

TEST_CASE("CSV records follow RFC 4180 quoting across lines", "[engine]") {
  const std::string text = "a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",,x\nlast";
  std::size_t pos = 0;
  std::vector<std::string> f;
  REQUIRE(engine::read_csv_record(text, pos, f));
  CHECK(f == std::vector<std::string>{"a", "b,c", "say \"hi\""});
  REQUIRE(engine::read_csv_record(text, pos, f));
  CHECK(f == std::vector<std::string>{"multi\nline", "", "x"});
  REQUIRE(engine::read_csv_record(text, pos, f));
  CHECK(f == std::vector<std::string>{"last"});
  std::size_t p2 = 0;
  CHECK_FALSE(engine::read_csv_record("\"open", p2, f));
}

TEST_CASE("CSV headers name the columns in any order", "[engine]") {
  auto l = engine::parse_csv_header({"date", "object", "relation", "subject", "evidence"});
  REQUIRE(l);
  CHECK(l->date == 0);
  CHECK(l->subject == 3);
  engine::TripleSpec s;
  std::vector<core::ErrorItem> errors;
  REQUIRE(engine::decode_csv_triple(*l, {"2023-01-02", "", "072", "PRK", "text"}, 1, s, errors));
  CHECK_FALSE(s.object.has_value());
  CHECK(s.evidence_text == "text");
  CHECK_FALSE(engine::decode_csv_triple(*l, {"2023-01-02", "RUS"}, 2, s, errors));
  CHECK_FALSE(engine::parse_csv_header({"subject", "relation", "date"}));
  CHECK_FALSE(engine::parse_csv_header({"subject", "relation", "object", "date", "wieght"}));
  CHECK_FALSE(engine::parse_csv_header({"subject", "subject", "relation", "object", "date"}));
}
