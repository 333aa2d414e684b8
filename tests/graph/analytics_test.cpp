#include "graph/analytics.hpp"
#include "graph/louvain.hpp"
#include "graph/projection.hpp"

#include "tests/test_support.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>

using namespace geokg;
using core::ActorIdx;
using core::Date;
using graph::GraphFilter;
using graph::RelationGraph;

namespace {

ActorIdx A(std::uint32_t v) { return static_cast<ActorIdx>(v); }
core::RelationIdx R(std::uint16_t v) { return static_cast<core::RelationIdx>(v); }
std::uint32_t V(ActorIdx a) { return core::value(a); }

// Relation i: Goldstein i - 2, quad class 1 + i % 4.
std::vector<graph::RelationInfo> relation_infos(std::size_t n) {
  std::vector<graph::RelationInfo> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = {static_cast<double>(i) - 2.0, static_cast<std::uint8_t>(1 + i % 4)};
  return v;
}

// Builds snapshots from (subject, relation, object, day) rows; actors 1..n are countries unless given.
struct Builder {
  std::map<std::uint32_t, graph::ActorInfo> infos;
  std::vector<core::TripleRecord> rows;
  std::uint32_t actors = 0;

  explicit Builder(std::uint32_t n) : actors(n) {}
  Builder& person(std::uint32_t a, std::uint32_t country) {
    infos[a] = {core::ActorType::person, country};
    return *this;
  }
  Builder& add(std::uint32_t s, std::uint16_t rel, std::uint32_t o, std::int32_t day = 100, int times = 1,
               core::Polarity p = core::Polarity::asserted, float confidence = 1.0f) {
    for (int i = 0; i < times; ++i) {
      core::TripleRecord t;
      t.id = static_cast<core::TripleId>(static_cast<std::int64_t>(rows.size()) + 1);
      t.subject = A(s);
      if (o) t.object = A(o);
      t.relation = R(rel);
      t.date = Date::from_days(day);
      t.polarity = p;
      t.confidence = confidence;
      t.evidence_count = 1;
      rows.push_back(t);
    }
    return *this;
  }
  std::unique_ptr<RelationGraph> graph(std::size_t relations = 8) const {
    auto g = std::make_unique<RelationGraph>(relation_infos(relations));
    std::vector<std::pair<ActorIdx, graph::ActorInfo>> list;
    for (std::uint32_t a = 1; a <= actors; ++a) {
      auto it = infos.find(a);
      list.emplace_back(A(a), it != infos.end() ? it->second : graph::ActorInfo{core::ActorType::country, a});
    }
    g->load(list, rows);
    return g;
  }
};

std::vector<std::vector<std::uint32_t>> actor_lists(const std::vector<graph::Path>& paths) {
  std::vector<std::vector<std::uint32_t>> out;
  for (const auto& p : paths) {
    out.emplace_back();
    for (auto a : p.actors) out.back().push_back(V(a));
  }
  return out;
}

using Lists = std::vector<std::vector<std::uint32_t>>;

// Zachary's karate club, 0-indexed as in the literature.
const std::vector<std::pair<int, int>> karate = {
    {0, 1},   {0, 2},   {0, 3},   {0, 4},   {0, 5},   {0, 6},   {0, 7},   {0, 8},   {0, 10},  {0, 11},
    {0, 12},  {0, 13},  {0, 17},  {0, 19},  {0, 21},  {0, 31},  {1, 2},   {1, 3},   {1, 7},   {1, 13},
    {1, 17},  {1, 19},  {1, 21},  {1, 30},  {2, 3},   {2, 7},   {2, 8},   {2, 9},   {2, 13},  {2, 27},
    {2, 28},  {2, 32},  {3, 7},   {3, 12},  {3, 13},  {4, 6},   {4, 10},  {5, 6},   {5, 10},  {5, 16},
    {6, 16},  {8, 30},  {8, 32},  {8, 33},  {9, 33},  {13, 33}, {14, 32}, {14, 33}, {15, 32}, {15, 33},
    {18, 32}, {18, 33}, {19, 33}, {20, 32}, {20, 33}, {22, 32}, {22, 33}, {23, 25}, {23, 27}, {23, 29},
    {23, 32}, {23, 33}, {24, 25}, {24, 27}, {24, 31}, {25, 31}, {26, 29}, {26, 33}, {27, 33}, {28, 31},
    {28, 33}, {29, 32}, {29, 33}, {30, 32}, {30, 33}, {31, 32}, {31, 33}, {32, 33}};

// Karate member i is actor i + 1; every tie is a triple each way.
Builder karate_builder() {
  Builder b(34);
  for (auto [x, y] : karate) {
    b.add(static_cast<std::uint32_t>(x + 1), 0, static_cast<std::uint32_t>(y + 1));
    b.add(static_cast<std::uint32_t>(y + 1), 0, static_cast<std::uint32_t>(x + 1));
  }
  return b;
}

std::map<std::uint32_t, double> scores_of(const graph::CentralityResult& r) {
  std::map<std::uint32_t, double> m;
  for (auto [a, s] : r.scores) m[V(a)] = s;
  return m;
}

}  // namespace

// ---- paths -------------------------------------------------------------------------------------

