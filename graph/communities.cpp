// Communities: connected components with Boost.Graph; Louvain written here (Debian's igraph has a
// multilevel method, but with a process-wide RNG and error handler that request threads would share).

#include "graph/analytics.hpp"
#include "graph/louvain.hpp"
#include "graph/projection.hpp"

#include <boost/graph/connected_components.hpp>
#include <boost/property_map/property_map.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace geokg::graph {

namespace detail {

namespace {

// One level of local moves; returns whether any vertex changed community.
bool move_nodes(const WeightedGraph& g, double gamma, std::vector<std::uint32_t>& comm) {
  const std::uint32_t n = g.size();
  std::vector<double> k(n, 0.0);
  double m2 = 0.0;
  for (std::uint32_t i = 0; i < n; ++i) {
    for (auto e = g.offsets[i]; e < g.offsets[i + 1]; ++e) k[i] += g.weights[e];
    m2 += k[i];
  }
  comm.resize(n);
  std::iota(comm.begin(), comm.end(), 0u);
  if (m2 <= 0.0) return false;
  std::vector<double> tot(k);
  std::vector<double> to_comm(n, 0.0);
  std::vector<std::uint8_t> seen(n, 0);
  std::vector<std::uint32_t> touched;
  bool any = false;
  // Every move raises modularity, so passes end; the cap only guards against rounding loops.
  for (int pass = 0; pass < 1000; ++pass) {
    bool moved = false;
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t ci = comm[i];
      for (auto e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
        const auto j = g.targets[e];
        if (j == i) continue;
        const auto c = comm[j];
        if (!seen[c]) {
          seen[c] = 1;
          touched.push_back(c);
        }
        to_comm[c] += g.weights[e];
      }
      tot[ci] -= k[i];
      std::uint32_t best = ci;
      double best_gain = to_comm[ci] - gamma * tot[ci] * k[i] / m2;
      const double eps = 1e-12 * std::max(1.0, m2);
      for (const auto c : touched) {
        const double gain = to_comm[c] - gamma * tot[c] * k[i] / m2;
        if (gain > best_gain + eps) {
          best = c;
          best_gain = gain;
        }
      }
      tot[best] += k[i];
      comm[i] = best;
      if (best != ci) moved = any = true;
      for (const auto c : touched) {
        seen[c] = 0;
        to_comm[c] = 0.0;
      }
      touched.clear();
    }
    if (!moved) break;
  }
  return any;
}

// Renumbers communities 0..count-1 in order of their first vertex; returns count.
std::uint32_t renumber(std::vector<std::uint32_t>& comm) {
  std::vector<std::uint32_t> id(comm.size(), UINT32_MAX);
  std::uint32_t count = 0;
  for (auto& c : comm) {
    if (id[c] == UINT32_MAX) id[c] = count++;
    c = id[c];
  }
  return count;
}

WeightedGraph aggregate(const WeightedGraph& g, const std::vector<std::uint32_t>& comm, std::uint32_t count) {
  std::vector<std::vector<std::uint32_t>> members(count);
  for (std::uint32_t i = 0; i < g.size(); ++i) members[comm[i]].push_back(i);
  WeightedGraph out;
  out.offsets.assign(1, 0);
  std::vector<double> acc(count, 0.0);
  std::vector<std::uint8_t> seen(count, 0);
  std::vector<std::uint32_t> touched;
  for (std::uint32_t c = 0; c < count; ++c) {
    for (const auto i : members[c])
      for (auto e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
        const auto d = comm[g.targets[e]];
        if (!seen[d]) {
          seen[d] = 1;
          touched.push_back(d);
        }
        acc[d] += g.weights[e];
      }
    std::sort(touched.begin(), touched.end());
    for (const auto d : touched) {
      out.targets.push_back(d);
      out.weights.push_back(acc[d]);
      acc[d] = 0.0;
      seen[d] = 0;
    }
    touched.clear();
    out.offsets.push_back(static_cast<std::uint32_t>(out.targets.size()));
  }
  return out;
}

}  // namespace

