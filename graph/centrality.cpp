// Centrality on the projection: degrees, PageRank and betweenness with Boost.Graph.

#include "graph/analytics.hpp"
#include "graph/projection.hpp"

#include <boost/graph/betweenness_centrality.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/page_rank.hpp>
#include <boost/property_map/property_map.hpp>
#include <boost/range/iterator_range.hpp>

#include <algorithm>
#include <cmath>
#include <random>

namespace geokg::graph {

namespace {

using detail::Csr;
using Vertex = boost::graph_traits<Csr>::vertex_descriptor;

// Stops Boost's page_rank when the ranks change by less than `tolerance` of their sum (L1).
struct Converged {
  std::vector<double>* previous;
  unsigned* calls;
  unsigned max_iterations;
  double tolerance;
  template <class RankMap, class Graph>
  bool operator()(const RankMap& rank, const Graph& g) {
    double change = 0.0, sum = 0.0;
    for (Vertex v = 0; v < num_vertices(g); ++v) {
      const double x = static_cast<double>(get(rank, v));
      change += std::abs(x - (*previous)[v]);
      sum += x;
      (*previous)[v] = x;
    }
    return (*calls)++ > max_iterations || (*calls > 1 && change <= tolerance * sum);
  }
};

// Brandes' accumulation from one source, over Boost's breadth-first search.
class Brandes {
 public:
  explicit Brandes(const Csr& g)
      : g_(g),
        dist_(num_vertices(g), -1),
        sigma_(num_vertices(g), 0.0),
        delta_(num_vertices(g), 0.0),
        color_(num_vertices(g)) {}

  void accumulate(Vertex s, std::vector<double>& bc) {
    order_.clear();
    dist_[s] = 0;
    sigma_[s] = 1.0;
    struct Visitor : boost::default_bfs_visitor {
      Brandes* b;
      void discover_vertex(Vertex u, const Csr&) const { b->order_.push_back(u); }
      void tree_edge(boost::graph_traits<Csr>::edge_descriptor e, const Csr& g) const {
        const auto u = source(e, g), w = target(e, g);
        b->dist_[w] = b->dist_[u] + 1;
        b->sigma_[w] = b->sigma_[u];
      }
      void non_tree_edge(boost::graph_traits<Csr>::edge_descriptor e, const Csr& g) const {
        const auto u = source(e, g), w = target(e, g);
        if (b->dist_[w] == b->dist_[u] + 1) b->sigma_[w] += b->sigma_[u];
      }
    } vis;
    vis.b = this;
    boost::breadth_first_search(
        g_, s,
        boost::visitor(vis).color_map(boost::make_iterator_property_map(color_.begin(), get(boost::vertex_index, g_))));
    // The graph is symmetric: predecessors of w are its neighbours one step nearer the source.
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
      const Vertex w = *it;
      for (const Vertex v : boost::make_iterator_range(adjacent_vertices(w, g_)))
        if (dist_[v] == dist_[w] - 1) delta_[v] += sigma_[v] / sigma_[w] * (1.0 + delta_[w]);
      if (w != s) bc[w] += delta_[w];
    }
    for (const Vertex v : order_) {
      dist_[v] = -1;
      sigma_[v] = 0.0;
      delta_[v] = 0.0;
    }
  }

 private:
  const Csr& g_;
  std::vector<std::int64_t> dist_;
  std::vector<double> sigma_, delta_;
  std::vector<boost::default_color_type> color_;
  std::vector<Vertex> order_;
};

// Exact betweenness is O(V E); above this the sampled estimate is used unless samples are given.
constexpr double exact_betweenness_work = 2e8;
constexpr std::size_t default_samples = 64;

}  // namespace