TEST_CASE("k shortest paths come by hops, then support, with their hops described", "[graph]") {
  // 1 -3-> 2 -2-> 3; 1 -1-> 4 -2-> 3; 1 -> 5 -> 6 -> 3.
  Builder b(8);
  b.add(1, 1, 2, 100, 2).add(1, 2, 2, 150).add(2, 1, 3, 100, 2).add(1, 1, 4).add(4, 1, 3, 100, 2);
  b.add(1, 1, 5).add(5, 1, 6).add(6, 1, 3);
  auto g = b.graph();
  graph::PathQuery q;
  q.source = A(1);
  q.target = A(3);
  q.k = 5;
  auto paths = graph::k_shortest_paths(g->snapshot(), q);
  CHECK(actor_lists(paths) == Lists{{1, 2, 3}, {1, 4, 3}, {1, 5, 6, 3}});
  REQUIRE(paths.size() == 3);
  CHECK(paths[0].support == 5);
  CHECK(paths[1].support == 3);
  CHECK(paths[2].support == 3);
  const auto& hop = paths[0].hops[0];
  CHECK(V(hop.from) == 1);
  CHECK(V(hop.to) == 2);
  CHECK(hop.triple_count == 3);
  CHECK(core::value(hop.relation) == 1);  // two of relation 1, one of relation 2
  CHECK(core::value(hop.example) == 2);   // the later of the two
  CHECK(V(hop.subject) == 1);
  CHECK(V(hop.object) == 2);

  q.max_hops = 2;
  CHECK(actor_lists(graph::k_shortest_paths(g->snapshot(), q)) == Lists{{1, 2, 3}, {1, 4, 3}});
  q.k = 1;
  CHECK(actor_lists(graph::k_shortest_paths(g->snapshot(), q)) == Lists{{1, 2, 3}});
  q.k = 5;
  q.max_hops = 3;
  q.exclude = {A(2)};
  CHECK(actor_lists(graph::k_shortest_paths(g->snapshot(), q)) == Lists{{1, 4, 3}, {1, 5, 6, 3}});
  q.exclude = {A(2), A(4), A(5)};
  CHECK(graph::k_shortest_paths(g->snapshot(), q).empty());
}

TEST_CASE("paths respect direction, dates, relations, polarity, confidence and min_count", "[graph]") {
  Builder b(6);
  b.add(1, 1, 2, 10).add(2, 1, 3, 10);     // 1 -> 2 -> 3, early
  b.add(4, 2, 1, 50).add(4, 2, 3, 50, 2);  // 1 <- 4 -> 3, later, relation 2
  b.add(1, 3, 5, 60, 1, core::Polarity::negated).add(5, 3, 3, 60);
  b.add(1, 4, 6, 70, 1, core::Polarity::asserted, 0.3f).add(6, 4, 3, 70);
  auto g = b.graph();
  auto snap = g->snapshot();
  graph::PathQuery q;
  q.source = A(1);
  q.target = A(3);
  q.k = 10;
  CHECK(actor_lists(graph::k_shortest_paths(snap, q)) == Lists{{1, 4, 3}, {1, 2, 3}, {1, 6, 3}});

  q.directed = true;  // 4 -> 1 runs against the direction of travel
  CHECK(actor_lists(graph::k_shortest_paths(snap, q)) == Lists{{1, 2, 3}, {1, 6, 3}});
  q.directed = false;
  q.filter.triples.dates.since = Date::from_days(20);
  CHECK(actor_lists(graph::k_shortest_paths(snap, q)) == Lists{{1, 4, 3}, {1, 6, 3}});
  q.filter.triples.dates = {};
  q.filter.triples.relations.add(R(1));
  CHECK(actor_lists(graph::k_shortest_paths(snap, q)) == Lists{{1, 2, 3}});
  q.filter.triples.relations = graph::RelationMask::any();
  q.filter.triples.polarities = 0b111;
  CHECK(actor_lists(graph::k_shortest_paths(snap, q)).size() == 4);
  q.filter.triples.polarities = 1;
  q.filter.triples.min_confidence = 0.5f;
  CHECK(actor_lists(graph::k_shortest_paths(snap, q)) == Lists{{1, 4, 3}, {1, 2, 3}});
  q.filter.triples.min_confidence = 0.0f;
  q.filter.min_count = 2;  // 1-4 has one triple
  CHECK(graph::k_shortest_paths(snap, q).empty());
}

TEST_CASE("rollup folds people into their country before searching", "[graph]") {
  // 7 is a person of country 2: 1 -> 7 and 2 -> 3 join only when 7 counts as 2.
  Builder b(7);
  b.person(7, 2).add(1, 1, 7).add(2, 1, 3);
  auto g = b.graph();
  graph::PathQuery q;
  q.source = A(1);
  q.target = A(3);
  CHECK(graph::k_shortest_paths(g->snapshot(), q).empty());
  q.filter.rollup = true;
  auto paths = graph::k_shortest_paths(g->snapshot(), q);
  CHECK(actor_lists(paths) == Lists{{1, 2, 3}});
  REQUIRE(paths.size() == 1);
  CHECK(V(paths[0].hops[0].object) == 2);
  // The person as source is its country.
  q.source = A(7);
  CHECK(actor_lists(graph::k_shortest_paths(g->snapshot(), q)) == Lists{{2, 3}});
  CHECK(V(graph::node_of(g->snapshot(), A(7), true)) == 2);
  CHECK(V(graph::node_of(g->snapshot(), A(7), false)) == 7);
}