Partition louvain(const WeightedGraph& g0, double resolution) {
  Partition p;
  p.membership.resize(g0.size());
  std::iota(p.membership.begin(), p.membership.end(), 0u);
  p.count = g0.size();
  WeightedGraph g = g0;
  double q = modularity(g0, p.membership, resolution);
  for (;;) {
    std::vector<std::uint32_t> comm;
    if (!move_nodes(g, resolution, comm)) break;
    const std::uint32_t count = renumber(comm);
    std::vector<std::uint32_t> next(p.membership.size());
    for (std::size_t v = 0; v < next.size(); ++v) next[v] = comm[p.membership[v]];
    // Stop when a level no longer raises modularity (moves that only trade equal gains).
    const double next_q = modularity(g0, next, resolution);
    if (next_q <= q + 1e-12) break;
    q = next_q;
    p.membership = std::move(next);
    p.count = count;
    ++p.levels;
    if (count == g.size()) break;
    g = aggregate(g, comm, count);
  }
  return p;
}

double modularity(const WeightedGraph& g, const std::vector<std::uint32_t>& membership, double resolution) {
  const std::uint32_t n = g.size();
  std::uint32_t count = 0;
  for (auto c : membership) count = std::max(count, c + 1);
  std::vector<double> in(count, 0.0), tot(count, 0.0);
  double m2 = 0.0;
  for (std::uint32_t i = 0; i < n; ++i)
    for (auto e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
      const double w = g.weights[e];
      m2 += w;
      tot[membership[i]] += w;
      if (membership[g.targets[e]] == membership[i]) in[membership[i]] += w;
    }
  if (m2 <= 0.0) return 0.0;
  double q = 0.0;
  for (std::uint32_t c = 0; c < count; ++c) q += in[c] / m2 - resolution * (tot[c] / m2) * (tot[c] / m2);
  return q;
}

}  // namespace detail

CommunityResult communities(const Snapshot& snapshot, const CommunityQuery& q) {
  CommunityResult r;
  const auto p = detail::projection(snapshot.state(), q.filter);
  const std::uint32_t n = static_cast<std::uint32_t>(p->vertices());
  r.nodes = n;
  r.edges = p->dyads();
  if (n == 0) return r;

  detail::WeightedGraph g;
  g.offsets.assign(p->undirected.m_forward.m_rowstart.begin(), p->undirected.m_forward.m_rowstart.end());
  g.targets.assign(p->undirected.m_forward.m_column.begin(), p->undirected.m_forward.m_column.end());
  g.weights.assign(p->undirected_weight.begin(), p->undirected_weight.end());

  std::vector<std::uint32_t> membership(n, 0);
  if (q.algorithm == CommunityAlgorithm::components) {
    // The projection is symmetric, so a depth-first search from each root finds its component.
    boost::connected_components(
        p->undirected, boost::make_iterator_property_map(membership.begin(), get(boost::vertex_index, p->undirected)));
  } else {
    auto part = detail::louvain(g, q.resolution);
    membership = std::move(part.membership);
    r.levels = part.levels;
  }
  r.modularity = detail::modularity(g, membership, 1.0);

  std::uint32_t count = 0;
  for (auto c : membership) count = std::max(count, c + 1);
  r.communities.resize(count);
  std::vector<std::uint64_t> inside(count, 0);
  for (std::uint32_t v = 0; v < n; ++v) {
    r.communities[membership[v]].members.push_back(static_cast<ActorIdx>(v));  // vertex for now
    for (auto e = g.offsets[v]; e < g.offsets[v + 1]; ++e)
      if (membership[g.targets[e]] == membership[v]) inside[membership[v]] += p->undirected_weight[e];
  }
  for (std::uint32_t c = 0; c < count; ++c) {
    auto& m = r.communities[c].members;
    r.communities[c].weight = inside[c] / 2;
    std::sort(m.begin(), m.end(), [&](ActorIdx x, ActorIdx y) {
      const auto sx = p->strength[core::value(x)], sy = p->strength[core::value(y)];
      if (sx != sy) return sx > sy;
      return p->actor_of[core::value(x)] < p->actor_of[core::value(y)];
    });
    for (auto& a : m) a = static_cast<ActorIdx>(p->actor_of[core::value(a)]);
  }
  std::erase_if(r.communities, [](const Community& c) { return c.members.empty(); });
  std::sort(r.communities.begin(), r.communities.end(), [](const Community& x, const Community& y) {
    if (x.members.size() != y.members.size()) return x.members.size() > y.members.size();
    return core::value(*std::min_element(x.members.begin(), x.members.end(),
                                         [](ActorIdx a, ActorIdx b) { return core::value(a) < core::value(b); })) <
           core::value(*std::min_element(
               y.members.begin(), y.members.end(),
               [](ActorIdx a, ActorIdx b) { return core::value(a) < core::value(b); }));
  });
  return r;
}

}  // namespace geokg::graph
