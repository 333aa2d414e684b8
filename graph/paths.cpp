// k shortest simple paths. Boost.Graph has no k-shortest-simple-paths (Yen) and no bounded
// bidirectional search, so both are written here over the filtered incident lists: no graph has
// to be built per filter, and a search from two minor actors never touches the hubs' lists.

#include "graph/analytics.hpp"
#include "graph/scan.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <tuple>

namespace geokg::graph {

namespace {

using detail::Neighbour;
using detail::Nodes;

constexpr std::uint8_t unseen = 0xff;

// A path as node sequence with the weight of each hop.
struct RawPath {
  std::vector<std::uint32_t> nodes;
  std::vector<std::uint32_t> weights;  // weights[i]: hop nodes[i] -> nodes[i+1]
  std::uint64_t support = 0;
  std::size_t hops() const noexcept { return weights.size(); }
};

// Lexicographic order of the result: hops ascending, support descending, then node sequence.
bool better(const RawPath& a, const RawPath& b) {
  if (a.hops() != b.hops()) return a.hops() < b.hops();
  if (a.support != b.support) return a.support > b.support;
  return a.nodes < b.nodes;
}

// One side of a bidirectional search, in dense arrays reset through `touched`.
struct Side {
  std::vector<std::uint8_t> dist;
  std::vector<std::uint64_t> best;
  std::vector<std::uint32_t> parent, weight;
  std::vector<std::uint32_t> touched, frontier, next;
  std::uint8_t depth = 0;

  void prepare(std::uint32_t limit) {
    if (dist.size() < limit) {
      dist.assign(limit, unseen);
      best.assign(limit, 0);
      parent.assign(limit, 0);
      weight.assign(limit, 0);
    }
  }
  void reset() {
    for (auto n : touched) dist[n] = unseen;
    touched.clear();
    frontier.clear();
    next.clear();
    depth = 0;
  }
  void start(std::uint32_t n) {
    dist[n] = 0;
    best[n] = 0;
    parent[n] = n;
    weight[n] = 0;
    touched.push_back(n);
    frontier.push_back(n);
  }
};

struct Scratch {
  Side fwd, bwd;
  std::vector<std::uint8_t> banned;
  std::vector<Neighbour> neighbours;
};

Scratch& thread_scratch(std::uint32_t limit) {
  thread_local Scratch s;
  s.fwd.prepare(limit);
  s.bwd.prepare(limit);
  if (s.banned.size() < limit) s.banned.assign(limit, 0);
  return s;
}

class Searcher {
 public:
  Searcher(const State& s, const Nodes& nodes, const GraphFilter& f, bool directed)
      : s_(s),
        nodes_(nodes),
        f_(f),
        directed_(directed),
        min_count_(std::max<std::uint32_t>(f.min_count, 1)),
        scratch_(thread_scratch(nodes.limit())) {}

  std::vector<std::uint8_t>& banned() { return scratch_.banned; }