TEST_CASE("paths see writes and retractions of later snapshots", "[graph]") {
  Builder b(4);
  b.add(1, 1, 2).add(2, 1, 3);
  auto g = b.graph();
  auto before = g->snapshot();
  graph::GraphUpdate u;
  auto gone = b.rows[1];
  gone.retracted = true;
  u.triples.push_back(gone);
  core::TripleRecord fresh = b.rows[0];
  fresh.id = static_cast<core::TripleId>(3);
  fresh.subject = A(1);
  fresh.object = A(4);
  u.triples.push_back(fresh);
  fresh.id = static_cast<core::TripleId>(4);
  fresh.subject = A(4);
  fresh.object = A(3);
  u.triples.push_back(fresh);
  g->apply(u);
  graph::PathQuery q;
  q.source = A(1);
  q.target = A(3);
  CHECK(actor_lists(graph::k_shortest_paths(before, q)) == Lists{{1, 2, 3}});
  CHECK(actor_lists(graph::k_shortest_paths(g->snapshot(), q)) == Lists{{1, 4, 3}});
  q.filter.triples.include_retracted = true;
  CHECK(actor_lists(graph::k_shortest_paths(g->snapshot(), q)) == Lists{{1, 2, 3}, {1, 4, 3}});
}

TEST_CASE("on random graphs every path exists, obeys the filters, and none shorter or better is missed", "[graph]") {
  std::mt19937 rng(2024);
  const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int with_several = 0;  // rounds where k paths were compared, so the test cannot pass vacuously
  for (int round = 0; round < 300; ++round) {
    const auto n = static_cast<std::uint32_t>(pick(4, 11));
    Builder b(n);
    const int m = pick(3, 40);
    for (int i = 0; i < m; ++i) {
      const auto s = static_cast<std::uint32_t>(pick(1, static_cast<int>(n)));
      const auto o = static_cast<std::uint32_t>(pick(1, static_cast<int>(n)));
      b.add(s, static_cast<std::uint16_t>(pick(0, 3)), o, pick(0, 9), pick(1, 3),
            pick(0, 5) == 0 ? core::Polarity::negated : core::Polarity::asserted);
    }
    auto g = b.graph();
    graph::PathQuery q;
    q.source = A(static_cast<std::uint32_t>(pick(1, static_cast<int>(n))));
    q.target = A(static_cast<std::uint32_t>(pick(1, static_cast<int>(n))));
    q.k = static_cast<std::size_t>(pick(1, 10));
    q.max_hops = static_cast<std::size_t>(pick(1, 5));
    q.directed = pick(0, 1) == 1;
    q.filter.min_count = static_cast<std::uint32_t>(pick(0, 3) == 0 ? 2 : 1);
    if (pick(0, 2) == 0) q.filter.triples.dates = {Date::from_days(pick(0, 4)), Date::from_days(pick(5, 9))};
    if (pick(0, 2) == 0) {
      q.filter.triples.relations.add(R(static_cast<std::uint16_t>(pick(0, 3))));
      q.filter.triples.relations.add(R(static_cast<std::uint16_t>(pick(0, 3))));
    }
    if (pick(0, 2) == 0) q.exclude.push_back(A(static_cast<std::uint32_t>(pick(1, static_cast<int>(n)))));
    INFO("round " << round);

    // Brute force: counted triples per ordered pair, then every simple path.
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> count;
    for (const auto& t : b.rows) {
      if (!t.object || t.subject == *t.object) continue;
      if (!q.filter.triples.dates.contains(t.date) || !q.filter.triples.relations.test(t.relation) ||
          !q.filter.triples.admits_polarity(t.polarity))
        continue;
      ++count[{V(t.subject), V(*t.object)}];
    }
    const auto weight = [&](std::uint32_t x, std::uint32_t y) -> std::uint32_t {
      std::uint32_t w = count.count({x, y}) ? count[{x, y}] : 0;
      if (!q.directed) w += count.count({y, x}) ? count[{y, x}] : 0;
      return w >= q.filter.min_count ? w : 0;
    };
    const std::set<std::uint32_t> excluded = [&] {
      std::set<std::uint32_t> e;
      for (auto a : q.exclude)
        if (a != q.source && a != q.target) e.insert(V(a));
      return e;
    }();
    std::vector<std::pair<std::size_t, std::uint64_t>> expected;  // (hops, -support) of every simple path
    std::vector<std::uint32_t> stack{V(q.source)};
    std::function<void(std::uint64_t)> dfs = [&](std::uint64_t support) {
      const auto u = stack.back();
      if (u == V(q.target) && stack.size() > 1) {
        expected.emplace_back(stack.size() - 1, support);
        return;
      }
      if (stack.size() - 1 == q.max_hops) return;
      for (std::uint32_t x = 1; x <= n; ++x) {
        if (excluded.count(x) || std::find(stack.begin(), stack.end(), x) != stack.end()) continue;
        const auto w = weight(u, x);
        if (w == 0) continue;
        stack.push_back(x);
        dfs(support + w);
        stack.pop_back();
      }
    };
    if (q.source != q.target) dfs(0);
    std::sort(expected.begin(), expected.end(), [](const auto& x, const auto& y) {
      return x.first != y.first ? x.first < y.first : x.second > y.second;
    });
    if (expected.size() > q.k) expected.resize(q.k);

    const auto paths = graph::k_shortest_paths(g->snapshot(), q);
    REQUIRE(paths.size() == expected.size());
    if (paths.size() >= 2) ++with_several;
    std::set<std::vector<std::uint32_t>> distinct;
    for (std::size_t i = 0; i < paths.size(); ++i) {
      const auto& p = paths[i];
      CHECK(p.hops.size() == expected[i].first);
      CHECK(p.support == expected[i].second);
      CHECK(p.actors.front() == q.source);
      CHECK(p.actors.back() == q.target);
      CHECK(p.hops.size() <= q.max_hops);
      std::uint64_t support = 0;
      for (std::size_t h = 0; h < p.hops.size(); ++h) {
        const auto x = V(p.actors[h]), y = V(p.actors[h + 1]);
        CHECK(weight(x, y) == p.hops[h].triple_count);
        CHECK(p.hops[h].triple_count > 0);
        CHECK(!excluded.count(x));
        support += p.hops[h].triple_count;
      }
      CHECK(support == p.support);
      std::vector<std::uint32_t> seq;
      for (auto a : p.actors) seq.push_back(V(a));
      CHECK(std::set<std::uint32_t>(seq.begin(), seq.end()).size() == seq.size());
      CHECK(distinct.insert(seq).second);
    }
  }
  CHECK(with_several >= 60);
}

