#include "engine/engine.hpp"

#include "engine/actor_directory.hpp"
#include "tests/temp_path.hpp"
#include "tests/test_support.hpp"

#include <set>

using namespace geokg;
using engine::Engine;
using engine::TripleSpec;

namespace {

std::unique_ptr<Engine> open_engine(const std::string& path = ":memory:") {
  engine::Options o;
  o.db_path = path;
  auto e = Engine::open(o);
  REQUIRE(e);
  return std::move(*e);
}

TripleSpec spec(std::string s, std::string r, std::optional<std::string> o, std::string d, std::string text = "") {
  TripleSpec t;
  t.subject = std::move(s);
  t.relation = std::move(r);
  t.object = std::move(o);
  t.date = std::move(d);
  t.evidence_text = std::move(text);
  return t;
}

std::size_t count_triples(const Engine& e, engine::TripleListQuery q) {
  q.limit = 1000;
  auto page = e.list_triples(q);
  REQUIRE(page);
  return page->items.size();
}

}  // namespace

TEST_CASE("a new database starts with the reference data and no triples", "[engine]") {
  auto e = open_engine();
  const auto s = e->status();
  CHECK(s.triples == 0);
  CHECK(s.actors >= 250);
  CHECK(e->relations().size() >= 300);
  REQUIRE(e->relations().find("072"));
  CHECK(e->relations().at(*e->relations().find("072")).slug == "provide-military-aid");
  auto dprk = e->actor("DPRK");
  REQUIRE(dprk);
  CHECK(dprk->actor.id == "PRK");
  CHECK(dprk->resolved_from == "DPRK");
  CHECK(e->actor("PRK")->resolved_from.empty());
  CHECK(e->actor("NATO")->actor.type == core::ActorType::igo);
  CHECK(e->actor("nowhere-land").error().code == core::ErrorCode::not_found);
}

TEST_CASE("the same triple asserted twice is one triple with two evidence records", "[engine]") {
  auto e = open_engine();
  auto r = e->add_triples({spec("PRK", "072", "RUS", "2023-09-13", "one"),
                           spec("Pyongyang", "provide-military-aid", "the Kremlin", "2023-09-13", "two"),
                           spec("PRK", "072", "RUS", "2023-09-14", "three")},
                          false);
  REQUIRE(r);
  CHECK(r->inserted == 2);
  CHECK(r->merged == 1);
  REQUIRE(r->ids.size() == 3);
  CHECK(r->ids[0] == r->ids[1]);
  CHECK(r->ids[0] != r->ids[2]);
  auto d = e->triple(r->ids[0], 100);
  REQUIRE(d);
  CHECK(d->triple.evidence_count == 2);
  REQUIRE(d->evidence.size() == 2);
  CHECK(d->evidence[0].text == "one");
  CHECK(d->evidence[1].text == "two");
  CHECK(e->status().triples == 2);
  CHECK(e->status().evidence == 3);
}

TEST_CASE("one bad row rejects the whole batch and names every bad row", "[engine]") {
  auto e = open_engine();
  auto r = e->add_triples({spec("PRK", "072", "RUS", "2023-09-13"), spec("Atlantis", "072", "RUS", "2023-09-13"),
                           spec("PRK", "999", "RUS", "2023-02-30"), spec("PRK", "072", std::nullopt, "2023-09-13")},
                          false);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == core::ErrorCode::unprocessable);
  std::set<std::int64_t> rows;
  for (const auto& item : r.error().items) rows.insert(item.index);
  CHECK(rows == std::set<std::int64_t>{1, 2});
  CHECK(r.error().items.size() == 3);  // unknown actor; unknown relation and impossible date
  CHECK(e->status().triples == 0);
  CHECK(e->status().evidence == 0);
}

TEST_CASE("unknown actors are created only when the request says so", "[engine]") {
  auto e = open_engine();
  auto r = e->add_triples({spec("Ewha University", "010", "KOR", "2023-11-09"),
                           spec("ewha university", "010", "USA", "2023-11-09")},
                          true);
  REQUIRE(r);
  REQUIRE(r->created_actors.size() == 1);
  CHECK(r->created_actors[0] == "ewha-university");
  auto a = e->actor("Ewha University");
  REQUIRE(a);
  CHECK(a->actor.type == core::ActorType::other);
  engine::TripleListQuery q;
  q.actor = "ewha-university";
  CHECK(count_triples(*e, q) == 2);
}

