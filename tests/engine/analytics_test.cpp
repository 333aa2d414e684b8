#include "engine/engine.hpp"

#include "engine/actor_directory.hpp"
#include "tests/test_support.hpp"

#include <set>

using namespace geokg;
using engine::Engine;

namespace {

std::unique_ptr<Engine> scenario() {
  engine::Options o;
  o.db_path = ":memory:";
  auto e = Engine::open(o);
  REQUIRE(e);
  std::vector<engine::TripleSpec> rows;
  const auto add = [&](std::string s, std::string r, std::string obj, std::string d) {
    engine::TripleSpec t;
    t.subject = std::move(s);
    t.relation = std::move(r);
    t.object = std::move(obj);
    t.date = std::move(d);
    rows.push_back(std::move(t));
  };
  add("PRK", "072", "RUS", "2023-09-13");
  add("PRK", "072", "RUS", "2023-10-13");
  add("kim-jong-un", "036", "vladimir-putin", "2023-09-12");
  add("RUS", "190", "UKR", "2023-10-01");
  add("RUS", "190", "UKR", "2023-10-02");
  add("RUS", "190", "UKR", "2023-10-03");
  add("USA", "111", "PRK", "2023-11-09");
  add("antony-blinken", "020", "CHN", "2023-11-09");
  add("yoon-suk-yeol", "040", "antony-blinken", "2023-12-01");
  add("CHN", "042", "USA", "2024-01-15");
  add("USA", "070", "UKR", "2024-02-01");
  REQUIRE((*e)->add_triples(rows, false));
  return std::move(*e);
}

std::vector<std::string> ids(const engine::View& v, const std::vector<core::ActorIdx>& xs) {
  std::vector<std::string> out;
  for (auto x : xs) out.push_back(v.actors->get(x)->id);
  return out;
}

}  // namespace

TEST_CASE("paths resolve aliases, exclude hubs and fold people into countries", "[engine]") {
  auto e = scenario();
  engine::PathsQuery q;
  q.source = "North Korea";
  q.target = "Ukraine";
  auto r = e->paths(q);
  REQUIRE(r);
  REQUIRE(r->paths.size() == 2);
  CHECK(ids(r->view, r->paths[0].actors) == std::vector<std::string>{"PRK", "RUS", "UKR"});
  CHECK(r->paths[0].support == 5);
  CHECK(ids(r->view, r->paths[1].actors) == std::vector<std::string>{"PRK", "USA", "UKR"});
  q.exclude = {"Russia"};
  r = e->paths(q);
  REQUIRE(r);
  REQUIRE(r->paths.size() == 1);
  CHECK(ids(r->view, r->paths[0].actors) == std::vector<std::string>{"PRK", "USA", "UKR"});

  // Kim -> Putin counts as PRK -> RUS only with rollup.
  q.exclude.clear();
  q.source = "kim-jong-un";
  q.target = "UKR";
  r = e->paths(q);
  REQUIRE(r);
  CHECK(r->paths.empty());
  q.filter.rollup = true;
  r = e->paths(q);
  REQUIRE(r);
  REQUIRE(r->paths.size() == 2);
  CHECK(r->view.actors->get(r->source)->id == "PRK");
  CHECK(r->paths[0].support == 6);
  // KOR reaches CHN through Blinken, who counts as USA.
  q.source = "KOR";
  q.target = "CHN";
  r = e->paths(q);
  REQUIRE(r);
  REQUIRE_FALSE(r->paths.empty());
  CHECK(ids(r->view, r->paths[0].actors) == std::vector<std::string>{"KOR", "USA", "CHN"});
}

TEST_CASE("path queries report bad parameters and unknown actors by name", "[engine]") {
  auto e = scenario();
  engine::PathsQuery q;
  q.source = "PRK";
  q.target = "Atlantis";
  auto r = e->paths(q);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == core::ErrorCode::not_found);
  CHECK(r.error().parameter == "target");
  q.target = "DPRK";
  r = e->paths(q);
  CHECK(r.error().code == core::ErrorCode::invalid_argument);
  CHECK(r.error().parameter == "target");
  q.target = "UKR";
  q.exclude = {"UKR"};
  CHECK(e->paths(q).error().parameter == "exclude");
  q.exclude = {"nowhere"};
  CHECK(e->paths(q).error().code == core::ErrorCode::not_found);
  q.exclude.clear();
  q.max_hops = 7;
  CHECK(e->paths(q).error().parameter == "max_hops");
  q.max_hops = 3;
  q.k = 0;
  CHECK(e->paths(q).error().parameter == "k");
  q.k = 3;
  q.filter.min_count = 0;
  CHECK(e->paths(q).error().parameter == "min_count");
  q.filter.min_count = 1;
  q.filter.filter.relations = {"nope"};
  CHECK(e->paths(q).error().parameter == "relation");
  // Persons of one country are one node under rollup.
  q.filter.filter.relations.clear();
  q.filter.rollup = true;
  q.source = "USA";
  q.target = "antony-blinken";
  CHECK(e->paths(q).error().parameter == "target");
}