// ---- centrality --------------------------------------------------------------------------------

TEST_CASE("PageRank of the karate club matches the published values", "[graph]") {
  auto g = karate_builder().graph();
  graph::CentralityQuery q;
  q.metric = graph::Centrality::pagerank;
  auto r = graph::centrality(g->snapshot(), q);
  CHECK(r.nodes == 34);
  CHECK(r.edges == 156);
  const double expected[34] = {0.096997, 0.052877, 0.057079, 0.03586,  0.021978, 0.029111, 0.029111, 0.02449,  0.029766,
                               0.014309, 0.021978, 0.009565, 0.014645, 0.029536, 0.014536, 0.014536, 0.016784, 0.014559,
                               0.014536, 0.019605, 0.014536, 0.014559, 0.014536, 0.031523, 0.021076, 0.021006, 0.015044,
                               0.02564,  0.019573, 0.026289, 0.02459,  0.037158, 0.071693, 0.100919};
  auto s = scores_of(r);
  for (std::uint32_t i = 0; i < 34; ++i) CHECK(s[i + 1] == Approx(expected[i]).margin(2e-6));
  CHECK(V(r.scores[0].first) == 34);
  CHECK(V(r.scores[1].first) == 1);
}

TEST_CASE("PageRank spreads the rank of nodes without successors like the usual definition", "[graph]") {
  Builder b(5);
  b.add(1, 0, 2).add(2, 0, 3).add(3, 0, 1).add(3, 0, 4).add(4, 0, 5);
  auto g = b.graph();
  graph::CentralityQuery q;
  q.metric = graph::Centrality::pagerank;
  auto s = scores_of(graph::centrality(g->snapshot(), q));
  const double expected[5] = {0.169032, 0.20925, 0.243435, 0.169032, 0.20925};
  for (std::uint32_t i = 0; i < 5; ++i) CHECK(s[i + 1] == Approx(expected[i]).margin(2e-6));
}

TEST_CASE("betweenness of the karate club matches the published values, exact and from all sources", "[graph]") {
  auto g = karate_builder().graph();
  graph::CentralityQuery q;
  q.metric = graph::Centrality::betweenness;
  auto r = graph::centrality(g->snapshot(), q);
  CHECK(r.exact);
  const double expected[34] = {0.437635, 0.053937, 0.143657, 0.011909, 0.000631, 0.029987, 0.029987, 0.0,     0.055927,
                               0.000848, 0.000631, 0.0,      0.0,      0.045863, 0.0,      0.0,      0.0,     0.0,
                               0.0,      0.032475, 0.0,      0.0,      0.0,      0.017614, 0.00221,  0.00384, 0.0,
                               0.022333, 0.001795, 0.002922, 0.014412, 0.138276, 0.145247, 0.304075};
  auto s = scores_of(r);
  for (std::uint32_t i = 0; i < 34; ++i) CHECK(s[i + 1] == Approx(expected[i]).margin(2e-6));

  // Sampling every source is exact; fewer sources give a stable, flagged estimate.
  q.samples = 34;
  auto all = scores_of(graph::centrality(g->snapshot(), q));
  for (std::uint32_t i = 0; i < 34; ++i) CHECK(all[i + 1] == Approx(expected[i]).margin(2e-6));
  q.samples = 33;
  auto est = graph::centrality(g->snapshot(), q);
  CHECK_FALSE(est.exact);
  CHECK(est.samples == 33);
  CHECK(scores_of(est) == scores_of(graph::centrality(g->snapshot(), q)));
  // Brandes from 33 of 34 sources, scaled: the two hubs stay on top.
  CHECK((V(est.scores[0].first) == 1 || V(est.scores[0].first) == 34));
  double total = 0;
  for (auto [a, x] : est.scores) total += x;
  double exact_total = 0;
  for (double x : expected) exact_total += x;
  CHECK(total == Approx(exact_total).epsilon(0.15));
}

TEST_CASE("degrees count distinct neighbours, successors and predecessors", "[graph]") {
  Builder b(4);
  b.add(1, 0, 2, 100, 3).add(1, 0, 3).add(3, 0, 1).add(4, 0, 1).add(2, 0, 2);
  auto g = b.graph();
  graph::CentralityQuery q;
  auto deg = scores_of(graph::centrality(g->snapshot(), q));
  CHECK(deg == std::map<std::uint32_t, double>{{1, 3}, {2, 1}, {3, 1}, {4, 1}});
  q.metric = graph::Centrality::out_degree;
  CHECK(scores_of(graph::centrality(g->snapshot(), q)) ==
        std::map<std::uint32_t, double>{{1, 2}, {2, 0}, {3, 1}, {4, 1}});
  q.metric = graph::Centrality::in_degree;
  CHECK(scores_of(graph::centrality(g->snapshot(), q)) ==
        std::map<std::uint32_t, double>{{1, 2}, {2, 1}, {3, 1}, {4, 0}});
  q.filter.min_count = 2;  // only 1 - 2 (3 triples) and 1 - 3 (one each way) remain
  q.metric = graph::Centrality::degree;
  CHECK(scores_of(graph::centrality(g->snapshot(), q)) == std::map<std::uint32_t, double>{{1, 2}, {2, 1}, {3, 1}});
  q.filter.triples.dates.since = Date::from_days(1000);
  auto empty = graph::centrality(g->snapshot(), q);
  CHECK(empty.scores.empty());
  CHECK(empty.nodes == 0);
}

