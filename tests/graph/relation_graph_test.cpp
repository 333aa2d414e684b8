#include "graph/relation_graph.hpp"

#include "tests/test_support.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <tuple>

using namespace geokg;
using graph::Direction;
using graph::RelationGraph;
using graph::TripleFilter;

namespace {

core::TripleRecord rec(std::int64_t id, std::uint32_t s, std::uint16_t rel, std::uint32_t o, std::int32_t day,
                       core::Polarity p = core::Polarity::asserted, float conf = 1.0f, bool retracted = false) {
  core::TripleRecord t;
  t.id = static_cast<core::TripleId>(id);
  t.subject = static_cast<core::ActorIdx>(s);
  if (o) t.object = static_cast<core::ActorIdx>(o);
  t.relation = static_cast<core::RelationIdx>(rel);
  t.date = core::Date::from_days(day);
  t.polarity = p;
  t.confidence = conf;
  t.evidence_count = 1;
  t.retracted = retracted;
  return t;
}

std::vector<graph::RelationInfo> relation_infos(std::size_t n) {
  std::vector<graph::RelationInfo> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = {static_cast<double>(i) - 2.0, static_cast<std::uint8_t>(1 + i % 4)};
  return v;
}

std::vector<std::pair<core::ActorIdx, graph::ActorInfo>> actors(std::uint32_t n) {
  std::vector<std::pair<core::ActorIdx, graph::ActorInfo>> v;
  for (std::uint32_t i = 1; i <= n; ++i) v.emplace_back(static_cast<core::ActorIdx>(i), graph::ActorInfo{});
  return v;
}

// The reference model: every query answered by brute force over a plain list.
struct Model {
  std::map<std::int64_t, core::TripleRecord> triples;
  std::vector<graph::RelationInfo> rel;

  static bool passes(const core::TripleRecord& t, const TripleFilter& f) {
    if (!f.dates.contains(t.date) || !f.relations.test(t.relation) || !f.admits_polarity(t.polarity)) return false;
    if (t.retracted && !f.include_retracted) return false;
    return t.confidence >= f.min_confidence;
  }
  std::vector<core::TripleRecord> query(const graph::TripleQuery& q, std::optional<graph::TriplePosition> after,
                                        std::size_t limit) const {
    std::vector<core::TripleRecord> all;
    for (const auto& [id, t] : triples) {
      if (!passes(t, q.filter)) continue;
      if (q.subject && t.subject != *q.subject) continue;
      if (q.object && t.object != q.object) continue;
      if (q.actor && t.subject != *q.actor && t.object != q.actor) continue;
      if (after && std::pair(t.date, core::value(t.id)) >= std::pair(after->date, core::value(after->id))) continue;
      all.push_back(t);
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return std::pair(a.date, core::value(a.id)) > std::pair(b.date, core::value(b.id));
    });
    if (all.size() > limit) all.resize(limit);
    return all;
  }
  std::map<std::tuple<std::uint32_t, std::uint16_t, int>, std::pair<std::uint32_t, double>> relations(
      std::uint32_t a, Direction dir, const TripleFilter& f) const {
    std::map<std::tuple<std::uint32_t, std::uint16_t, int>, std::pair<std::uint32_t, double>> out;
    for (const auto& [id, t] : triples) {
      if (!passes(t, f)) continue;
      const auto s = core::value(t.subject);
      const auto o = t.object ? core::value(*t.object) : 0u;
      int d = 0;
      std::uint32_t other = 0;
      if (s == a && (static_cast<int>(dir) & 1)) {
        d = 1;
        other = o;
      } else if (o == a && (static_cast<int>(dir) & 2)) {
        d = 2;
        other = s;
      } else {
        continue;
      }
      auto& x = out[{other, core::value(t.relation), d}];
      ++x.first;
      x.second += rel[core::value(t.relation)].goldstein;
    }
    return out;
  }
};

