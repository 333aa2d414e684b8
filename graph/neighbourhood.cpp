// Ego networks, dyad timelines and partners: local questions answered from the incident lists of
// the few nodes involved (no graph is built per filter).

#include "graph/analytics.hpp"
#include "graph/scan.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

namespace geokg::graph {

namespace {

using detail::Incident;
using detail::Neighbour;
using detail::Nodes;
using detail::Segment;

constexpr std::uint8_t unseen = 0xff;

std::chrono::year_month_day ymd(Date d) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{d.days()}}};
}
Date date_of(std::chrono::year_month_day x) {
  return Date::from_days(static_cast<std::int32_t>(std::chrono::sys_days{x}.time_since_epoch().count()));
}
int month_number(Date d) {
  const auto x = ymd(d);
  return static_cast<int>(x.year()) * 12 + static_cast<int>(static_cast<unsigned>(x.month())) - 1;
}

// The position of the bucket holding d, counted from the bucket starting at `first`.
std::int64_t bucket_index(Date first, Date d, Bucket b) {
  switch (b) {
    case Bucket::day:
      return std::int64_t{d.days()} - first.days();
    case Bucket::week:
      return (std::int64_t{bucket_start(d, b).days()} - first.days()) / 7;
    case Bucket::month:
      return month_number(d) - month_number(first);
    case Bucket::quarter:
      return (month_number(d) - month_number(first)) / 3;
    case Bucket::year:
      return static_cast<std::int64_t>(d.year()) - first.year();
  }
  return 0;
}

double goldstein_of(const State& s, std::uint16_t relation) {
  return relation < s.relations->size() ? (*s.relations)[relation].goldstein : 0.0;
}
std::uint8_t quad_of(const State& s, std::uint16_t relation) {
  return relation < s.relations->size() ? (*s.relations)[relation].quad_class : 0;
}

}  // namespace

Date bucket_start(Date d, Bucket b) {
  const auto x = ymd(d);
  switch (b) {
    case Bucket::day:
      return d;
    case Bucket::week:
      return Date::from_days(d.days() - static_cast<std::int32_t>((d.weekday() + 6) % 7));
    case Bucket::month:
      return date_of(x.year() / x.month() / std::chrono::day{1});
    case Bucket::quarter: {
      const unsigned m = (static_cast<unsigned>(x.month()) - 1) / 3 * 3 + 1;
      return date_of(x.year() / std::chrono::month{m} / std::chrono::day{1});
    }
    case Bucket::year:
      return date_of(x.year() / std::chrono::January / std::chrono::day{1});
  }
  return d;
}

Date next_bucket(Date start, Bucket b) {
  const auto x = ymd(start);
  switch (b) {
    case Bucket::day:
      return Date::from_days(start.days() + 1);
    case Bucket::week:
      return Date::from_days(start.days() + 7);
    case Bucket::month:
      return date_of(x + std::chrono::months{1});
    case Bucket::quarter:
      return date_of(x + std::chrono::months{3});
    case Bucket::year:
      return date_of(x + std::chrono::years{1});
  }
  return start;
}

// ---- ego network -------------------------------------------------------------------------------