// ---- communities -------------------------------------------------------------------------------

namespace {
Builder cliques(int count, int size, bool ring) {
  Builder b(static_cast<std::uint32_t>(count * size));
  for (int c = 0; c < count; ++c) {
    for (int i = 0; i < size; ++i)
      for (int j = i + 1; j < size; ++j)
        b.add(static_cast<std::uint32_t>(c * size + i + 1), 0, static_cast<std::uint32_t>(c * size + j + 1));
    if (ring || c + 1 < count)
      b.add(static_cast<std::uint32_t>(c * size + size), 0, static_cast<std::uint32_t>(((c + 1) % count) * size + 1));
  }
  return b;
}

std::set<std::set<std::uint32_t>> groups(const graph::CommunityResult& r) {
  std::set<std::set<std::uint32_t>> out;
  for (const auto& c : r.communities) {
    std::set<std::uint32_t> s;
    for (auto a : c.members) s.insert(V(a));
    out.insert(s);
  }
  return out;
}
}  // namespace

TEST_CASE("Louvain splits two cliques joined by a bridge, with the known modularity", "[graph]") {
  auto g = cliques(2, 5, false).graph();
  graph::CommunityQuery q;
  auto r = graph::communities(g->snapshot(), q);
  CHECK(groups(r) == std::set<std::set<std::uint32_t>>{{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}});
  CHECK(r.modularity == Approx(0.452381).margin(1e-6));
  CHECK(r.nodes == 10);
  CHECK(r.edges == 21);
  CHECK(r.communities[0].weight == 10);
  // At a very low resolution one community is best.
  q.resolution = 0.01;
  CHECK(graph::communities(g->snapshot(), q).communities.size() == 1);
}

TEST_CASE("Louvain finds each clique of a ring of cliques", "[graph]") {
  auto g = cliques(6, 5, true).graph();
  auto r = graph::communities(g->snapshot(), {});
  REQUIRE(r.communities.size() == 6);
  for (int c = 0; c < 6; ++c) {
    std::set<std::uint32_t> clique;
    for (int i = 1; i <= 5; ++i) clique.insert(static_cast<std::uint32_t>(c * 5 + i));
    CHECK(groups(r).count(clique));
  }
}

TEST_CASE("Louvain on the karate club reaches the modularity known for it", "[graph]") {
  auto g = karate_builder().graph();
  auto r = graph::communities(g->snapshot(), {});
  // The best known partition has 0.4198; Louvain finds 0.41-0.42 depending on the order.
  CHECK(r.modularity >= 0.40);
  CHECK(r.modularity <= 0.41979 + 1e-6);
  CHECK(r.communities.size() >= 3);
  CHECK(r.communities.size() <= 5);
  CHECK(r.levels >= 1);
  // The instructor (1) and the officer (34) end up apart.
  for (const auto& c : groups(r)) CHECK_FALSE((c.count(1) && c.count(34)));
}

TEST_CASE("modularity of a given partition matches the published value", "[graph]") {
  graph::detail::WeightedGraph wg;
  std::vector<std::vector<std::uint32_t>> adj(34);
  for (auto [x, y] : karate) {
    adj[static_cast<std::size_t>(x)].push_back(static_cast<std::uint32_t>(y));
    adj[static_cast<std::size_t>(y)].push_back(static_cast<std::uint32_t>(x));
  }
  for (const auto& row : adj) {
    for (auto t : row) {
      wg.targets.push_back(t);
      wg.weights.push_back(1.0);
    }
    wg.offsets.push_back(static_cast<std::uint32_t>(wg.targets.size()));
  }
  // The club's split after the conflict: Mr. Hi's faction and the officer's.
  const std::set<int> hi = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 16, 17, 19, 21};
  std::vector<std::uint32_t> club(34);
  for (int i = 0; i < 34; ++i) club[static_cast<std::size_t>(i)] = hi.count(i) ? 0 : 1;
  CHECK(graph::detail::modularity(wg, club, 1.0) == Approx(0.3582347).margin(1e-6));
  auto p = graph::detail::louvain(wg, 1.0);
  CHECK(graph::detail::modularity(wg, p.membership, 1.0) >= 0.40);
  std::vector<std::uint32_t> one(34, 0);
  CHECK(graph::detail::modularity(wg, one, 1.0) == Approx(0.0).margin(1e-12));
}

TEST_CASE("connected components come from Boost, largest first, with their modularity", "[graph]") {
  Builder b(8);
  b.add(1, 0, 2).add(2, 0, 3).add(3, 0, 1).add(4, 0, 5).add(6, 0, 7);
  auto g = b.graph();
  graph::CommunityQuery q;
  q.algorithm = graph::CommunityAlgorithm::components;
  auto r = graph::communities(g->snapshot(), q);
  CHECK(groups(r) == std::set<std::set<std::uint32_t>>{{1, 2, 3}, {4, 5}, {6, 7}});
  CHECK(r.communities[0].members.size() == 3);
  CHECK(r.modularity == Approx(0.56).margin(1e-9));
  q.filter.triples.dates.until = Date::from_days(0);
  CHECK(graph::communities(g->snapshot(), q).communities.empty());
}