  // The best path (fewest hops, then most support) from src to dst of at most max_hops hops that
  // avoids banned nodes and the edges src -> x for x in banned_first.
  std::optional<RawPath> best_path(std::uint32_t src, std::uint32_t dst, std::size_t max_hops,
                                   const std::vector<std::uint32_t>& banned_first) {
    Side& F = scratch_.fwd;
    Side& B = scratch_.bwd;
    F.reset();
    B.reset();
    if (src == dst || max_hops == 0) return std::nullopt;
    F.start(src);
    B.start(dst);
    const auto first_banned = [&](std::uint32_t x) {
      return std::find(banned_first.begin(), banned_first.end(), x) != banned_first.end();
    };
    while (F.depth + B.depth + 1u <= max_hops) {
      if (F.frontier.empty() || B.frontier.empty()) return std::nullopt;
      const bool forward = cost(F.frontier) <= cost(B.frontier);
      Side& X = forward ? F : B;
      Side& O = forward ? B : F;
      X.next.clear();
      for (const std::uint32_t u : X.frontier) {
        detail::expand(s_, nodes_, f_.triples, u, scratch_.neighbours, false);
        for (const Neighbour& n : scratch_.neighbours) {
          // Forward travels u -> x; backward x -> u.
          const std::uint32_t w = directed_ ? (forward ? n.out : n.in) : n.out + n.in;
          if (w < min_count_) continue;
          const std::uint32_t x = n.node;
          if (scratch_.banned[x]) continue;
          if (forward ? (u == src && first_banned(x)) : (x == src && first_banned(u))) continue;
          const std::uint64_t b = X.best[u] + w;
          if (X.dist[x] == unseen) {
            X.dist[x] = static_cast<std::uint8_t>(X.depth + 1);
            X.best[x] = b;
            X.parent[x] = u;
            X.weight[x] = w;
            X.touched.push_back(x);
            X.next.push_back(x);
          } else if (X.dist[x] == X.depth + 1 && (b > X.best[x] || (b == X.best[x] && u < X.parent[x]))) {
            X.best[x] = b;
            X.parent[x] = u;
            X.weight[x] = w;
          }
        }
      }
      ++X.depth;
      std::swap(X.frontier, X.next);
      // The first meetings give the distance; every shortest path crosses this layer.
      std::optional<std::uint32_t> meet;
      for (const std::uint32_t x : X.frontier) {
        if (O.dist[x] == unseen) continue;
        if (!meet || F.best[x] + B.best[x] > F.best[*meet] + B.best[*meet] ||
            (F.best[x] + B.best[x] == F.best[*meet] + B.best[*meet] && x < *meet))
          meet = x;
      }
      if (meet) return assemble(*meet);
    }
    return std::nullopt;
  }

 private:
  std::size_t cost(const std::vector<std::uint32_t>& frontier) const {
    std::size_t c = 0;
    for (auto n : frontier) c += nodes_.degree(n);
    return c;
  }

  RawPath assemble(std::uint32_t meet) const {
    const Side& F = scratch_.fwd;
    const Side& B = scratch_.bwd;
    RawPath p;
    p.nodes.push_back(meet);
    for (std::uint32_t x = meet; F.dist[x] != 0; x = F.parent[x]) {
      p.weights.push_back(F.weight[x]);
      p.nodes.push_back(F.parent[x]);
    }
    std::reverse(p.nodes.begin(), p.nodes.end());
    std::reverse(p.weights.begin(), p.weights.end());
    for (std::uint32_t x = meet; B.dist[x] != 0; x = B.parent[x]) {
      p.weights.push_back(B.weight[x]);
      p.nodes.push_back(B.parent[x]);
    }
    for (auto w : p.weights) p.support += w;
    return p;
  }

