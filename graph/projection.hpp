#pragma once

// Internal to graph/: the filtered dyad graph of a snapshot (one vertex per node with an edge,
// one edge per dyad with at least min_count counted triples) as Boost CSR graphs, built once per
// (snapshot, filter) and shared through a small cache.

#include "graph/analytics.hpp"
#include "graph/state.hpp"

#include <boost/graph/compressed_sparse_row_graph.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace geokg::graph::detail {

using Csr = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                               boost::no_property, std::uint32_t, std::uint32_t>;

inline constexpr std::uint32_t no_vertex = 0xffffffffu;

struct Projection {
  std::vector<std::uint32_t> actor_of;           // vertex -> node (ActorIdx value), ascending
  std::vector<std::uint32_t> vertex_of;          // node -> vertex, no_vertex when the node has no edge
  Csr directed;                                  // a -> b when count(a -> b) >= min_count
  std::vector<std::uint32_t> directed_weight;    // by edge index: count(a -> b)
  Csr undirected;                                // both a -> b and b -> a when count(a, b) >= min_count
  std::vector<std::uint32_t> undirected_weight;  // by edge index: count(a -> b) + count(b -> a)
  std::vector<std::uint64_t> strength;           // per vertex: sum of its undirected weights
  std::uint64_t total_weight = 0;                // sum of undirected weights over each dyad once

  std::size_t vertices() const noexcept { return actor_of.size(); }
  std::size_t dyads() const noexcept { return undirected_weight.size() / 2; }
  // The undirected weight of the dyad (a, b) of nodes; 0 when it has no edge.
  std::uint32_t dyad_weight(std::uint32_t a, std::uint32_t b) const noexcept;
};

// The projection of the snapshot under the filter (built, or taken from the cache).
std::shared_ptr<const Projection> projection(const std::shared_ptr<const State>& state, const GraphFilter& filter);

}  // namespace geokg::graph::detail
