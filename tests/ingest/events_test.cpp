#include "ingest/events.hpp"

#include "core/text.hpp"
#include "tests/test_support.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

using namespace geokg;

namespace {

std::vector<std::string> lines_of(const std::string& name) {
  std::ifstream f(std::string(GEOKG_TEST_DATA_DIR) + "/import/" + name, std::ios::binary);
  std::vector<std::string> out;
  for (std::string l; std::getline(f, l);) out.push_back(l);
  return out;
}

}  // namespace

TEST_CASE("a GDELT 2.0 row becomes an event: countries, named actors, code with zeros, measures", "[import]") {
  const auto rows = lines_of("gdelt2.tsv");
  REQUIRE(rows.size() == 7);
  ingest::EventParser p(ingest::Format::gdelt2);
  std::vector<ingest::Event> ev;
  ingest::Problem problem;
  REQUIRE(p.parse(rows[0], ev, problem));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].event_id == "1256322770");
  CHECK(ev[0].date.to_string() == "2024-08-07");
  CHECK(ev[0].code == "080");
  CHECK(ev[0].subject.is_country);
  CHECK(ev[0].subject.id == "ISR");
  CHECK(ev[0].object.empty());
  CHECK(ev[0].url.starts_with("https://theweek.com/"));
  CHECK(ev[0].attributes.find("\"num_mentions\":3") != std::string::npos);
  CHECK(ev[0].attributes.find("\"num_sources\":1") != std::string::npos);
  CHECK(ev[0].attributes.find("\"avg_tone\":-5.128") != std::string::npos);

  REQUIRE(p.parse(rows[2], ev, problem));
  CHECK(ev[0].code == "010");
  CHECK(ev[0].object.id == "MED-television");  // a named actor without a country, not merged into one
  CHECK(ev[0].object.type == core::ActorType::organization);
  CHECK_FALSE(ev[0].object.is_country);

  REQUIRE(p.parse(rows[3], ev, problem));
  CHECK(ev[0].object.id == "USALEG-minnesota");
  CHECK(ev[0].object.country == "USA");
  CHECK_FALSE(ev[0].object.is_country);

  CHECK_FALSE(p.parse(rows[4], ev, problem));
  CHECK(problem.column == "SQLDATE");
  CHECK_FALSE(p.parse(rows[5], ev, problem));
  CHECK(problem.reason.find("61") != std::string::npos);
  CHECK(ev.empty());
}

TEST_CASE("GDELT 1.0 rows of 57 and 58 columns parse, the 58th is the source url", "[import]") {
  const auto rows = lines_of("gdelt1.tsv");
  REQUIRE(rows.size() == 3);
  ingest::EventParser p(ingest::Format::gdelt1);
  std::vector<ingest::Event> ev;
  ingest::Problem problem;
  REQUIRE(p.parse(rows[1], ev, problem));
  CHECK(ev[0].code == "0834");
  CHECK(ev[0].subject.id == "GOV-cabinet");
  CHECK(ev[0].url.starts_with("http://www.dailyexcelsior.com/"));
  REQUIRE(p.parse(rows[2], ev, problem));
  CHECK(ev[0].url.empty());
  CHECK(ev[0].date.to_string() == "1982-01-02");
  ingest::EventParser v2(ingest::Format::gdelt2);
  CHECK_FALSE(v2.parse(rows[1], ev, problem));
}

TEST_CASE("ICEWS rows are read by their header, ids are unique with the date, 13y is refused", "[import]") {
  const auto rows = lines_of("icews.tab");
  REQUIRE(rows.size() == 5);
  ingest::EventParser p(ingest::Format::icews);
  REQUIRE(p.wants_header());
  ingest::Problem problem;
  REQUIRE(p.header(rows[0], problem));
  std::vector<ingest::Event> ev;
  REQUIRE(p.parse(rows[1], ev, problem));
  CHECK(ev[0].event_id == "2018-06-01/32889836");
  CHECK(ev[0].subject.id == "foreign-affairs-bangladesh");
  CHECK(ev[0].subject.country == "Bangladesh");
  CHECK(ev[0].code == "040");
  CHECK(ev[0].publisher == "Vietnam News Agency Bulletin");
  CHECK(ev[0].attributes.find("\"intensity\":1") != std::string::npos);
  CHECK_FALSE(p.parse(rows[4], ev, problem));
  CHECK(problem.column == "CAMEO Code");
  CHECK(problem.reason.find("13y") != std::string::npos);

  ingest::EventParser bad(ingest::Format::icews);
  CHECK_FALSE(bad.header("Event ID\tEvent Date", problem));
  CHECK(problem.column == "Source Name");
}