  const State& s_;
  const Nodes& nodes_;
  const GraphFilter& f_;
  bool directed_;
  std::uint32_t min_count_;
  Scratch& scratch_;
};

// What a hop reports: the counted triples between its ends, their top relation and an example.
PathHop describe_hop(const State& s, const Nodes& nodes, const GraphFilter& f, bool directed, std::uint32_t from,
                     std::uint32_t to) {
  PathHop h;
  h.from = static_cast<ActorIdx>(from);
  h.to = static_cast<ActorIdx>(to);
  const bool from_side = nodes.degree(from) <= nodes.degree(to);
  const std::uint32_t scan = from_side ? from : to;
  const std::uint32_t other = from_side ? to : from;
  struct PerRelation {
    std::uint32_t count = 0;
    std::int32_t date = std::numeric_limits<std::int32_t>::min();
    std::uint32_t triple = 0;
  };
  std::vector<PerRelation> rel(s.relations->size() + 1);
  detail::for_each_incident(s, nodes, f.triples, scan, [&](const detail::Incident& inc) {
    if (nodes.node(inc.other) != other) return;
    // Directed hops count only triples from -> to: seen from `from` they are outgoing.
    if (directed && (inc.dir & (from_side ? 1u : 2u)) == 0) return;
    auto& r = rel[std::min<std::size_t>(inc.relation, rel.size() - 1)];
    ++r.count;
    ++h.triple_count;
    if (std::pair(inc.date, inc.triple) > std::pair(r.date, r.triple)) {
      r.date = inc.date;
      r.triple = inc.triple;
    }
  });
  if (h.triple_count == 0) return h;
  std::size_t top = 0;
  for (std::size_t i = 1; i < rel.size(); ++i)
    if (rel[i].count > rel[top].count) top = i;
  h.relation = static_cast<RelationIdx>(top);
  h.example = static_cast<TripleId>(std::int64_t{rel[top].triple} + 1);
  const detail::Row& row = s.row(rel[top].triple);
  h.subject = static_cast<ActorIdx>(nodes.node(row.subject));
  h.object = static_cast<ActorIdx>(nodes.node(row.object));
  return h;
}

}  // namespace

std::vector<Path> k_shortest_paths(const Snapshot& snapshot, const PathQuery& q) {
  const State& s = *snapshot.state();
  const Nodes nodes(s, q.filter.rollup);
  const std::uint32_t src = nodes.node(core::value(q.source));
  const std::uint32_t dst = nodes.node(core::value(q.target));
  std::vector<Path> out;
  if (src == dst || src >= nodes.limit() || dst >= nodes.limit() || q.k == 0 || q.filter.triples.dates.empty())
    return out;

  Searcher search(s, nodes, q.filter, q.directed);
  auto& banned = search.banned();
  std::vector<std::uint32_t> banned_list;
  const auto ban = [&](std::uint32_t n) {
    if (n < banned.size() && !banned[n]) {
      banned[n] = 1;
      banned_list.push_back(n);
    }
  };
  const auto unban_to = [&](std::size_t keep) {
    while (banned_list.size() > keep) {
      banned[banned_list.back()] = 0;
      banned_list.pop_back();
    }
  };
  for (auto a : q.exclude) {
    const auto n = nodes.node(core::value(a));
    if (n != src && n != dst) ban(n);
  }
  const std::size_t excluded = banned_list.size();

  std::vector<RawPath> found;
  if (auto first = search.best_path(src, dst, q.max_hops, {})) found.push_back(std::move(*first));
  auto cmp = [](const RawPath& a, const RawPath& b) { return better(a, b); };
  std::set<RawPath, decltype(cmp)> candidates(cmp);
  std::set<std::vector<std::uint32_t>> seen;
  if (!found.empty()) seen.insert(found.front().nodes);

  while (!found.empty() && found.size() < q.k) {
    const RawPath prev = found.back();
    std::uint64_t root_support = 0;
    for (std::size_t i = 0; i < prev.hops() && i < q.max_hops; ++i) {
      const std::uint32_t spur = prev.nodes[i];
      std::vector<std::uint32_t> banned_first;
      for (const auto& p : found)
        if (p.nodes.size() > i + 1 &&
            std::equal(p.nodes.begin(), p.nodes.begin() + static_cast<std::ptrdiff_t>(i) + 1, prev.nodes.begin()))
          banned_first.push_back(p.nodes[i + 1]);
      for (std::size_t j = 0; j < i; ++j) ban(prev.nodes[j]);
      auto spur_path = search.best_path(spur, dst, q.max_hops - i, banned_first);
      unban_to(excluded);
      if (spur_path) {
        RawPath total;
        total.nodes.assign(prev.nodes.begin(), prev.nodes.begin() + static_cast<std::ptrdiff_t>(i));
        total.weights.assign(prev.weights.begin(), prev.weights.begin() + static_cast<std::ptrdiff_t>(i));
        total.nodes.insert(total.nodes.end(), spur_path->nodes.begin(), spur_path->nodes.end());
        total.weights.insert(total.weights.end(), spur_path->weights.begin(), spur_path->weights.end());
        total.support = root_support + spur_path->support;
        if (seen.insert(total.nodes).second) candidates.insert(std::move(total));
      }
      root_support += prev.weights[i];
    }
    if (candidates.empty()) break;
    found.push_back(*candidates.begin());
    candidates.erase(candidates.begin());
  }
  unban_to(0);

  for (const auto& p : found) {
    Path path;
    path.support = p.support;
    for (auto n : p.nodes) path.actors.push_back(static_cast<ActorIdx>(n));
    for (std::size_t i = 0; i < p.hops(); ++i)
      path.hops.push_back(describe_hop(s, nodes, q.filter, q.directed, p.nodes[i], p.nodes[i + 1]));
    out.push_back(std::move(path));
  }
  return out;
}

}  // namespace geokg::graph