Ego ego_network(const Snapshot& snapshot, const EgoQuery& q) {
  const State& s = *snapshot.state();
  const Nodes nodes(s, q.filter.rollup);
  const std::uint32_t limit = nodes.limit();
  const std::uint32_t min_count = std::max<std::uint32_t>(q.filter.min_count, 1);
  const auto& f = q.filter.triples;
  Ego ego;

  std::vector<std::uint8_t> hop(limit, unseen);
  std::vector<std::uint64_t> support(limit, 0);
  std::vector<std::uint32_t> seeds, frontier, next, reached;
  for (auto a : q.seeds) {
    const auto n = nodes.node(core::value(a));
    if (n >= limit || hop[n] == 0) continue;
    hop[n] = 0;
    seeds.push_back(n);
  }
  frontier = seeds;
  std::vector<Neighbour> neighbours;
  for (unsigned h = 0; h < q.hops && !f.dates.empty(); ++h) {
    next.clear();
    const auto reach = [&](std::uint32_t v, std::uint32_t w) {
      if (hop[v] == unseen) {
        hop[v] = static_cast<std::uint8_t>(h + 1);
        support[v] = w;
        next.push_back(v);
        reached.push_back(v);
      } else if (hop[v] == h + 1) {
        support[v] += w;
      }
    };
    for (const auto u : frontier) {
      if (min_count == 1) {
        // Every triple is an edge: no per-neighbour counts needed.
        detail::for_each_incident(s, nodes, f, u, [&](const Incident& inc) { reach(nodes.node(inc.other), 1); });
        continue;
      }
      detail::expand(s, nodes, f, u, neighbours, false);
      for (const auto& n : neighbours)
        if (n.out + n.in >= min_count) reach(n.node, n.out + n.in);
    }
    std::swap(frontier, next);
  }
  ego.total_nodes = seeds.size() + reached.size();

  // Keep the seeds, then the nearest and best supported.
  const std::size_t room = q.max_nodes > seeds.size() ? q.max_nodes - seeds.size() : 0;
  const auto rank = [&](std::uint32_t x, std::uint32_t y) {
    if (hop[x] != hop[y]) return hop[x] < hop[y];
    if (support[x] != support[y]) return support[x] > support[y];
    return x < y;
  };
  if (reached.size() > room) {
    std::partial_sort(reached.begin(), reached.begin() + static_cast<std::ptrdiff_t>(room), reached.end(), rank);
    reached.resize(room);
  } else {
    std::sort(reached.begin(), reached.end(), rank);
  }
  std::vector<std::uint32_t> kept = seeds;
  kept.insert(kept.end(), reached.begin(), reached.end());
  std::vector<std::int32_t> kept_index(limit, -1);
  for (std::size_t i = 0; i < kept.size(); ++i) kept_index[kept[i]] = static_cast<std::int32_t>(i);

  // Edges among the kept nodes, per (source, relation, target), each triple taken at its subject.
  const std::size_t R = s.relations->size() + 1;
  std::vector<std::uint32_t> slot(kept.size() * R, 0);  // 1 + index into edges; 0 = none
  std::vector<std::uint32_t> dyad(kept.size(), 0);
  std::vector<std::uint32_t> touched;
  std::vector<std::uint32_t> degree(kept.size(), 0);
  std::vector<EdgeAggregate> edges;
  for (std::size_t ui = 0; ui < kept.size() && !f.dates.empty(); ++ui) {
    const std::uint32_t u = kept[ui];
    const std::size_t first_edge = edges.size();
    detail::for_each_incident(s, nodes, f, u, [&](const Incident& inc) {
      const auto vi = kept_index[nodes.node(inc.other)];
      if (vi < 0) return;
      const auto v = static_cast<std::size_t>(vi);
      if (dyad[v]++ == 0) touched.push_back(static_cast<std::uint32_t>(v));
      if ((inc.dir & 1u) == 0) return;
      auto& e = slot[v * R + std::min<std::size_t>(inc.relation, R - 1)];
      const Date d = Date::from_days(inc.date);
      if (e == 0) {
        edges.push_back({static_cast<ActorIdx>(u), static_cast<ActorIdx>(kept[v]),
                         static_cast<RelationIdx>(inc.relation), 0, 0.0, d, d});
        e = static_cast<std::uint32_t>(edges.size() - first_edge);
      }
      auto& agg = edges[first_edge + e - 1];
      ++agg.count;
      agg.goldstein_total += goldstein_of(s, inc.relation);
      agg.first_date = std::min(agg.first_date, d);
      agg.last_date = std::max(agg.last_date, d);
    });
    for (auto v : touched)
      if (dyad[v] >= min_count) ++degree[ui];
    // Drop the edges of dyads below min_count; clear the slots for the next node.
    std::size_t w = first_edge;
    for (std::size_t i = first_edge; i < edges.size(); ++i) {
      const auto v = static_cast<std::size_t>(kept_index[core::value(edges[i].target)]);
      slot[v * R + std::min<std::size_t>(core::value(edges[i].relation), R - 1)] = 0;
      if (dyad[v] >= min_count) edges[w++] = edges[i];
    }
    edges.resize(w);
    for (auto v : touched) dyad[v] = 0;
    touched.clear();
  }
  ego.total_edges = edges.size();
  const auto by_count = [](const EdgeAggregate& x, const EdgeAggregate& y) {
    if (x.count != y.count) return x.count > y.count;
    return std::tuple(core::value(x.source), core::value(x.target), core::value(x.relation)) <
           std::tuple(core::value(y.source), core::value(y.target), core::value(y.relation));
  };
  if (edges.size() > q.max_edges) {
    std::partial_sort(edges.begin(), edges.begin() + static_cast<std::ptrdiff_t>(q.max_edges), edges.end(), by_count);
    edges.resize(q.max_edges);
  } else {
    std::sort(edges.begin(), edges.end(), by_count);
  }
  ego.edges = std::move(edges);
  for (std::size_t i = 0; i < kept.size(); ++i)
    ego.nodes.push_back({static_cast<ActorIdx>(kept[i]), hop[kept[i]], support[kept[i]], degree[i]});
  return ego;
}

