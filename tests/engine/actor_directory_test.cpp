#include "engine/actor_directory.hpp"

#include "tests/test_support.hpp"

using namespace geokg;
using engine::ActorDirectory;

namespace {
core::Actor actor(std::string id, std::string name, core::ActorType t, std::vector<std::string> aliases) {
  core::Actor a;
  a.id = std::move(id);
  a.name = std::move(name);
  a.type = t;
  a.aliases = std::move(aliases);
  return a;
}

std::shared_ptr<const ActorDirectory> sample() {
  return ActorDirectory().with({
      {static_cast<core::ActorIdx>(1), actor("PRK", "North Korea", core::ActorType::country, {"DPRK", "Pyongyang"})},
      {static_cast<core::ActorIdx>(2), actor("KOR", "South Korea", core::ActorType::country, {"ROK", "Seoul"})},
      {static_cast<core::ActorIdx>(3), actor("USA", "United States", core::ActorType::country, {"U.S.", "America"})},
      {static_cast<core::ActorIdx>(5), actor("korea-herald", "Korea Herald", core::ActorType::organization, {})},
  });
}
}  // namespace

TEST_CASE("lookup finds actors by id, name and alias, ignoring case and punctuation", "[engine]") {
  auto d = sample();
  CHECK(d->size() == 4);
  CHECK(d->limit() == 6);
  for (const char* text : {"PRK", "dprk", "D.P.R.K.", "north korea", "Pyongyang", "the Pyongyang"}) {
    INFO(text);
    auto m = d->lookup(text);
    REQUIRE(m.size() == 1);
    CHECK(core::value(m[0].idx) == 1);
  }
  CHECK(core::value(d->lookup("US")[0].idx) == 3);
  CHECK(d->lookup("Korea").empty());  // a prefix is not an exact match
  CHECK_FALSE(d->by_id("prk"));       // ids are exact
}

TEST_CASE("search ranks exact matches before prefixes and countries before others", "[engine]") {
  auto d = sample();
  auto m = d->search("kor", 10);
  REQUIRE(m.size() == 3);
  CHECK(d->get(m[0].idx)->id == "KOR");  // a country, matched by its id
  CHECK(d->get(m[1].idx)->id == "korea-herald");
  CHECK(d->get(m[2].idx)->id == "PRK");  // by a word inside "North Korea"
  CHECK(d->search("kor", 1).size() == 1);
}

TEST_CASE("with() returns a new directory and leaves the old one unchanged", "[engine]") {
  auto d = sample();
  auto e = d->with({{static_cast<core::ActorIdx>(1),
                     actor("PRK", "North Korea", core::ActorType::country, {"DPRK", "Hermit Kingdom"})}});
  CHECK(d->lookup("Hermit Kingdom").empty());
  CHECK(e->lookup("Hermit Kingdom").size() == 1);
  CHECK(e->lookup("Pyongyang").empty());
  CHECK(d->lookup("Pyongyang").size() == 1);
  std::vector<std::string> ids;
  for (auto idx : e->ordered_by_id()) ids.push_back(e->get(idx)->id);
  CHECK(ids == std::vector<std::string>{"KOR", "PRK", "USA", "korea-herald"});
}

TEST_CASE("search also finds names by a word inside them, after whole-name prefixes", "[engine]") {
  auto d = sample();
  auto m = d->search("korea", 10);
  std::vector<std::string> ids;
  for (const auto& x : m) ids.push_back(d->get(x.idx)->id);
  CHECK(ids == std::vector<std::string>{"korea-herald", "KOR", "PRK"});
  CHECK_FALSE(m[0].exact);
  CHECK(d->lookup("korea").empty());
}