// ---- ego networks, timelines, partners -----------------------------------------------------------

TEST_CASE("ego networks keep the seeds and the best-supported nodes nearest first", "[graph]") {
  Builder b(8);
  b.add(1, 1, 2, 100, 3).add(3, 2, 1, 101, 2).add(1, 1, 4, 102).add(4, 1, 5, 103, 4).add(5, 1, 6, 104).add(7, 1, 8);
  b.add(1, 2, 2, 105);
  auto g = b.graph();
  graph::EgoQuery q;
  q.seeds = {A(1)};
  auto ego = graph::ego_network(g->snapshot(), q);
  std::vector<std::uint32_t> ids;
  for (const auto& n : ego.nodes) ids.push_back(V(n.actor));
  CHECK(ids == std::vector<std::uint32_t>{1, 2, 3, 4});
  CHECK(ego.total_nodes == 4);
  CHECK(ego.nodes[1].support == 4);
  CHECK(ego.nodes[1].hop == 1);
  CHECK(ego.nodes[0].degree == 3);
  CHECK(ego.nodes[1].degree == 1);
  // Edges per (source, relation, target), most frequent first.
  REQUIRE(ego.edges.size() == 4);
  CHECK(V(ego.edges[0].source) == 1);
  CHECK(V(ego.edges[0].target) == 2);
  CHECK(core::value(ego.edges[0].relation) == 1);
  CHECK(ego.edges[0].count == 3);
  CHECK(ego.edges[0].goldstein_total == Approx(-3.0));
  CHECK(ego.edges[0].first_date == Date::from_days(100));
  CHECK(ego.total_edges == 4);

  q.hops = 2;
  q.max_nodes = 4;
  q.max_edges = 2;
  ego = graph::ego_network(g->snapshot(), q);
  ids.clear();
  for (const auto& n : ego.nodes) ids.push_back(V(n.actor));
  CHECK(ids == std::vector<std::uint32_t>{1, 2, 3, 4});  // 5 is two hops out: cut
  CHECK(ego.total_nodes == 5);
  CHECK(ego.edges.size() == 2);
  CHECK(ego.total_edges == 4);
  q.max_nodes = 10;
  q.filter.min_count = 2;  // 1 - 4 has one triple: 4 and 5 fall away
  ego = graph::ego_network(g->snapshot(), q);
  ids.clear();
  for (const auto& n : ego.nodes) ids.push_back(V(n.actor));
  CHECK(ids == std::vector<std::uint32_t>{1, 2, 3});
  q.filter.triples.dates.since = Date::from_days(500);
  ego = graph::ego_network(g->snapshot(), q);
  CHECK(ego.nodes.size() == 1);
  CHECK(ego.edges.empty());
}

TEST_CASE("ego networks reach the same nodes whether the last layer is searched down or up", "[graph]") {
  std::mt19937 rng(77);
  const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int round = 0; round < 200; ++round) {
    const auto n = static_cast<std::uint32_t>(pick(3, 40));
    Builder b(n);
    const int m = pick(0, 120);
    for (int i = 0; i < m; ++i)
      b.add(static_cast<std::uint32_t>(pick(1, static_cast<int>(n))), 0,
            static_cast<std::uint32_t>(pick(1, static_cast<int>(n))), pick(0, 9));
    auto g = b.graph();
    graph::EgoQuery q;
    q.seeds = {A(static_cast<std::uint32_t>(pick(1, static_cast<int>(n))))};
    if (pick(0, 1)) q.seeds.push_back(A(static_cast<std::uint32_t>(pick(1, static_cast<int>(n)))));
    q.hops = static_cast<unsigned>(pick(1, 3));
    q.filter.min_count = static_cast<std::uint32_t>(pick(1, 2));
    if (pick(0, 1)) q.filter.triples.dates = {Date::from_days(pick(0, 4)), Date::from_days(pick(5, 9))};
    INFO("round " << round);
    // Brute force: breadth-first over dyads with enough counted triples.
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> w;
    for (const auto& t : b.rows)
      if (t.subject != *t.object && q.filter.triples.dates.contains(t.date)) {
        ++w[{V(t.subject), V(*t.object)}];
        ++w[{V(*t.object), V(t.subject)}];
      }
    std::set<std::uint32_t> seen;
    std::vector<std::uint32_t> layer;
    for (auto a : q.seeds)
      if (seen.insert(V(a)).second) layer.push_back(V(a));
    for (unsigned h = 0; h < q.hops; ++h) {
      std::vector<std::uint32_t> next;
      for (auto u : layer)
        for (const auto& [k, c] : w)
          if (k.first == u && c >= q.filter.min_count && seen.insert(k.second).second) next.push_back(k.second);
      layer = next;
    }
    q.max_nodes = 1;  // the last layer is only counted: it may be searched upwards
    const auto up = graph::ego_network(g->snapshot(), q);
    q.max_nodes = 1000;
    const auto down = graph::ego_network(g->snapshot(), q);
    CHECK(up.total_nodes == seen.size());
    CHECK(down.total_nodes == seen.size());
    CHECK(down.nodes.size() == seen.size());
  }
}