// ---- dyad timeline -----------------------------------------------------------------------------

Timeline dyad_timeline(const Snapshot& snapshot, const TimelineQuery& q) {
  const State& s = *snapshot.state();
  const Nodes nodes(s, q.filter.rollup);
  const auto& f = q.filter.triples;
  Timeline t;
  const std::uint32_t a = nodes.node(core::value(q.a));
  const std::uint32_t b = nodes.node(core::value(q.b));
  if (a == b || a >= nodes.limit() || b >= nodes.limit() || f.dates.empty()) return t;

  // The dyad's triples as (date, relation), scanned from the end with the shorter lists.
  const bool from_a = nodes.degree(a) <= nodes.degree(b);
  const std::uint32_t scan = from_a ? a : b;
  const std::uint32_t other = from_a ? b : a;
  // Incident direction bit that means a -> b, seen from the scanned end.
  const std::uint8_t forward_bit = from_a ? 1 : 2;
  const auto wanted = [&](std::uint8_t dir) {
    switch (q.direction) {
      case Direction::out:
        return (dir & forward_bit) != 0;
      case Direction::in:
        return (dir & (3u ^ forward_bit)) != 0;
      case Direction::both:
        return true;
    }
    return true;
  };
  struct Item {
    std::int32_t date;
    std::uint16_t relation;
  };
  std::vector<Item> items;
  if (!nodes.rollup()) {
    s.for_each_segment([&](const Segment& seg) {
      const auto positions = seg.by_other_of(scan);
      const auto& inc = seg.incidents;
      auto lo = std::lower_bound(positions.begin(), positions.end(), other,
                                 [&](std::uint32_t p, std::uint32_t o) { return inc[p].other < o; });
      for (auto it = lo; it != positions.end() && inc[*it].other == other; ++it) {
        const Incident& x = inc[*it];
        if (!f.dates.contains(Date::from_days(x.date)) || !wanted(x.dir) || !detail::admits(s, x, f)) continue;
        items.push_back({x.date, x.relation});
      }
    });
  } else {
    detail::for_each_incident(s, nodes, f, scan, [&](const Incident& x) {
      if (nodes.node(x.other) == other && wanted(x.dir)) items.push_back({x.date, x.relation});
    });
  }
  if (items.size() < std::max<std::uint32_t>(q.filter.min_count, 1)) items.clear();
  t.total = items.size();

  std::int32_t lo = std::numeric_limits<std::int32_t>::max(), hi = std::numeric_limits<std::int32_t>::min();
  for (const auto& i : items) {
    lo = std::min(lo, i.date);
    hi = std::max(hi, i.date);
  }
  const bool given_since = f.dates.since.days() != std::numeric_limits<std::int32_t>::min();
  const bool given_until = f.dates.until.days() != std::numeric_limits<std::int32_t>::max();
  if (items.empty() && !(given_since && given_until)) return t;
  const Date first = bucket_start(given_since ? f.dates.since : Date::from_days(lo), q.bucket);
  const Date last = bucket_start(given_until ? f.dates.until : Date::from_days(hi), q.bucket);
  const auto n = bucket_index(first, last, q.bucket) + 1;
  t.needed_buckets = static_cast<std::size_t>(std::max<std::int64_t>(n, 0));
  if (t.needed_buckets > q.max_buckets || t.needed_buckets == 0) return t;

  const std::size_t R = s.relations->size() + 1;
  std::vector<std::uint32_t> per_relation(t.needed_buckets * R, 0);
  t.buckets.resize(t.needed_buckets);
  Date d = first;
  for (auto& bucket : t.buckets) {
    bucket.start = d;
    d = next_bucket(d, q.bucket);
  }
  for (const auto& i : items) {
    const auto k = static_cast<std::size_t>(bucket_index(first, Date::from_days(i.date), q.bucket));
    auto& bucket = t.buckets[k];
    ++bucket.count;
    bucket.goldstein_total += goldstein_of(s, i.relation);
    const auto quad = quad_of(s, i.relation);
    if (quad >= 1 && quad <= 4) ++bucket.by_quad_class[quad - 1u];
    ++per_relation[k * R + std::min<std::size_t>(i.relation, R - 1)];
  }
  for (std::size_t k = 0; k < t.buckets.size(); ++k) {
    auto& top = t.buckets[k].top_relations;
    for (std::size_t r = 0; r < R; ++r) {
      const auto c = per_relation[k * R + r];
      if (c == 0) continue;
      if (top.size() == 3 && c <= top.back().second) continue;
      if (top.size() == 3) top.pop_back();
      const auto at = std::find_if(top.begin(), top.end(), [&](const auto& x) { return x.second < c; });
      top.insert(at, {static_cast<RelationIdx>(r), c});
    }
  }
  return t;
}