bool same(const std::vector<core::TripleRecord>& a, const std::vector<core::TripleRecord>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].id != b[i].id || a[i].subject != b[i].subject || a[i].object != b[i].object ||
        a[i].relation != b[i].relation || a[i].date != b[i].date || a[i].polarity != b[i].polarity ||
        a[i].confidence != b[i].confidence || a[i].evidence_count != b[i].evidence_count ||
        a[i].retracted != b[i].retracted)
      return false;
  }
  return true;
}

}  // namespace

TEST_CASE("triples of an actor come newest first and pages walk every triple once", "[graph]") {
  RelationGraph g(relation_infos(4));
  std::vector<core::TripleRecord> ts;
  for (int i = 1; i <= 50; ++i) ts.push_back(rec(i, 1 + static_cast<std::uint32_t>(i % 3), 1, 5, 100 + i % 7));
  g.load(actors(5), ts);
  auto snap = g.snapshot();
  CHECK(snap.triple_count() == 50);

  graph::TripleQuery q;
  q.actor = static_cast<core::ActorIdx>(5);
  std::vector<std::int64_t> seen;
  std::optional<graph::TriplePosition> after;
  for (;;) {
    auto page = snap.triples(q, after, 7);
    if (page.empty()) break;
    for (std::size_t i = 1; i < page.size(); ++i)
      CHECK(std::pair(page[i - 1].date, core::value(page[i - 1].id)) > std::pair(page[i].date, core::value(page[i].id)));
    for (const auto& t : page) seen.push_back(core::value(t.id));
    after = graph::TriplePosition{page.back().date, page.back().id};
  }
  std::sort(seen.begin(), seen.end());
  REQUIRE(seen.size() == 50);
  for (int i = 0; i < 50; ++i) CHECK(seen[static_cast<std::size_t>(i)] == i + 1);
}

TEST_CASE("filters on dates, relations, polarity and confidence apply before the limit", "[graph]") {
  RelationGraph g(relation_infos(4));
  g.load(actors(3), {rec(1, 1, 0, 2, 10), rec(2, 1, 1, 2, 11), rec(3, 1, 1, 2, 12, core::Polarity::denied),
                     rec(4, 1, 1, 2, 13, core::Polarity::asserted, 0.2f), rec(5, 2, 1, 1, 14), rec(6, 1, 2, 0, 15)});
  auto snap = g.snapshot();
  graph::TripleQuery q;
  q.subject = static_cast<core::ActorIdx>(1);
  q.filter.relations.add(static_cast<core::RelationIdx>(1));
  auto r = snap.triples(q, std::nullopt, 1);
  REQUIRE(r.size() == 1);
  CHECK(core::value(r[0].id) == 4);
  q.filter.min_confidence = 0.5f;
  r = snap.triples(q, std::nullopt, 10);
  REQUIRE(r.size() == 1);
  CHECK(core::value(r[0].id) == 2);
  q.filter.polarities = 0b111;
  q.filter.dates = {core::Date::from_days(12), core::Date::from_days(20)};
  r = snap.triples(q, std::nullopt, 10);
  REQUIRE(r.size() == 1);
  CHECK(core::value(r[0].id) == 3);
  // A triple without an object is found from its subject and has no object.
  graph::TripleQuery q2;
  q2.actor = static_cast<core::ActorIdx>(1);
  q2.filter.relations.add(static_cast<core::RelationIdx>(2));
  r = snap.triples(q2, std::nullopt, 10);
  REQUIRE(r.size() == 1);
  CHECK_FALSE(r[0].object.has_value());
}

TEST_CASE("relations aggregate per neighbour, relation and direction, most frequent first", "[graph]") {
  RelationGraph g(relation_infos(4));
  g.load(actors(4), {rec(1, 1, 3, 2, 10), rec(2, 1, 3, 2, 20), rec(3, 1, 3, 2, 15), rec(4, 3, 2, 1, 30),
                     rec(5, 1, 1, 1, 31), rec(6, 4, 3, 2, 5)});
  auto snap = g.snapshot();
  auto agg = snap.relations(static_cast<core::ActorIdx>(1), Direction::both, TripleFilter{});
  REQUIRE(agg.size() == 3);
  CHECK(core::value(agg[0].neighbor) == 2);
  CHECK(agg[0].count == 3);
  CHECK(agg[0].direction == Direction::out);
  CHECK(agg[0].first_date == core::Date::from_days(10));
  CHECK(agg[0].last_date == core::Date::from_days(20));
  CHECK(agg[0].goldstein_total == Approx(3.0));
  // The self-loop counts once.
  CHECK(std::count_if(agg.begin(), agg.end(), [](const auto& a) { return core::value(a.neighbor) == 1; }) == 1);
  auto in = snap.relations(static_cast<core::ActorIdx>(1), Direction::in, TripleFilter{});
  REQUIRE(in.size() == 2);
}