TEST_CASE("ego networks with rollup aggregate members into their country", "[graph]") {
  Builder b(5);
  b.person(4, 2).person(5, 3).add(1, 1, 4, 100).add(1, 1, 2, 101).add(4, 2, 5, 102);
  auto g = b.graph();
  graph::EgoQuery q;
  q.seeds = {A(4)};
  q.filter.rollup = true;
  auto ego = graph::ego_network(g->snapshot(), q);
  std::vector<std::uint32_t> ids;
  for (const auto& n : ego.nodes) ids.push_back(V(n.actor));
  CHECK(ids == std::vector<std::uint32_t>{2, 1, 3});
  REQUIRE(ego.edges.size() == 2);
  CHECK(V(ego.edges[0].source) == 1);
  CHECK(V(ego.edges[0].target) == 2);
  CHECK(ego.edges[0].count == 2);
}

TEST_CASE("dyad timelines list every bucket, empty ones included", "[graph]") {
  const auto day = [](int y, unsigned m, unsigned d) { return Date::from_ymd(y, m, d).value().days(); };
  Builder b(3);
  b.add(1, 1, 2, day(2023, 1, 5)).add(1, 1, 2, day(2023, 1, 20)).add(2, 3, 1, day(2023, 1, 31));
  b.add(1, 2, 2, day(2023, 4, 2)).add(1, 1, 3, day(2023, 2, 2));
  auto g = b.graph();
  graph::TimelineQuery q;
  q.a = A(1);
  q.b = A(2);
  auto t = graph::dyad_timeline(g->snapshot(), q);
  REQUIRE(t.buckets.size() == 4);
  CHECK(t.total == 4);
  CHECK(t.buckets[0].start.to_string() == "2023-01-01");
  CHECK(t.buckets[0].count == 3);
  CHECK(t.buckets[0].goldstein_total == Approx(-1.0 - 1.0 + 1.0));
  CHECK(t.buckets[0].by_quad_class == std::array<std::uint32_t, 4>{0, 2, 0, 1});
  REQUIRE(t.buckets[0].top_relations.size() == 2);
  CHECK(core::value(t.buckets[0].top_relations[0].first) == 1);
  CHECK(t.buckets[0].top_relations[0].second == 2);
  CHECK(t.buckets[1].count == 0);
  CHECK(t.buckets[2].count == 0);
  CHECK(t.buckets[3].start.to_string() == "2023-04-01");

  q.direction = graph::Direction::in;  // 2 -> 1 only
  t = graph::dyad_timeline(g->snapshot(), q);
  REQUIRE(t.buckets.size() == 1);
  CHECK(t.buckets[0].count == 1);
  q.direction = graph::Direction::out;
  q.a = A(2);
  q.b = A(1);
  CHECK(graph::dyad_timeline(g->snapshot(), q).total == 1);
  q.a = A(1);
  q.b = A(2);
  q.direction = graph::Direction::both;

  q.bucket = graph::Bucket::quarter;
  q.filter.triples.dates = {Date::from_days(day(2022, 12, 1)), Date::from_days(day(2023, 12, 31))};
  t = graph::dyad_timeline(g->snapshot(), q);
  REQUIRE(t.buckets.size() == 5);
  CHECK(t.buckets[0].start.to_string() == "2022-10-01");
  CHECK(t.buckets[1].count == 3);
  CHECK(t.buckets[2].count == 1);
  CHECK(t.buckets[4].start.to_string() == "2023-10-01");

  q.bucket = graph::Bucket::week;
  q.filter.triples.dates = {};
  t = graph::dyad_timeline(g->snapshot(), q);
  CHECK(t.buckets.front().start.to_string() == "2023-01-02");  // the Monday before 2023-01-05
  CHECK(t.buckets.front().start.weekday() == 1);
  q.bucket = graph::Bucket::day;
  q.max_buckets = 10;
  t = graph::dyad_timeline(g->snapshot(), q);
  CHECK(t.buckets.empty());
  CHECK(t.needed_buckets == 88);
  q.bucket = graph::Bucket::year;
  q.filter.min_count = 5;
  t = graph::dyad_timeline(g->snapshot(), q);
  CHECK(t.buckets.empty());
  CHECK(t.total == 0);
  q.filter.min_count = 1;
  q.filter.triples.dates = {Date::from_days(day(2021, 3, 3)), Date::from_days(day(2022, 1, 1))};
  t = graph::dyad_timeline(g->snapshot(), q);
  REQUIRE(t.buckets.size() == 2);  // an empty range still has its buckets
  CHECK(t.total == 0);
}

TEST_CASE("dyad timelines with rollup count the members' triples", "[graph]") {
  Builder b(4);
  b.person(3, 1).person(4, 2).add(3, 1, 4, 10).add(1, 1, 4, 11).add(3, 1, 2, 12).add(3, 1, 1, 13);
  auto g = b.graph();
  graph::TimelineQuery q;
  q.a = A(1);
  q.b = A(2);
  q.bucket = graph::Bucket::year;
  CHECK(graph::dyad_timeline(g->snapshot(), q).total == 0);
  q.filter.rollup = true;
  CHECK(graph::dyad_timeline(g->snapshot(), q).total == 3);
}