// ---- partners ----------------------------------------------------------------------------------

std::vector<Partner> partners(const Snapshot& snapshot, ActorIdx actor, const GraphFilter& filter) {
  const State& s = *snapshot.state();
  const Nodes nodes(s, filter.rollup);
  const auto& f = filter.triples;
  std::vector<Partner> out;
  const std::uint32_t a = nodes.node(core::value(actor));
  if (a >= nodes.limit() || f.dates.empty()) return out;
  std::vector<std::uint32_t> index(nodes.limit(), 0);  // 1 + position in out
  detail::for_each_incident(s, nodes, f, a, [&](const Incident& inc) {
    const auto n = nodes.node(inc.other);
    auto& i = index[n];
    const Date d = Date::from_days(inc.date);
    if (i == 0) {
      Partner p;
      p.actor = static_cast<ActorIdx>(n);
      p.first_date = d;
      p.last_date = d;
      out.push_back(p);
      i = static_cast<std::uint32_t>(out.size());
    }
    Partner& p = out[i - 1];
    ++p.count;
    if (inc.dir & 1u) ++p.out;
    if (inc.dir & 2u) ++p.in;
    const auto quad = quad_of(s, inc.relation);
    if (quad >= 1 && quad <= 4) ++p.by_quad_class[quad - 1u];
    p.goldstein_net += goldstein_of(s, inc.relation);
    p.first_date = std::min(p.first_date, d);
    p.last_date = std::max(p.last_date, d);
  });
  const std::uint32_t min_count = std::max<std::uint32_t>(filter.min_count, 1);
  std::erase_if(out, [&](const Partner& p) { return p.count < min_count; });
  std::sort(out.begin(), out.end(), [](const Partner& x, const Partner& y) {
    if (x.count != y.count) return x.count > y.count;
    return core::value(x.actor) < core::value(y.actor);
  });
  return out;
}

}  // namespace geokg::graph
