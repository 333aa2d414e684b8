#include "engine/import.hpp"

#include "engine/actor_directory.hpp"
#include "ingest/source.hpp"
#include "tests/temp_path.hpp"
#include "tests/test_support.hpp"

#include <fstream>
#include <map>
#include <sstream>

using namespace geokg;
using engine::Engine;

namespace {

std::unique_ptr<Engine> open_engine(const std::string& path) {
  engine::Options o;
  o.db_path = path;
  auto e = Engine::open(o);
  REQUIRE(e);
  return std::move(*e);
}

std::string fixture(const std::string& name) {
  std::ifstream f(std::string(GEOKG_TEST_DATA_DIR) + "/import/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

struct Outcome {
  core::Result<engine::ImportSummary> summary;
  std::vector<engine::ImportRejection> rejected;
};

Outcome import(Engine& e, const std::string& bytes, engine::ImportFormat format, bool strict = false,
               bool one_a_day = false) {
  auto src = ingest::Source::from_memory(bytes);
  engine::ImportOptions o;
  o.format = format;
  o.strict = strict;
  o.one_a_day = one_a_day;
  std::vector<engine::ImportRejection> rejected;
  engine::ImportHooks hooks;
  hooks.reject = [&](const engine::ImportRejection& r) { rejected.push_back(r); };
  auto r = e.import(*src, o, hooks);
  return {std::move(r), std::move(rejected)};
}

std::vector<core::TripleRecord> triples_of(const Engine& e, const std::string& actor) {
  engine::TripleListQuery q;
  q.actor = actor;
  q.limit = 1000;
  auto page = e.list_triples(q);
  REQUIRE(page);
  return page->items;
}

}  // namespace

TEST_CASE("a GDELT import keeps the good rows, reports each bad one, and a second run changes nothing", "[import]") {
  test::TempPath db;
  auto e = open_engine(db.str());
  const auto before = e->status();
  auto r = import(*e, fixture("gdelt2.tsv"), engine::ImportFormat::gdelt2);
  REQUIRE(r.summary);
  CHECK(r.summary->rows == 7);
  CHECK(r.summary->inserted == 4);
  CHECK(r.summary->merged == 0);
  CHECK(r.summary->duplicates == 1);  // line 7 repeats line 1's GLOBALEVENTID
  CHECK(r.summary->rejected == 2);
  CHECK(r.summary->actors_created == 2);
  REQUIRE(r.rejected.size() == 2);
  CHECK(r.rejected[0].line == 5);
  CHECK(r.rejected[0].column == "SQLDATE");
  CHECK(r.rejected[1].line == 6);
  CHECK(e->status().triples == before.triples + 4);

  // Two events of ISR on one day with the same code stay two triples (one per event).
  CHECK(triples_of(*e, "ISR").size() == 2);
  auto minnesota = e->actor("USALEG-minnesota");
  REQUIRE(minnesota);
  CHECK(minnesota->actor.country == "USA");
  CHECK(minnesota->actor.name == "MINNESOTA");
  auto t = triples_of(*e, "USALEG-minnesota");
  REQUIRE(t.size() == 1);
  CHECK(e->relations().at(t[0].relation).code == "173");
  auto detail = e->triple(t[0].id, 10);
  REQUIRE(detail);
  REQUIRE(detail->evidence.size() == 1);
  CHECK(detail->evidence[0].dataset == "gdelt2");
  CHECK(detail->evidence[0].event_id == "1256322774");
  CHECK(detail->evidence[0].source.url.starts_with("https://www.mankatofreepress.com/"));
  CHECK(detail->evidence[0].attributes.find("\"num_mentions\":6") != std::string::npos);

  auto again = import(*e, fixture("gdelt2.tsv"), engine::ImportFormat::gdelt2);
  REQUIRE(again.summary);
  CHECK(again.summary->inserted == 0);
  CHECK(again.summary->duplicates == 5);
  CHECK(again.summary->actors_created == 0);
  CHECK(e->status().triples == before.triples + 4);

  // Reopening sees the same graph.
  e.reset();
  auto e2 = open_engine(db.str());
  CHECK(e2->status().triples == before.triples + 4);
}

TEST_CASE("a one-a-day import folds the events of one subject, relation, object and day into one triple", "[import]") {
  test::TempPath db;
  auto e = open_engine(db.str());
  auto r = import(*e, fixture("gdelt2.tsv"), engine::ImportFormat::gdelt2, false, true);
  REQUIRE(r.summary);
  CHECK(r.summary->inserted == 3);
  CHECK(r.summary->merged == 1);
  auto isr = triples_of(*e, "ISR");
  REQUIRE(isr.size() == 1);
  CHECK(isr[0].evidence_count == 2);
  auto detail = e->triple(isr[0].id, 10);
  REQUIRE(detail);
  CHECK(detail->evidence.size() == 2);
}

TEST_CASE("a strict dataset import with a bad row writes nothing", "[import]") {
  test::TempPath db;
  auto e = open_engine(db.str());
  const auto before = e->status();
  auto r = import(*e, fixture("gdelt2.tsv"), engine::ImportFormat::gdelt2, true);
  REQUIRE_FALSE(r.summary);
  CHECK(r.summary.error().code == core::ErrorCode::unprocessable);
  CHECK(r.summary.error().items.size() == 2);
  CHECK(r.rejected.size() == 2);
  CHECK(e->status().triples == before.triples);
  CHECK(e->status().actors == before.actors);
  CHECK_FALSE(e->actor("USALEG-minnesota"));
}

TEST_CASE("ICEWS countries are found by name and sub-state actors keep their country", "[import]") {
  test::TempPath db;
  auto e = open_engine(db.str());
  auto r = import(*e, fixture("icews.tab"), engine::ImportFormat::icews);
  REQUIRE(r.summary);
  CHECK(r.summary->inserted == 3);
  CHECK(r.summary->rejected == 1);
  REQUIRE(r.rejected.size() == 1);
  CHECK(r.rejected[0].line == 5);
  CHECK(r.rejected[0].column == "CAMEO Code");
  auto fa = e->actor("foreign-affairs-bangladesh");
  REQUIRE(fa);
  CHECK(fa->actor.country == "BGD");
  auto citizen = triples_of(*e, "citizen-japan");
  REQUIRE(citizen.size() == 1);
  CHECK(e->relations().at(citizen[0].relation).code == "014");
}

TEST_CASE("PLOVER types map to the CAMEO root they come from, with the type kept", "[import]") {
  test::TempPath db;
  auto e = open_engine(db.str());
  auto r = import(*e, fixture("plover.jsonl"), engine::ImportFormat::plover);
  REQUIRE(r.summary);
  CHECK(r.summary->rows == 4);
  CHECK(r.summary->inserted == 3);
  CHECK(r.summary->rejected == 2);  // an unknown type, a record without actors
  auto ukr = triples_of(*e, "UKR");
  REQUIRE(ukr.size() == 1);
  CHECK(e->relations().at(ukr[0].relation).root == "18");
  auto accuse = triples_of(*e, "ministry-of-foreign-affairs");
  REQUIRE(accuse.size() == 1);
  CHECK(e->relations().at(accuse[0].relation).plover == "ACCUSE");
  auto d = e->triple(accuse[0].id, 10);
  REQUIRE(d);
  CHECK(d->evidence[0].attributes.find("\"plover_type\":\"ACCUSE\"") != std::string::npos);

  auto arr = import(*e, fixture("plover-array.json"), engine::ImportFormat::plover);
  REQUIRE(arr.summary);
  CHECK(arr.summary->inserted == 2);
  CHECK(arr.summary->rejected == 0);
}

TEST_CASE("own CSV: bare assertions are counted, strict by choice, lenient keeps the good rows", "[import]") {
  test::TempPath db;
  auto e = open_engine(db.str());
  const std::string csv =
      "subject,relation,object,date,weight\n"
      "PRK,072,RUS,2023-09-13,0.9\n"
      "PRK,provide-military-aid,RUS,2023-09-13,0.5\n"
      "PRK,072,Atlantis,2023-09-14,1\n"
      "USA,\"111\",CHN,2023-02-30,1\n";
  auto strict = import(*e, csv, engine::ImportFormat::csv, true);
  REQUIRE_FALSE(strict.summary);
  CHECK(strict.rejected.size() == 2);
  CHECK(triples_of(*e, "PRK").empty());

  auto lenient = import(*e, csv, engine::ImportFormat::csv, false);
  REQUIRE(lenient.summary);
  CHECK(lenient.summary->inserted == 1);
  CHECK(lenient.summary->merged == 1);
  CHECK(lenient.summary->rejected == 2);
  auto prk = triples_of(*e, "PRK");
  REQUIRE(prk.size() == 1);
  CHECK(prk[0].evidence_count == 2);
  CHECK(prk[0].confidence == Approx(0.9));
  CHECK(e->status().evidence == 2);
  std::size_t lines = 0;
  REQUIRE(e->export_triples({}, [&](const core::TripleRecord&, const core::EvidenceRecord&) { ++lines; }));
  CHECK(lines == 2);  // both assertions, although neither stored an evidence row
}

TEST_CASE("a bulk CSV load folds repeated keys, near or thousands of rows apart, and stores the tallies", "[import]") {
  test::TempPath db;
  // 10,000 distinct keys (one a day from 2000-01-01), with three repeats: key 0 on the next line
  // (its first row is still waiting to be written), key 5 twice after thousands of rows.
  std::string csv = "subject,relation,object,date,weight\n";
  const auto row = [&](int k, const char* weight) {
    const auto d = core::Date::from_days(core::Date::from_ymd(2000, 1, 1).value().days() + k);
    csv += "PRK,072,RUS," + d.to_string() + "," + weight + "\n";
  };
  row(0, "0.5");
  row(0, "0.75");
  for (int k = 1; k < 10000; ++k) row(k, "0.5");
  row(5, "0.25");
  row(5, "0.875");
  {
    auto e = open_engine(db.str());
    auto r = import(*e, csv, engine::ImportFormat::csv, true);
    REQUIRE(r.summary);
    CHECK(r.summary->rows == 10003);
    CHECK(r.summary->inserted == 10000);
    CHECK(r.summary->merged == 3);
  }
  // Reopened: what SQLite holds, read back into the graph.
  auto e = open_engine(db.str());
  CHECK(e->status().triples == 10000);
  engine::TripleListQuery q;
  q.actor = "PRK";
  q.filter.since = core::Date::from_ymd(2000, 1, 1).value();
  q.filter.until = core::Date::from_ymd(2000, 1, 6).value();
  q.limit = 10;
  auto page = e->list_triples(q);
  REQUIRE(page);
  REQUIRE(page->items.size() == 6);
  std::map<std::string, std::pair<std::uint32_t, float>> tally;
  for (const auto& t : page->items) tally[t.date.to_string()] = {t.evidence_count, t.confidence};
  CHECK(tally["2000-01-01"] == std::pair<std::uint32_t, float>(2, 0.75f));
  CHECK(tally["2000-01-02"] == std::pair<std::uint32_t, float>(1, 0.5f));
  CHECK(tally["2000-01-06"] == std::pair<std::uint32_t, float>(3, 0.875f));
  // The ids are dense: folded rows leave no gap.
  std::int64_t max_id = 0;
  REQUIRE(e->export_triples({}, [&](const core::TripleRecord& t, const core::EvidenceRecord&) {
    max_id = std::max(max_id, core::value(t.id));
  }));
  CHECK(max_id == 10000);
}