TEST_CASE("a snapshot keeps its view while later writes publish new ones", "[graph]") {
  RelationGraph g(relation_infos(4));
  g.load(actors(3), {rec(1, 1, 0, 2, 10)});
  auto before = g.snapshot();
  graph::GraphUpdate u;
  u.actors.emplace_back(static_cast<core::ActorIdx>(4), graph::ActorInfo{core::ActorType::person, 1});
  u.triples.push_back(rec(2, 4, 1, 1, 11));
  auto retracted = rec(1, 1, 0, 2, 10);
  retracted.retracted = true;
  u.triples.push_back(retracted);
  g.apply(u);
  auto after = g.snapshot();
  CHECK(before.triple_count() == 1);
  CHECK(after.triple_count() == 1);
  CHECK(after.version() > before.version());
  CHECK(after.actor(static_cast<core::ActorIdx>(4)).type == core::ActorType::person);
  CHECK_FALSE(before.triple(static_cast<core::TripleId>(2)).has_value());
  REQUIRE(after.triple(static_cast<core::TripleId>(1)));
  CHECK(after.triple(static_cast<core::TripleId>(1))->retracted);
  CHECK_FALSE(before.triple(static_cast<core::TripleId>(1))->retracted);
  graph::TripleQuery q;
  q.actor = static_cast<core::ActorIdx>(1);
  CHECK(after.triples(q, std::nullopt, 10).size() == 1);
  q.filter.include_retracted = true;
  CHECK(after.triples(q, std::nullopt, 10).size() == 2);
}

TEST_CASE("ids with gaps load as holes that no query returns", "[graph]") {
  RelationGraph g(relation_infos(2));
  g.load(actors(2), {rec(1, 1, 0, 2, 1), rec(4, 2, 0, 1, 2)});
  auto snap = g.snapshot();
  CHECK(snap.triple_count() == 2);
  CHECK_FALSE(snap.triple(static_cast<core::TripleId>(2)));
  graph::TripleQuery q;
  q.filter.include_retracted = true;
  CHECK(snap.triples(q, std::nullopt, 10).size() == 2);
}

