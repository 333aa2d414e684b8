#include "tests/test_support.hpp"

#include "extract/dates.hpp"
#include "extract/dictionary_data.hpp"
#include "extract/document.hpp"

#include <string>
#include <vector>

namespace {

const geokg::extract::Dictionaries::Impl& dict() {
  static const auto d = geokg::extract::Dictionaries::load().value();
  return d->impl();
}

std::vector<std::string> sentences(std::string_view text) {
  std::vector<geokg::extract::Token> toks;
  std::vector<geokg::extract::SentenceSpan> spans;
  geokg::extract::segment(text, dict(), toks, spans);
  std::vector<std::string> out;
  for (const auto& s : spans)
    out.emplace_back(text.substr(toks[s.first].begin, toks[s.last - 1].end - toks[s.first].begin));
  return out;
}

std::vector<std::string> keys(std::string_view text) {
  std::vector<geokg::extract::RawToken> toks;
  geokg::extract::tokenize(text, 0, text.size(), dict().vocab, toks);
  std::vector<std::string> out;
  for (auto& t : toks) out.push_back(t.key.empty() ? std::string(1, t.punct) : t.key);
  return out;
}

}  // namespace

TEST_CASE("tokenizer splits possessives, negations and hyphens and folds typography", "[extract]") {
  CHECK(keys("Russia’s army didn’t cross") == std::vector<std::string>{"russia", "'s", "army", "did", "n't", "cross"});
  CHECK(keys("the United States' commitment") ==
        std::vector<std::string>{"the", "united", "states", "'s", "commitment"});
  CHECK(keys("U.S. officials met Gen. Smith") == std::vector<std::string>{"us", "officials", "met", "gen", "smith"});
  CHECK(keys("north Korea-Russia ties") == std::vector<std::string>{"north", "korea", "russia", "ties"});
  CHECK(keys("“irresponsible” — said") == std::vector<std::string>{"\"", "irresponsible", "\"", "-", "said"});
  CHECK(keys("1,000 troops") == std::vector<std::string>{"1000", "troops"});
}

TEST_CASE("sentences end at periods but not after abbreviations", "[extract]") {
  const auto s = sentences("Mr. Kim met Gen. Park on Sept. 5 in the U.S. capital. He left. No. 1 is here.");
  REQUIRE(s.size() == 3);
  CHECK(s[0] == "Mr. Kim met Gen. Park on Sept. 5 in the U.S. capital.");
  CHECK(s[1] == "He left.");
}

TEST_CASE("an abbreviation ends a sentence before a capitalised function word", "[extract]") {
  const auto s = sentences("Seoul wants support from the U.S. The talks ended.");
  REQUIRE(s.size() == 2);
  CHECK(s[1] == "The talks ended.");
}

TEST_CASE("a headline without a period is a sentence of its own", "[extract]") {
  const auto s = sentences("Blinken warns of ties\n\nIn a recent development, he spoke.\n");
  REQUIRE(s.size() == 2);
  CHECK(s[0] == "Blinken warns of ties");
}

TEST_CASE("a closing quote stays with its sentence", "[extract]") {
  const auto s = sentences("He said, “We will act.” Then he left.");
  REQUIRE(s.size() == 2);
  CHECK(s[0] == "He said, “We will act.”");
}

TEST_CASE("wrapped lines inside a paragraph do not end sentences", "[extract]") {
  const auto s = sentences(
      "Arnor is about to restore full diplomatic ties with Gondor almost\nfive years after crowds trashed its "
      "embassy.");
  CHECK(s.size() == 1);
}

TEST_CASE("boilerplate lines are dropped", "[extract]") {
  const auto& b = dict().boilerplate;
  CHECK(geokg::extract::is_boilerplate("Leave a Reply", b));
  CHECK(geokg::extract::is_boilerplate("About Author", b));
  CHECK(geokg::extract::is_boilerplate("0 160", b));
  CHECK(geokg::extract::is_boilerplate("Share on Facebook", b));
  CHECK(geokg::extract::is_boilerplate("By John Smith and Jane Doe", b));
  CHECK_FALSE(geokg::extract::is_boilerplate("By Thursday, Russia had attacked Ukraine.", b));
  CHECK_FALSE(geokg::extract::is_boilerplate("Russia attacked Ukraine", b));
  const auto s = sentences("Russia attacked Ukraine.\n\nLeave a Reply\n\nShare\n");
  CHECK(s.size() == 1);
}

TEST_CASE("relative dates resolve against the publication date", "[extract]") {
  using geokg::core::Date;
  const auto pub = Date::parse("2023-11-09").value();  // a Thursday
  const auto date_of = [&](std::string_view text) {
    std::vector<geokg::extract::Token> toks;
    geokg::extract::tokenize(text, 0, text.size(), dict().vocab, toks);
    std::vector<geokg::extract::DateMention> out;
    geokg::extract::find_dates(toks, text, dict().vocab, pub, out);
    REQUIRE(out.size() == 1);
    return out[0].date.to_string();
  };
  CHECK(date_of("on Thursday") == "2023-11-09");
  CHECK(date_of("on Monday") == "2023-11-06");
  CHECK(date_of("last Thursday") == "2023-11-02");
  CHECK(date_of("yesterday") == "2023-11-08");
  CHECK(date_of("last week") == "2023-11-02");
  CHECK(date_of("in September") == "2023-09-01");
  CHECK(date_of("in December") == "2022-12-01");
  CHECK(date_of("on Sept. 5") == "2023-09-05");
  CHECK(date_of("on 5 September 2021") == "2021-09-05");
  CHECK(date_of("three days ago") == "2023-11-06");
  CHECK(date_of("last month") == "2023-10-01");
}

TEST_CASE("text without sentence ends is cut into bounded pieces", "[extract]") {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "Russia attacked Ukraine , ";
  const auto s = sentences(text);
  CHECK(s.size() > 10);
  for (const auto& x : s) CHECK(x.size() < 1200);
}