TEST_CASE("partners are ranked by triples with counts per quad class and net Goldstein", "[graph]") {
  Builder b(5);
  b.person(5, 3).add(1, 1, 2, 10, 2).add(3, 4, 1, 11).add(1, 6, 3, 12).add(1, 0, 4, 13).add(5, 2, 1, 14);
  auto g = b.graph();
  auto p = graph::partners(g->snapshot(), A(1), {});
  REQUIRE(p.size() == 4);
  CHECK(V(p[0].actor) == 2);
  CHECK(p[0].count == 2);
  CHECK(p[0].out == 2);
  CHECK(p[0].by_quad_class == std::array<std::uint32_t, 4>{0, 2, 0, 0});
  CHECK(p[0].goldstein_net == Approx(-2.0));
  CHECK(V(p[1].actor) == 3);
  CHECK(p[1].in == 1);
  CHECK(p[1].out == 1);
  CHECK(p[1].goldstein_net == Approx(2.0 + 4.0));
  GraphFilter f;
  f.rollup = true;
  p = graph::partners(g->snapshot(), A(1), f);
  CHECK(V(p[0].actor) == 3);
  CHECK(p[0].count == 3);
  f.min_count = 3;
  CHECK(graph::partners(g->snapshot(), A(1), f).size() == 1);
  f.triples.dates.since = Date::from_days(101);
  CHECK(graph::partners(g->snapshot(), A(1), f).empty());
}

TEST_CASE("partners of every actor of random graphs agree with a count of the triples", "[graph]") {
  // The queries of one thread share working arrays (cleared through what each query set): every
  // actor of graphs of varying sizes is asked in turn, so a query that left an entry set would make
  // a later one miscount.
  std::mt19937 rng(4242);
  const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int round = 0; round < 150; ++round) {
    const auto n = static_cast<std::uint32_t>(pick(2, 60));
    Builder b(n);
    const int m = pick(0, 150);
    for (int i = 0; i < m; ++i)
      b.add(static_cast<std::uint32_t>(pick(1, static_cast<int>(n))), static_cast<std::uint16_t>(pick(0, 3)),
            static_cast<std::uint32_t>(pick(0, static_cast<int>(n))), pick(0, 9));
    auto g = b.graph();
    GraphFilter f;
    f.min_count = static_cast<std::uint32_t>(pick(1, 2));
    if (pick(0, 1)) f.triples.dates = {Date::from_days(pick(0, 4)), Date::from_days(pick(5, 9))};
    INFO("round " << round);
    for (std::uint32_t a = 1; a <= n; ++a) {
      std::map<std::uint32_t, std::pair<std::uint32_t, std::uint32_t>> expected;  // partner -> (out, in)
      for (const auto& t : b.rows) {
        if (!t.object || t.subject == *t.object || !f.triples.dates.contains(t.date)) continue;
        if (V(t.subject) == a) ++expected[V(*t.object)].first;
        if (V(*t.object) == a) ++expected[V(t.subject)].second;
      }
      std::erase_if(expected, [&](const auto& e) { return e.second.first + e.second.second < f.min_count; });
      std::map<std::uint32_t, std::pair<std::uint32_t, std::uint32_t>> got;
      for (const auto& p : graph::partners(g->snapshot(), A(a), f)) {
        CHECK(p.count == p.out + p.in);
        got[V(p.actor)] = {p.out, p.in};
      }
      CHECK(got == expected);
    }
  }
}

// ---- exports -----------------------------------------------------------------------------------

TEST_CASE("triple scans walk the admitted triples in id order, in pieces", "[graph]") {
  Builder b(4);
  b.person(4, 2).add(1, 1, 2).add(1, 1, 2).add(2, 1, 3).add(4, 2, 3).add(1, 3, 0).add(1, 1, 3, 100, 1,
                                                                                      core::Polarity::denied);
  auto g = b.graph();
  const auto snap = g->snapshot();
  std::vector<std::int64_t> ids;
  std::uint32_t at = 0;
  while (at < snap.max_triple_id())
    at = graph::scan_triples(snap, {}, at, 2, [&](const core::TripleRecord& t) { ids.push_back(core::value(t.id)); });
  CHECK(ids == std::vector<std::int64_t>{1, 2, 3, 4, 5});
  GraphFilter f;
  f.rollup = true;
  std::vector<std::uint32_t> subjects;
  graph::scan_triples(snap, f, 0, 100, [&](const core::TripleRecord& t) { subjects.push_back(V(t.subject)); });
  CHECK(subjects == std::vector<std::uint32_t>{1, 1, 2, 2, 1});
  f.min_count = 2;  // 1 - 2 has two triples; 2 - 3 has two after the fold
  ids.clear();
  graph::scan_triples(snap, f, 0, 100, [&](const core::TripleRecord& t) { ids.push_back(core::value(t.id)); });
  CHECK(ids == std::vector<std::int64_t>{1, 2, 3, 4});
}

TEST_CASE("graph scans list nodes and edges per (source, relation, target)", "[graph]") {
  Builder b(3);
  b.add(1, 1, 2, 10).add(1, 1, 2, 12).add(1, 2, 2, 11).add(2, 1, 3, 13);
  auto g = b.graph();
  auto nodes = graph::graph_nodes(g->snapshot(), {});
  REQUIRE(nodes.size() == 3);
  CHECK(V(nodes[0].actor) == 2);  // the most triples first
  CHECK(nodes[0].degree == 2);
  CHECK(nodes[0].weight == 4);
  CHECK(V(nodes[1].actor) == 1);
  std::vector<graph::EdgeAggregate> edges;
  std::size_t at = 0;
  while (at < nodes.size())
    at = graph::scan_edges(g->snapshot(), {}, at, 1, [&](const graph::EdgeAggregate& e) { edges.push_back(e); });
  REQUIRE(edges.size() == 3);
  CHECK(V(edges[0].source) == 2);  // node 2's edges come first
  CHECK(V(edges[1].source) == 1);
  CHECK(edges[1].count == 2);
  CHECK(core::value(edges[1].relation) == 1);
  CHECK(edges[1].first_date == Date::from_days(10));
  CHECK(edges[1].last_date == Date::from_days(12));
}