TEST_CASE("a retracted triple leaves every query and comes back when asserted again", "[engine]") {
  auto e = open_engine();
  auto r = e->add_triples({spec("PRK", "072", "RUS", "2023-09-13")}, false);
  REQUIRE(r);
  const auto id = r->ids[0];
  REQUIRE(e->retract_triple(id, "misread article"));
  engine::TripleListQuery q;
  q.actor = "PRK";
  CHECK(count_triples(*e, q) == 0);
  engine::RelationsQuery rq;
  rq.actor = "PRK";
  CHECK(e->actor_relations(rq)->items.empty());
  CHECK(e->status().triples == 0);
  q.filter.include_retracted = true;
  CHECK(count_triples(*e, q) == 1);
  auto d = e->triple(id, 10);
  REQUIRE(d);
  CHECK(d->triple.retracted);
  REQUIRE(d->retraction);
  CHECK(d->retraction->reason == "misread article");
  CHECK(e->retract_triple(static_cast<core::TripleId>(999), "").error().code == core::ErrorCode::not_found);

  auto again = e->add_triples({spec("PRK", "072", "RUS", "2023-09-13")}, false);
  REQUIRE(again);
  CHECK(again->ids[0] == id);
  CHECK(again->merged == 1);
  CHECK_FALSE(e->triple(id, 10)->triple.retracted);
  q.filter.include_retracted = false;
  CHECK(count_triples(*e, q) == 1);
}

TEST_CASE("filters resolve codes, slugs, roots and quad classes", "[engine]") {
  auto e = open_engine();
  REQUIRE(e->add_triples({spec("PRK", "072", "RUS", "2023-09-13"), spec("USA", "111", "PRK", "2023-09-14"),
                          spec("USA", "163", "PRK", "2023-10-01"), spec("KOR", "0233", "UKR", "2023-06-01")},
                         false));
  engine::TripleListQuery q;
  q.filter.relations = {"criticize-or-denounce"};
  CHECK(count_triples(*e, q) == 1);
  q.filter.relations.clear();
  q.filter.roots = {"07", "02"};
  CHECK(count_triples(*e, q) == 2);
  q.filter.roots.clear();
  q.filter.quad_classes = {3, 4};
  CHECK(count_triples(*e, q) == 2);
  q.filter.quad_classes = {1};
  CHECK(count_triples(*e, q) == 1);
  q.filter.quad_classes.clear();
  q.filter.since = core::Date::parse("2023-09-14").value();
  q.filter.until = core::Date::parse("2023-09-30").value();
  CHECK(count_triples(*e, q) == 1);
  q.filter = {};
  q.filter.relations = {"not-a-relation"};
  auto bad = e->list_triples(q);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().parameter == "relation");
  q.filter = {};
  q.subject = "Atlantis";
  CHECK(e->list_triples(q).error().parameter == "subject");
}

TEST_CASE("actor relations aggregate per neighbour, relation and direction", "[engine]") {
  auto e = open_engine();
  REQUIRE(e->add_triples({spec("PRK", "072", "RUS", "2023-09-13"), spec("PRK", "072", "RUS", "2023-10-13"),
                          spec("RUS", "042", "PRK", "2023-07-26"), spec("USA", "111", "PRK", "2023-09-14")},
                         false));
  engine::RelationsQuery q;
  q.actor = "North Korea";
  auto page = e->actor_relations(q);
  REQUIRE(page);
  CHECK(page->actor.id == "PRK");
  REQUIRE(page->items.size() == 3);
  CHECK(page->items[0].count == 2);
  CHECK(page->items[0].first_date.to_string() == "2023-09-13");
  CHECK(page->items[0].last_date.to_string() == "2023-10-13");
  CHECK(page->items[0].goldstein_total == Approx(16.6));
  q.direction = graph::Direction::in;
  CHECK(e->actor_relations(q)->items.size() == 2);
  q.limit = 1;
  q.offset = 1;
  page = e->actor_relations(q);
  CHECK(page->items.size() == 1);
  CHECK_FALSE(page->more);
}