CentralityResult centrality(const Snapshot& snapshot, const CentralityQuery& q) {
  CentralityResult r;
  const auto p = detail::projection(snapshot.state(), q.filter);
  const std::size_t n = p->vertices();
  r.nodes = n;
  std::vector<double> score(n, 0.0);
  switch (q.metric) {
    case Centrality::degree:
      r.edges = p->dyads();
      for (Vertex v = 0; v < n; ++v) score[v] = static_cast<double>(out_degree(v, p->undirected));
      break;
    case Centrality::out_degree:
      r.edges = num_edges(p->directed);
      for (Vertex v = 0; v < n; ++v) score[v] = static_cast<double>(out_degree(v, p->directed));
      break;
    case Centrality::in_degree:
      r.edges = num_edges(p->directed);
      for (const auto e : boost::make_iterator_range(edges(p->directed))) score[target(e, p->directed)] += 1.0;
      break;
    case Centrality::pagerank: {
      r.edges = num_edges(p->directed);
      if (n == 0) break;
      // Single precision halves the memory the iterations stream through; the sums are
      // normalised in double below.
      std::vector<float> rank(n), other(n);
      std::vector<double> previous(n, 0.0);
      unsigned calls = 0;
      const auto index = get(boost::vertex_index, p->directed);
      boost::graph::page_rank(p->directed, boost::make_iterator_property_map(rank.begin(), index),
                              Converged{&previous, &calls, 200, 1e-6}, static_cast<float>(q.damping),
                              static_cast<Vertex>(n), boost::make_iterator_property_map(other.begin(), index));
      for (Vertex v = 0; v < n; ++v) score[v] = static_cast<double>(rank[v]);
      r.iterations = calls > 0 ? calls - 1 : 0;
      // Boost leaks the rank of nodes without successors; normalised, the ranks equal PageRank with
      // that rank spread uniformly (both are proportional to (I - d P^T)^-1 1).
      double sum = 0.0;
      for (double x : score) sum += x;
      if (sum > 0.0)
        for (double& x : score) x /= sum;
      break;
    }
    case Centrality::betweenness: {
      r.edges = p->dyads();
      if (n == 0) break;
      std::size_t samples = q.samples;
      if (samples == 0 &&
          static_cast<double>(n) * static_cast<double>(num_edges(p->undirected)) > exact_betweenness_work)
        samples = default_samples;
      if (samples == 0 || samples >= n) {
        boost::brandes_betweenness_centrality(p->undirected,
                                              boost::centrality_map(boost::make_iterator_property_map(
                                                  score.begin(), get(boost::vertex_index, p->undirected))));
        r.exact = true;
        r.samples = n;
      } else {
        // Sampled sources (Brandes & Pich 2007), scaled to all n sources; a fixed seed keeps
        // answers stable. Boost's Brandes has no source sampling, so the loop is here.
        std::vector<Vertex> sources(n);
        for (Vertex v = 0; v < n; ++v) sources[v] = v;
        std::mt19937_64 rng(0x5eed);
        for (std::size_t i = 0; i < samples; ++i) std::swap(sources[i], sources[i + rng() % (n - i)]);
        Brandes brandes(p->undirected);
        for (std::size_t i = 0; i < samples; ++i) brandes.accumulate(sources[i], score);
        const double scale = static_cast<double>(n) / static_cast<double>(samples);
        for (double& x : score) x *= scale;
        r.exact = false;
        r.samples = samples;
      }
      // Ordered pairs of a symmetric graph count each path twice; normalise by (n-1)(n-2)/2.
      const double pairs = n > 2 ? static_cast<double>(n - 1) * static_cast<double>(n - 2) / 2.0 : 1.0;
      for (double& x : score) x = x / 2.0 / pairs;
      break;
    }
  }
  r.scores.reserve(n);
  for (Vertex v = 0; v < n; ++v) r.scores.emplace_back(static_cast<ActorIdx>(p->actor_of[v]), score[v]);
  std::sort(r.scores.begin(), r.scores.end(), [](const auto& x, const auto& y) {
    if (x.second != y.second) return x.second > y.second;
    return core::value(x.first) < core::value(y.first);
  });
  return r;
}

}  // namespace geokg::graph
