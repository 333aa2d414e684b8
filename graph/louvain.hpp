#pragma once

// Internal to graph/: Louvain community detection and modularity on an undirected weighted graph.

#include <cstdint>
#include <vector>

namespace geokg::graph::detail {

// Each undirected edge appears in both rows; a self-loop appears once, with its weight.
struct WeightedGraph {
  std::vector<std::uint32_t> offsets{0};  // n + 1
  std::vector<std::uint32_t> targets;
  std::vector<double> weights;
  std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(offsets.size() - 1); }
};

struct Partition {
  std::vector<std::uint32_t> membership;  // per vertex: community 0..count-1
  std::uint32_t count = 0;
  unsigned levels = 0;
};

// Louvain (Blondel et al. 2008): local moves in vertex order, then aggregation, until no move
// improves modularity at this resolution. Deterministic.
Partition louvain(const WeightedGraph& g, double resolution);

// Newman's modularity with a resolution: sum over communities of in_c / 2m - resolution (tot_c / 2m)^2.
double modularity(const WeightedGraph& g, const std::vector<std::uint32_t>& membership, double resolution);

}  // namespace geokg::graph::detail
