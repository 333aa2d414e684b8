#include "tests/test_support.hpp"

#include "extract/coder.hpp"

#include <algorithm>

namespace {

using geokg::extract::Coder;
using geokg::extract::Dictionaries;
using geokg::extract::DictionaryFormat;
using geokg::extract::DictionarySource;
using geokg::extract::DictionaryTexts;

geokg::core::Date day(std::string_view s) { return geokg::core::Date::parse(s).value(); }

// A tiny world: two fictional countries and one person, in the project's TSV format.
constexpr std::string_view countries =
    "# id\tname\ttype\tcountry\taliases\tadjectives\n"
    "ARN\tArnor\tcountry\tARN\tFornost\tArnorian\n"
    "GON\tGondor\tcountry\tGON\tMinas Tirith\tGondorian\n";
constexpr std::string_view people =
    "aragorn\tAragorn\tperson\tARN\tStrider|Elessar\tARN/monarch/3019-03-25/|GON/monarch/3019-05-01/\n";

}  // namespace

TEST_CASE("the embedded dictionaries load and cover every CAMEO root", "[extract]") {
  auto d = Dictionaries::load();
  REQUIRE(d);
  CHECK((*d)->actor_count() > 300);
  CHECK((*d)->pattern_count() > 400);
  CHECK((*d)->coded_relation_count() >= 150);
}

TEST_CASE("inline dictionaries replace the embedded actor files", "[extract]") {
  DictionaryTexts t;
  t.countries = countries;
  t.igos = "";
  t.groups = "";
  t.people = people;
  t.extra_people = "";
  auto d = Dictionaries::load(t);
  REQUIRE(d);
  const Coder coder(*d);
  const auto ev = coder.code("Arnor attacked Gondor on Monday.", day("3020-01-09"));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].subject.id == "ARN");
  CHECK(ev[0].object->id == "GON");
  CHECK(ev[0].relation_code == "190");
}

TEST_CASE("a malformed dictionary line is an invalid_argument error with its line number", "[extract]") {
  DictionaryTexts t;
  t.countries = "ARN\tArnor\tcountry\n";
  auto d = Dictionaries::load(t);
  REQUIRE_FALSE(d);
  CHECK(d.error().code == geokg::core::ErrorCode::invalid_argument);
  CHECK(d.error().detail.find("countries.tsv:1") != std::string::npos);

  DictionaryTexts v;
  v.verbs = "== attack = 999\n";
  auto e = Dictionaries::load(v);
  REQUIRE_FALSE(e);
  CHECK(e.error().detail.find("unknown CAMEO code 999") != std::string::npos);
}

TEST_CASE("PETRARCH/TABARI actor dictionaries are imported with synonyms, agents and date restrictions", "[extract]") {
  const std::string petrarch =
      "# a comment\n"
      "DAGOLATH_  [DAG]\n"
      "+DAGOLATHI\n"
      "OSGILIATH [OSG] ; a TABARI comment\n"
      "GOLLUM\n"
      "+SMEAGOL\n"
      "\t[HOB < 950601]\n"
      "\t[HOBREB > 950601]\n"
      "SOLDIERS_  [~MIL]\n";
  CHECK(geokg::extract::detect_format(petrarch) == DictionaryFormat::petrarch);
  const DictionarySource src{"test.actors", petrarch, DictionaryFormat::autodetect};
  auto d = Dictionaries::load(std::span(&src, 1));
  REQUIRE(d);
  const Coder coder(*d);
  auto ev = coder.code("Dagolath accused Osgiliath of aggression.", day("1995-01-02"));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].subject.id == "DAG");
  CHECK(ev[0].object->id == "OSG");
  CHECK(ev[0].relation_code == "1123");

  ev = coder.code("Smeagol attacked Dagolathi soldiers.", day("1994-01-02"));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].subject.id == "HOB");
  CHECK(ev[0].object->id == "DAG-MIL");
  CHECK(ev[0].object->country == "DAG");

  ev = coder.code("Smeagol attacked Osgiliath.", day("1996-01-02"));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].subject.id == "HOB-REB");
}

TEST_CASE("TABARI stems match longer words and multi-code phrases stand for every actor", "[extract]") {
  const std::string tabari =
      "GONDOR  [GON]\n"
      "THE_SHIRE  [FRO/BIL]\n"
      "MORDOR [MOR]\n";
  const DictionarySource src{"demo.actors", tabari, DictionaryFormat::petrarch};
  auto d = Dictionaries::load(std::span(&src, 1));
  REQUIRE(d);
  const Coder coder(*d);
  auto ev = coder.code("Gondorian troops attacked Mordor.", day("2001-01-01"));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].subject.id == "GON-MIL");
  CHECK(ev[0].object->id == "MOR");
  ev = coder.code("The Shire criticized Mordor.", day("2001-01-01"));
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].subject.id == "FRO");
  CHECK(ev[1].subject.id == "BIL");
}

TEST_CASE("user TSV dictionaries add persons with date-valid roles", "[extract]") {
  const DictionarySource src{"people.tsv", std::string(people), DictionaryFormat::autodetect};
  CHECK(geokg::extract::detect_format(src.content) == DictionaryFormat::tsv);
  DictionaryTexts t;
  t.countries = countries;
  auto d = Dictionaries::load(t, std::span(&src, 1));
  REQUIRE(d);
  const Coder coder(*d);
  auto ev = coder.code("Elessar praised Gondor.", day("3019-04-01"));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].subject.id == "aragorn");
  CHECK(ev[0].subject.country == "ARN");
  ev = coder.code("The Arnorian king thanked Gondor.", day("3019-04-01"));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].subject.id == "aragorn");
}

TEST_CASE("a user dictionary with no usable entry is an error, not an empty dictionary", "[extract]") {
  // Three tab-separated fields: neither a geokg TSV row (six) nor a PETRARCH entry.
  const DictionarySource src{"people.tsv", "zorblat-quux\tZorblat Quux\tperson\n", DictionaryFormat::autodetect};
  auto d = Dictionaries::load(std::span(&src, 1));
  REQUIRE_FALSE(d);
  CHECK(d.error().code == geokg::core::ErrorCode::invalid_argument);
  CHECK(d.error().detail.find("people.tsv: no dictionary entry found") != std::string::npos);
}