TEST_CASE("random writes, merges and compactions agree with a brute-force model", "[graph]") {
  std::mt19937 rng(12345);
  const std::uint32_t n_actors = 12;
  const std::size_t n_rel = 6;
  RelationGraph g(relation_infos(n_rel));
  g.set_compaction(40, 2);
  Model m;
  m.rel = relation_infos(n_rel);
  g.load(actors(n_actors), {});
  std::int64_t next_id = 1;
  auto pick = [&](std::uint32_t lo, std::uint32_t hi) { return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng); };

  for (int round = 0; round < 60; ++round) {
    graph::GraphUpdate u;
    const auto n_new = pick(0, 12);
    for (std::uint32_t i = 0; i < n_new; ++i) {
      auto t = rec(next_id++, pick(1, n_actors), static_cast<std::uint16_t>(pick(0, n_rel - 1)),
                   pick(0, 3) == 0 ? 0 : pick(1, n_actors), static_cast<std::int32_t>(pick(0, 40)),
                   static_cast<core::Polarity>(pick(0, 2)), static_cast<float>(pick(1, 10)) / 10.0f);
      m.triples[core::value(t.id)] = t;
      u.triples.push_back(t);
    }
    const auto n_changes = m.triples.empty() ? 0 : pick(0, 3);
    for (std::uint32_t i = 0; i < n_changes; ++i) {
      auto it = m.triples.begin();
      std::advance(it, pick(0, static_cast<std::uint32_t>(m.triples.size() - 1)));
      it->second.retracted = !it->second.retracted;
      it->second.evidence_count += 1;
      u.triples.push_back(it->second);
    }
    std::sort(u.triples.begin(), u.triples.end(),
              [](const auto& a, const auto& b) { return core::value(a.id) < core::value(b.id); });
    g.apply(u);
    auto snap = g.snapshot();

    std::size_t live = 0;
    for (const auto& [id, t] : m.triples) live += t.retracted ? 0 : 1;
    REQUIRE(snap.triple_count() == live);

    for (int k = 0; k < 8; ++k) {
      graph::TripleQuery q;
      const auto mode = pick(0, 4);
      if (mode == 1) q.actor = static_cast<core::ActorIdx>(pick(1, n_actors));
      if (mode == 2) q.subject = static_cast<core::ActorIdx>(pick(1, n_actors));
      if (mode == 3) q.object = static_cast<core::ActorIdx>(pick(1, n_actors));
      if (mode == 4) {
        q.subject = static_cast<core::ActorIdx>(pick(1, n_actors));
        q.object = static_cast<core::ActorIdx>(pick(1, n_actors));
      }
      if (pick(0, 1)) q.filter.dates = {core::Date::from_days(static_cast<std::int32_t>(pick(0, 20))),
                                        core::Date::from_days(static_cast<std::int32_t>(pick(20, 40)))};
      if (pick(0, 1)) q.filter.relations.add(static_cast<core::RelationIdx>(pick(0, n_rel - 1)));
      q.filter.polarities = static_cast<std::uint8_t>(pick(1, 7));
      if (pick(0, 2) == 0) q.filter.min_confidence = 0.5f;
      q.filter.include_retracted = pick(0, 3) == 0;
      const std::size_t limit = pick(1, 30);
      std::optional<graph::TriplePosition> after;
      // Walk a few pages and compare each with the model.
      for (int page = 0; page < 4; ++page) {
        auto got = snap.triples(q, after, limit);
        auto want = m.query(q, after, limit);
        REQUIRE(same(got, want));
        if (got.empty()) break;
        after = graph::TriplePosition{got.back().date, got.back().id};
      }
      const auto a = pick(1, n_actors);
      const auto dir = static_cast<Direction>(pick(1, 3));
      auto agg = snap.relations(static_cast<core::ActorIdx>(a), dir, q.filter);
      auto want = m.relations(a, dir, q.filter);
      REQUIRE(agg.size() == want.size());
      for (const auto& x : agg) {
        auto it = want.find({core::value(x.neighbor), core::value(x.relation), static_cast<int>(x.direction)});
        REQUIRE(it != want.end());
        CHECK(x.count == it->second.first);
        CHECK(x.goldstein_total == Approx(it->second.second));
      }
    }
  }
}

TEST_CASE("a prepared version is invisible until installed, and only on the state it was built from", "[graph]") {
  RelationGraph g(relation_infos(8));
  g.load(actors(4), {rec(1, 1, 2, 3, 100)});
  graph::GraphUpdate first;
  first.triples = {rec(2, 2, 3, 4, 101)};
  auto prepared = g.prepare(first);
  CHECK(g.snapshot().triple_count() == 1);  // built, not published
  auto snap = g.install(std::move(prepared));
  CHECK(snap.triple_count() == 2);
  CHECK(g.snapshot().triple_count() == 2);

  // Prepared on a state that another update then replaced: refused, and nothing changes.
  graph::GraphUpdate second;
  second.triples = {rec(3, 3, 4, 1, 102)};
  auto stale = g.prepare(second);
  graph::GraphUpdate third;
  third.triples = {rec(4, 4, 5, 2, 103)};
  g.apply(third);
  CHECK_THROWS_AS(g.install(std::move(stale)), std::logic_error);
  CHECK(g.snapshot().triple_count() == 3);
  CHECK_THROWS_AS(g.install(graph::RelationGraph::Prepared{}), std::logic_error);
}