TEST_CASE("actors can be created and corrected", "[engine]") {
  auto e = open_engine();
  engine::ActorSpec s;
  s.id = "test-envoy";
  s.name = "Pak Test Envoy";
  s.type = "person";
  s.country = "PRK";
  s.aliases = {"Pak Test-Envoy"};
  auto a = e->create_actor(s);
  REQUIRE(a);
  CHECK(e->actor("pak test-envoy")->actor.id == "test-envoy");
  CHECK(e->create_actor(s).error().code == core::ErrorCode::conflict);
  s.id = "x y";
  CHECK(e->create_actor(s).error().code == core::ErrorCode::unprocessable);
  s.id = "someone";
  s.country = "XXX";
  CHECK(e->create_actor(s).error().code == core::ErrorCode::unprocessable);

  engine::ActorPatch p;
  p.name = "Pak Test-envoy";
  p.add_aliases = {"Envoy Pak"};
  p.remove_aliases = {"Pak Test Envoy"};  // normalized, the same as the alias "Pak Test-Envoy"
  auto patched = e->patch_actor("test-envoy", p);
  REQUIRE(patched);
  CHECK(patched->actor.name == "Pak Test-envoy");
  CHECK(e->actor("Envoy Pak"));
  engine::ActorPatch bad;
  bad.remove_aliases = {"never had this"};
  CHECK(e->patch_actor("test-envoy", bad).error().code == core::ErrorCode::unprocessable);

  engine::ActorListQuery lq;
  lq.q = "pak";
  lq.type = core::ActorType::person;
  auto page = e->list_actors(lq);
  REQUIRE(page);
  REQUIRE_FALSE(page->items.empty());
  CHECK(std::any_of(page->items.begin(), page->items.end(), [](const core::Actor& x) { return x.id == "test-envoy"; }));
}

TEST_CASE("listing actors pages through every actor once, ordered by id", "[engine]") {
  auto e = open_engine();
  engine::ActorListQuery q;
  q.limit = 37;
  std::vector<std::string> ids;
  for (;;) {
    auto page = e->list_actors(q);
    REQUIRE(page);
    for (const auto& a : page->items) ids.push_back(a.id);
    if (!page->more) break;
    q.after_id = page->items.back().id;
  }
  CHECK(ids.size() == e->status().actors);
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
}

TEST_CASE("10,000 triples in one batch are queryable at once and survive a reopen", "[engine]") {
  test::TempPath db;
  std::vector<core::TripleId> ids;
  const char* actors[] = {"PRK", "RUS", "USA", "KOR", "CHN", "JPN", "UKR", "GBR", "FRA", "DEU"};
  {
    auto e = open_engine(db.str());
    std::vector<TripleSpec> rows;
    for (int i = 0; i < 10000; ++i) {
      const int day = 1 + i % 28;
      rows.push_back(spec(actors[i % 10], i % 2 ? "042" : "111", actors[(i / 10) % 10 == i % 10 ? (i + 1) % 10 : (i / 10) % 10],
                          "2023-0" + std::to_string(1 + i % 9) + "-" + (day < 10 ? "0" : "") + std::to_string(day),
                          "row " + std::to_string(i)));
    }
    auto r = e->add_triples(rows, false);
    REQUIRE(r);
    CHECK(r->inserted + r->merged == 10000);
    ids = r->ids;
    CHECK(e->status().evidence == 10000);
  }
  auto e = open_engine(db.str());
  CHECK(e->status().evidence == 10000);
  std::set<core::TripleId> distinct(ids.begin(), ids.end());
  CHECK(e->status().triples == distinct.size());
  engine::TripleListQuery q;
  q.actor = "PRK";
  q.limit = 1000;
  std::size_t walked = 0;
  for (;;) {
    auto page = e->list_triples(q);
    REQUIRE(page);
    walked += page->items.size();
    if (!page->more) break;
    q.after = graph::TriplePosition{page->items.back().date, page->items.back().id};
  }
  std::size_t expected = 0;
  const auto prk = e->actor("PRK")->idx;
  for (auto id : distinct) {
    auto t = e->view().graph.triple(id);
    REQUIRE(t);
    if (t->subject == prk || t->object == prk) ++expected;
  }
  CHECK(walked == expected);
  CHECK(walked > 0);
}