TEST_CASE("counts are whole numbers in range: GDELT refuses others, ICEWS leaves the attribute out", "[import]") {
  const auto with_field = [](const std::string& row, std::size_t column, const std::string& value) {
    auto fields = core::split(row, '\t');
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i)
      out += (i ? "\t" : "") + (i == column ? value : std::string(fields[i]));
    return out;
  };
  const auto gdelt = lines_of("gdelt2.tsv");
  ingest::EventParser p(ingest::Format::gdelt2);
  std::vector<ingest::Event> ev;
  ingest::Problem problem;
  REQUIRE(p.parse(with_field(gdelt[0], 31, "12"), ev, problem));
  CHECK(ev[0].attributes.find("\"num_mentions\":12") != std::string::npos);
  for (const std::string bad : {"1e40", "99999999999999999999", "3.5", "-", ""}) {
    INFO(bad);
    CHECK_FALSE(p.parse(with_field(gdelt[0], 31, bad), ev, problem));
    CHECK(problem.column == "NumMentions");
    CHECK(problem.reason.find("whole number") != std::string::npos);
  }

  const auto icews = lines_of("icews.tab");
  ingest::EventParser q(ingest::Format::icews);
  REQUIRE(q.header(icews[0], problem));
  const auto sentence = core::split(icews[0], '\t');
  const auto column = static_cast<std::size_t>(
      std::find(sentence.begin(), sentence.end(), "Sentence Number") - sentence.begin());
  REQUIRE(column < sentence.size());
  REQUIRE(q.parse(with_field(icews[1], column, "7"), ev, problem));
  CHECK(ev[0].attributes.find("\"sentence_number\":7") != std::string::npos);
  REQUIRE(q.parse(with_field(icews[1], column, "4.7e33"), ev, problem));  // once an undefined conversion
  CHECK(ev[0].attributes.find("sentence_number") == std::string::npos);
}

TEST_CASE("a PLOVER record gives one event per actor and recipient, keeping the type", "[import]") {
  const auto rows = lines_of("plover.jsonl");
  ingest::EventParser p(ingest::Format::plover);
  std::vector<ingest::Event> ev;
  ingest::Problem problem;
  REQUIRE(p.parse(rows[0], ev, problem));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].plover_type == "ACCUSE");
  CHECK(ev[0].subject.id == "ministry-of-foreign-affairs");
  CHECK(ev[0].subject.country == "CHN");
  CHECK(ev[0].object.is_country);
  CHECK(ev[0].attributes.find("\"plover_type\":\"ACCUSE\"") != std::string::npos);
  REQUIRE(p.parse(rows[1], ev, problem));
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].event_id == "pl-2#1");
  CHECK(ev[1].object.id == "kharkiv-regional-administration");
  CHECK(ev[1].date.to_string() == "2023-03-02");
  CHECK_FALSE(p.parse(rows[3], ev, problem));
  CHECK(problem.column == "actors");
  CHECK_FALSE(p.parse("{\"id\":\"x\"", ev, problem));
}

TEST_CASE("JSON records are split out of an array or from JSON lines", "[import]") {
  ingest::JsonRecordSplitter s;
  std::int64_t n = 0;
  for (const auto& l : lines_of("plover-array.json")) REQUIRE(s.feed(l, ++n));
  std::string text;
  std::int64_t line = 0;
  REQUIRE(s.take(text, line));
  CHECK(line == 2);
  CHECK(text.find("{braces}") != std::string::npos);
  REQUIRE(s.take(text, line));
  CHECK(text.find("pa-2") != std::string::npos);
  CHECK_FALSE(s.take(text, line));
  CHECK_FALSE(s.partial());
  CHECK_FALSE(s.feed("garbage", 1));
  CHECK(ingest::slug("Ewha Womans University, Seoul!") == "ewha-womans-university-seoul");
}
