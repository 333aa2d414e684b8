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

  // Per node, set for the seeds and the reached nodes only (and put back to blank for them when
  // done): hops from the seeds, support, and position among the kept nodes.
  struct Hop;
  struct Support;
  struct KeptIndex;
  auto& hop = detail::thread_array<Hop, std::uint8_t>(limit, unseen);
  auto& support = detail::thread_array<Support, std::uint64_t>(limit, 0);
  auto& kept_index = detail::thread_array<KeptIndex, std::uint16_t>(limit, 0);
  std::vector<std::uint32_t> seeds, frontier, next, reached;
  const detail::AtExit reset([&] {
    for (const auto* nodes_set : {&seeds, &reached}) {
      for (const auto x : *nodes_set) {
        hop[x] = unseen;
        support[x] = 0;
        kept_index[x] = 0;
      }
    }
  });
  for (auto a : q.seeds) {
    const auto n = nodes.node(core::value(a));
    if (n >= limit || hop[n] == 0) continue;
    hop[n] = 0;
    seeds.push_back(n);
  }
  frontier = seeds;
  std::vector<Neighbour> neighbours;
  std::vector<std::uint32_t> counts;
  for (unsigned h = 0; h < q.hops && !f.dates.empty(); ++h) {
    next.clear();
    // The last layer, when the nearer nodes already fill max_nodes, only has to be found, not
    // ranked: search up from the unvisited nodes when their lists are shorter than the
    // frontier's, stopping at the first frontier neighbour (Beamer's direction-optimising BFS).
    if (h + 1 == q.hops && seeds.size() + reached.size() >= q.max_nodes) {
      std::size_t down = 0, up = 0;
      for (const auto u : frontier) down += nodes.degree(u);
      for (std::uint32_t x = 0; x < limit && up < down; ++x)
        if (hop[x] == unseen && nodes.node(x) == x) up += nodes.degree(x);
      if (up < down) {
        if (min_count > 1) counts.assign(limit, 0);
        std::vector<std::uint32_t> touched;
        for (std::uint32_t x = 0; x < limit; ++x) {
          if (hop[x] != unseen || nodes.node(x) != x) continue;
          bool found = false;
          detail::for_each_incident_while(s, nodes, f, x, [&](const Incident& inc) {
            const auto v = nodes.node(inc.other);
            if (hop[v] != h) return true;
            if (min_count > 1) {
              if (counts[v]++ == 0) touched.push_back(v);
              if (counts[v] < min_count) return true;
            }
            found = true;
            return false;
          });
          for (auto v : touched) counts[v] = 0;
          touched.clear();
          if (found) {
            hop[x] = static_cast<std::uint8_t>(h + 1);
            reached.push_back(x);
          }
        }
        break;
      }
    }
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
  const std::size_t max_nodes = std::min<std::size_t>(q.max_nodes, 65535);  // kept indexes are 16-bit
  const std::size_t room = max_nodes > seeds.size() ? max_nodes - seeds.size() : 0;
  const auto rank = [&](std::uint32_t x, std::uint32_t y) {
    if (hop[x] != hop[y]) return hop[x] < hop[y];
    if (support[x] != support[y]) return support[x] > support[y];
    return x < y;
  };
  if (reached.size() > room) {
    std::partial_sort(reached.begin(), reached.begin() + static_cast<std::ptrdiff_t>(room), reached.end(), rank);
    for (auto x = reached.begin() + static_cast<std::ptrdiff_t>(room); x != reached.end(); ++x) {
      hop[*x] = unseen;
      support[*x] = 0;
    }
    reached.resize(room);
  } else {
    std::sort(reached.begin(), reached.end(), rank);
  }
  std::vector<std::uint32_t> kept = seeds;
  kept.insert(kept.end(), reached.begin(), reached.end());
  // Most incidents of the kept hubs lead outside the kept set: a bitmap answers that from L1.
  std::vector<std::uint64_t> is_kept((limit >> 6) + 1, 0);
  for (std::size_t i = 0; i < kept.size(); ++i) {
    is_kept[kept[i] >> 6] |= std::uint64_t{1} << (kept[i] & 63u);
    kept_index[kept[i]] = static_cast<std::uint16_t>(i);
  }

  // Edges among the kept nodes, per (source, relation, target), each triple taken at its subject:
  // per node, its incidents with kept nodes are bucketed by neighbour (a counting sort), then each
  // dyad's are aggregated per relation in a small array.
  struct Item {
    std::uint16_t neighbour;
    std::uint16_t relation;
    std::int32_t date;
    std::uint8_t dir;
  };
  const std::size_t R = s.relations->size() + 1;
  std::vector<Item> items, sorted;
  std::vector<std::uint32_t> bucket(kept.size() + 1, 0);
  struct PerRelation {
    std::uint32_t count = 0;
    std::int32_t first = 0, last = 0;
  };
  std::vector<PerRelation> per_relation(R);
  std::vector<std::uint16_t> relations_seen;
  std::vector<std::uint32_t> degree(kept.size(), 0);
  // Hub dyads carry dozens of relations each: keep only the best max_edges in a heap.
  const auto by_count = [](const EdgeAggregate& x, const EdgeAggregate& y) {
    if (x.count != y.count) return x.count > y.count;
    return std::tuple(core::value(x.source), core::value(x.target), core::value(x.relation)) <
           std::tuple(core::value(y.source), core::value(y.target), core::value(y.relation));
  };
  std::vector<EdgeAggregate> edges;  // a heap whose front is the worst kept edge
  const auto offer = [&](const EdgeAggregate& e) {
    ++ego.total_edges;
    if (edges.size() < q.max_edges) {
      edges.push_back(e);
      std::push_heap(edges.begin(), edges.end(), by_count);
    } else if (!edges.empty() && by_count(e, edges.front())) {
      std::pop_heap(edges.begin(), edges.end(), by_count);
      edges.back() = e;
      std::push_heap(edges.begin(), edges.end(), by_count);
    }
  };
  for (std::size_t ui = 0; ui < kept.size() && !f.dates.empty(); ++ui) {
    const std::uint32_t u = kept[ui];
    items.clear();
    detail::for_each_incident(s, nodes, f, u, [&](const Incident& inc) {
      const auto v = nodes.node(inc.other);
      if (((is_kept[v >> 6] >> (v & 63u)) & 1u) == 0) return;
      items.push_back({kept_index[v], static_cast<std::uint16_t>(std::min<std::size_t>(inc.relation, R - 1)), inc.date,
                       inc.dir});
    });
    std::fill(bucket.begin(), bucket.end(), 0);
    for (const auto& it : items) ++bucket[it.neighbour + 1u];
    for (std::size_t k = 1; k < bucket.size(); ++k) bucket[k] += bucket[k - 1];
    sorted.resize(items.size());
    {
      std::vector<std::uint32_t> at(bucket.begin(), bucket.end() - 1);
      for (const auto& it : items) sorted[at[it.neighbour]++] = it;
    }
    for (std::size_t v = 0; v < kept.size(); ++v) {
      const auto b = bucket[v], e = bucket[v + 1];
      if (e - b < min_count || e == b) continue;  // the dyad's triples, both directions
      ++degree[ui];
      for (auto k = b; k < e; ++k) {
        const Item& it = sorted[k];
        if ((it.dir & 1u) == 0) continue;
        auto& pr = per_relation[it.relation];
        if (pr.count++ == 0) {
          relations_seen.push_back(it.relation);
          pr.first = pr.last = it.date;
        }
        pr.first = std::min(pr.first, it.date);
        pr.last = std::max(pr.last, it.date);
      }
      std::sort(relations_seen.begin(), relations_seen.end());
      for (const auto r : relations_seen) {
        auto& pr = per_relation[r];
        offer({static_cast<ActorIdx>(u), static_cast<ActorIdx>(kept[v]), static_cast<RelationIdx>(r), pr.count,
               goldstein_of(s, r) * pr.count, Date::from_days(pr.first), Date::from_days(pr.last)});
        pr = PerRelation{};
      }
      relations_seen.clear();
    }
  }
  std::sort_heap(edges.begin(), edges.end(), by_count);
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
  {
    struct PartnerIndex;  // 1 + position in out, for the nodes in out
    auto& index = detail::thread_array<PartnerIndex, std::uint32_t>(nodes.limit(), 0);
    const detail::AtExit reset([&] {
      for (const Partner& p : out) index[core::value(p.actor)] = 0;
    });
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
  }
  const std::uint32_t min_count = std::max<std::uint32_t>(filter.min_count, 1);
  std::erase_if(out, [&](const Partner& p) { return p.count < min_count; });
  std::sort(out.begin(), out.end(), [](const Partner& x, const Partner& y) {
    if (x.count != y.count) return x.count > y.count;
    return core::value(x.actor) < core::value(y.actor);
  });
  return out;
}

}  // namespace geokg::graph