TEST_CASE("subgraphs, timelines and partners answer with the same view", "[engine]") {
  auto e = scenario();
  engine::SubgraphQuery sq;
  sq.seeds = {"RUS"};
  auto sg = e->subgraph(sq);
  REQUIRE(sg);
  CHECK(ids(sg->view, {sg->ego.nodes[0].actor}) == std::vector<std::string>{"RUS"});
  CHECK(sg->ego.total_nodes == 3);  // RUS, UKR, PRK
  sq.hops = 4;
  CHECK(e->subgraph(sq).error().parameter == "hops");
  sq.hops = 1;
  sq.seeds = {"RUS", "UKR"};
  sq.max_nodes = 1;
  CHECK(e->subgraph(sq).error().parameter == "max_nodes");
  sq.seeds = {"Mordor"};
  CHECK(e->subgraph(sq).error().code == core::ErrorCode::not_found);

  engine::DyadTimelineQuery tq;
  tq.a = "United States";
  tq.b = "China";
  tq.bucket = graph::Bucket::year;
  auto t = e->dyad_timeline(tq);
  REQUIRE(t);
  REQUIRE(t->timeline.buckets.size() == 1);
  CHECK(t->timeline.buckets[0].start.to_string() == "2024-01-01");
  tq.filter.rollup = true;  // Blinken's appeal to China in 2023 counts as USA's
  t = e->dyad_timeline(tq);
  REQUIRE(t);
  REQUIRE(t->timeline.buckets.size() == 2);
  CHECK(t->timeline.buckets[0].count == 1);
  tq.bucket = graph::Bucket::day;
  tq.filter.filter.since = core::Date::parse("1990-01-01").value();
  CHECK(e->dyad_timeline(tq).error().parameter == "bucket");
  tq.b = "USA";
  CHECK(e->dyad_timeline(tq).error().parameter == "b");

  engine::PartnersQuery pq;
  pq.actor = "USA";
  auto p = e->partners(pq);
  REQUIRE(p);
  CHECK(p->total == 3);
  pq.filter.rollup = true;
  p = e->partners(pq);
  REQUIRE(p);
  CHECK(p->total == 4);  // KOR through Yoon and Blinken
  pq.limit = 1;
  p = e->partners(pq);
  REQUIRE(p);
  CHECK(p->items.size() == 1);
  CHECK(p->more);
  CHECK(p->view.actors->get(p->items[0].actor)->id == "CHN");  // two triples with Blinken's
}

TEST_CASE("centrality ranks nodes of one type with shared ranks for ties", "[engine]") {
  auto e = scenario();
  engine::CentralityRequest q;
  auto r = e->centrality(q);
  REQUIRE(r);
  REQUIRE_FALSE(r->items.empty());
  CHECK(r->view.actors->get(r->items[0].actor)->id == "USA");  // PRK, CHN, UKR
  CHECK(r->items[0].rank == 1);
  for (std::size_t i = 1; i < r->items.size(); ++i) {
    if (r->items[i].score == r->items[i - 1].score)
      CHECK(r->items[i].rank == r->items[i - 1].rank);
    else
      CHECK(r->items[i].rank == i + 1);
  }
  q.type = core::ActorType::person;
  r = e->centrality(q);
  REQUIRE(r);
  CHECK(r->ranked == 4);
  for (const auto& it : r->items) CHECK(r->view.actors->get(it.actor)->type == core::ActorType::person);
  q.type.reset();
  q.filter.rollup = true;
  r = e->centrality(q);
  REQUIRE(r);
  for (const auto& it : r->items) CHECK(r->view.actors->get(it.actor)->type == core::ActorType::country);
  q.damping = 1.5;
  CHECK(e->centrality(q).error().parameter == "damping");
}

TEST_CASE("communities and exports resolve their filters", "[engine]") {
  auto e = scenario();
  engine::CommunitiesRequest q;
  q.algorithm = graph::CommunityAlgorithm::components;
  auto r = e->communities(q);
  REQUIRE(r);
  CHECK(r->result.nodes == 9);  // 5 countries and 4 people
  q.resolution = 0;
  q.algorithm = graph::CommunityAlgorithm::louvain;
  CHECK(e->communities(q).error().parameter == "resolution");
  engine::GraphFilterSpec f;
  f.filter.roots = {"19"};
  auto plan = e->export_plan(f);
  REQUIRE(plan);
  std::size_t n = 0;
  graph::scan_triples(plan->view.graph, plan->filter, 0, 100, [&](const core::TripleRecord&) { ++n; });
  CHECK(n == 3);
  f.filter.roots = {"99"};
  CHECK(e->export_plan(f).error().parameter == "root");
}
