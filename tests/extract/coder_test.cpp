#include "tests/test_support.hpp"

#include "extract/coder.hpp"
#include "extract/event_json.hpp"

#include <algorithm>
#include <thread>

namespace {

using geokg::core::Polarity;
using geokg::extract::Event;

const geokg::extract::Coder& coder() {
  static const geokg::extract::Coder c(geokg::extract::Dictionaries::load().value());
  return c;
}

const auto pub = geokg::core::Date::parse("2023-11-09").value();

std::vector<Event> code(std::string_view text) { return coder().code(text, pub); }

const Event* find(const std::vector<Event>& ev, std::string_view s, std::string_view o, std::string_view code_prefix) {
  for (const auto& e : ev) {
    const bool subj = e.subject.id == s || e.subject.country == s;
    const bool obj = o.empty() ? !e.object : (e.object && (e.object->id == o || e.object->country == o));
    if (subj && obj && e.relation_code.rfind(code_prefix, 0) == 0) return &e;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a person carries their country at the event date", "[extract]") {
  const auto ev = code("Antony Blinken criticized China.");
  const auto* e = find(ev, "antony-blinken", "CHN", "111");
  REQUIRE(e);
  CHECK(e->subject.country == "USA");
  CHECK(e->subject.type == geokg::core::ActorType::person);
  CHECK(e->subject.text == "Antony Blinken");
  // After his term the same name has no office: the country is his nationality still.
  const auto later = coder().code("Antony Blinken criticized China.", geokg::core::Date::parse("2026-01-01").value());
  REQUIRE(find(later, "antony-blinken", "CHN", "111"));
}

TEST_CASE("a title with a country names the office holder on that date", "[extract]") {
  auto ev = code("The South Korean president praised Japan.");
  REQUIRE(find(ev, "yoon-suk-yeol", "JPN", "051"));
  ev = coder().code("The South Korean president praised Japan.", geokg::core::Date::parse("2021-01-01").value());
  REQUIRE(find(ev, "KOR", "JPN", "051"));
  CHECK_FALSE(find(ev, "yoon-suk-yeol", "JPN", "051"));
}

TEST_CASE("sector agents become <ISO3>-<CODE> actors and state agents the country", "[extract]") {
  auto ev = code("The Russian military shelled Ukrainian positions.");
  const auto* e = find(ev, "RUS-MIL", "UKR", "194");
  REQUIRE(e);
  CHECK(e->subject.country == "RUS");
  CHECK(e->subject.type == geokg::core::ActorType::organization);
  ev = code("China's foreign ministry condemned Japan.");
  REQUIRE(find(ev, "CHN", "JPN", "111"));
}

TEST_CASE("passive voice swaps source and target", "[extract]") {
  const auto ev = code("Ukraine was attacked by Russia on Monday.");
  const auto* e = find(ev, "RUS", "UKR", "19");
  REQUIRE(e);
  CHECK(e->date.to_string() == "2023-11-06");
  CHECK(ev.size() == 1);
}

TEST_CASE("negation marks the polarity, refusals take their CAMEO code", "[extract]") {
  auto ev = code("Japan did not criticize China.");
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].polarity == Polarity::negated);
  ev = code("Iran refused to meet the United States.");
  REQUIRE(find(ev, "IRN", "USA", "125"));
}

TEST_CASE("a denial denies what it reports and codes the denial itself", "[extract]") {
  const auto ev = code("The Kremlin denied that North Korea supplied weapons to Russia.");
  const auto* supply = find(ev, "PRK", "RUS", "072");
  REQUIRE(supply);
  CHECK(supply->polarity == Polarity::denied);
  const auto* deny = find(ev, "RUS", "PRK", "016");
  REQUIRE(deny);
  CHECK(deny->polarity == Polarity::asserted);
}

TEST_CASE("a quoted claim is coded with the actors it names", "[extract]") {
  const auto ev = code("Blinken said, “We are witnessing the DPRK providing military equipment to Russia.”");
  REQUIRE(find(ev, "PRK", "RUS", "072"));
}

TEST_CASE("compound actors give one triple each, symmetric events go both ways", "[extract]") {
  auto ev = code("South Korea and Japan condemned North Korea.");
  CHECK(find(ev, "KOR", "PRK", "111"));
  CHECK(find(ev, "JPN", "PRK", "111"));
  ev = code("China and Russia held talks in Moscow.");
  CHECK(find(ev, "CHN", "RUS", "04"));
  CHECK(find(ev, "RUS", "CHN", "04"));
}

TEST_CASE("nominal events find their actors", "[extract]") {
  auto ev = code("Russia's invasion of Ukraine was condemned.");
  CHECK(find(ev, "RUS", "UKR", "192"));
  ev = code("Analysts discussed a summit between Kim Jong Un and Vladimir Putin.");
  CHECK(find(ev, "kim-jong-un", "vladimir-putin", "040"));
  CHECK(find(ev, "vladimir-putin", "kim-jong-un", "040"));
}

TEST_CASE("pronouns and 'the country' refer back", "[extract]") {
  const auto ev = code("Blinken visited South Korea. He praised the country for its assistance to Ukraine.");
  CHECK(find(ev, "antony-blinken", "KOR", "051"));
  CHECK(find(ev, "KOR", "UKR", "070"));
}

TEST_CASE("a place after 'in' is a location, not an actor", "[extract]") {
  const auto ev = code("During a press conference in Seoul, Blinken urged China to act.");
  REQUIRE(ev.size() == 1);
  CHECK(find(ev, "USA", "CHN", "020"));
}

TEST_CASE("evidence offsets count code points in the document", "[extract]") {
  const std::string text = "Héllo “world”.\n\nRussia attacked Ukraine.";
  const auto ev = coder().code(text, pub);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].sentence_index == 1);
  CHECK(ev[0].sentence == "Russia attacked Ukraine.");
  CHECK(ev[0].start == 16);
  CHECK(ev[0].end == 40);
}

TEST_CASE("an event encodes as the CLI's JSON line", "[extract]") {
  const auto ev = code("Japan criticized the United Nations.");
  REQUIRE(ev.size() == 1);
  const auto j = geokg::extract::to_json(ev[0], coder().dictionaries().relations(), {.doc_id = "d1"});
  CHECK(j["doc_id"] == "d1");
  CHECK(j["subject"]["id"] == "JPN");
  CHECK(j["subject"]["country"] == "JPN");
  CHECK(j["object"]["id"] == "UN");
  CHECK(j["object"]["country"].is_null());
  CHECK(j["relation"]["code"] == "111");
  CHECK(j["relation"]["slug"] == "criticize-or-denounce");
  CHECK(j["relation"]["root"] == "11");
  CHECK(j["polarity"] == "asserted");
  CHECK(j["date"] == "2023-11-09");
  CHECK(j["evidence"]["sentence_index"] == 0);
  CHECK(j["evidence"]["start"] == 0);
  CHECK_FALSE(j.contains("explain"));
}

TEST_CASE("one coder serves several threads", "[extract]") {
  const std::string text = "Russia attacked Ukraine. Japan praised South Korea. China met Russia.";
  const auto expected = code(text).size();
  std::vector<std::thread> threads;
  std::vector<std::size_t> counts(4);
  for (std::size_t i = 0; i < counts.size(); ++i)
    threads.emplace_back([&, i] {
      for (int k = 0; k < 50; ++k) counts[i] = code(text).size();
    });
  for (auto& t : threads) t.join();
  for (auto c : counts) CHECK(c == expected);
}
