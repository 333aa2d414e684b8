#pragma once

// Graph queries and analytics over a Snapshot: k shortest paths, ego networks, dyad timelines,
// partners, centrality, communities and filtered scans for exports. Boost.Graph stays inside graph/.
// Every function is a pure read of one snapshot and is safe to call from many threads at once.

#include "graph/relation_graph.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace geokg::graph {

// The graph the analytics see. A triple counts when `triples` admits it; with `rollup` its ends fold
// into their country (ActorInfo::country; persons, organisations, groups and other sub-state actors
// fold, countries and IGOs stay; the mapping is the actor's current country, not one per date).
// Self-loops (also those made by the fold) are dropped. Two nodes are adjacent when at least
// `min_count` counted triples join them: in either direction for undirected uses, in the direction
// of travel for directed ones. Filters apply while traversing, before any path or ranking is chosen.
struct GraphFilter {
  TripleFilter triples;
  std::uint32_t min_count = 1;
  bool rollup = false;
};

// The node an actor belongs to under the filter (itself, or its country with rollup).
ActorIdx node_of(const Snapshot& snapshot, ActorIdx actor, bool rollup);

// ---- paths -------------------------------------------------------------------------------------

struct PathQuery {
  ActorIdx source{};
  ActorIdx target{};
  std::size_t max_hops = 3;  // 1..6
  std::size_t k = 3;         // 1..20
  bool directed = false;     // follow triples from subject to object only
  std::vector<ActorIdx> exclude;
  GraphFilter filter;
};

struct PathHop {
  ActorIdx from{}, to{};
  std::uint32_t triple_count = 0;  // counted triples joining from and to (directed: from -> to)
  RelationIdx relation{};          // their most frequent relation (ties: lowest index)
  TripleId example{};              // the latest triple of that relation (date, then id)
  ActorIdx subject{}, object{};    // the example's ends, as nodes
};

struct Path {
  std::vector<ActorIdx> actors;  // source .. target
  std::vector<PathHop> hops;
  std::uint64_t support = 0;  // sum of the hops' triple_count
};

// The k shortest simple paths of at most max_hops hops, by hops ascending, then support descending
// (then by actor sequence); Yen's algorithm over a bidirectional breadth-first search.
std::vector<Path> k_shortest_paths(const Snapshot& snapshot, const PathQuery& query);

// ---- neighbourhoods ----------------------------------------------------------------------------

struct EgoQuery {
  std::vector<ActorIdx> seeds;
  unsigned hops = 1;            // 1..3
  std::size_t max_nodes = 500;  // seeds included
  std::size_t max_edges = 5000;
  GraphFilter filter;
};

struct EgoNode {
  ActorIdx actor{};
  unsigned hop = 0;           // distance from the nearest seed
  std::uint64_t support = 0;  // counted triples joining it to the nodes one hop nearer the seeds
  std::uint32_t degree = 0;   // distinct neighbours among the returned nodes
};

struct EdgeAggregate {
  ActorIdx source{}, target{};
  RelationIdx relation{};
  std::uint32_t count = 0;
  double goldstein_total = 0.0;
  Date first_date, last_date;
};

struct Ego {
  std::vector<EgoNode> nodes;        // seeds first, then by hop, support descending, actor
  std::vector<EdgeAggregate> edges;  // among the returned nodes, count descending
  std::size_t total_nodes = 0;       // reached before max_nodes cut
  std::size_t total_edges = 0;       // among the returned nodes, before max_edges cut
};

// The nodes within `hops` of the seeds (undirected), cut to the best supported: nearer first, then by
// support. Edges are aggregated per (source, relation, target) between the kept nodes.
Ego ego_network(const Snapshot& snapshot, const EgoQuery& query);

enum class Bucket : std::uint8_t { day, week, month, quarter, year };
Date bucket_start(Date d, Bucket b);  // weeks start on Monday
Date next_bucket(Date start, Bucket b);

struct TimelineQuery {
  ActorIdx a{}, b{};
  Bucket bucket = Bucket::month;
  Direction direction = Direction::both;  // out: a -> b, in: b -> a
  GraphFilter filter;
  std::size_t max_buckets = 5000;
};

struct TimelineBucket {
  Date start;
  std::uint32_t count = 0;
  double goldstein_total = 0.0;
  std::array<std::uint32_t, 4> by_quad_class{};
  std::vector<std::pair<RelationIdx, std::uint32_t>> top_relations;  // at most 3, count descending
};

struct Timeline {
  std::vector<TimelineBucket> buckets;  // consecutive, empty ones included
  std::uint64_t total = 0;
  std::size_t needed_buckets = 0;  // when above max_buckets, `buckets` is empty
};

// The dyad's triples per bucket from the bucket of `since` (else of the first triple) to the bucket
// of `until` (else of the last triple). Empty when fewer than min_count triples join a and b.
Timeline dyad_timeline(const Snapshot& snapshot, const TimelineQuery& query);

struct Partner {
  ActorIdx actor{};
  std::uint32_t count = 0, out = 0, in = 0;  // out: the actor is the subject
  std::array<std::uint32_t, 4> by_quad_class{};
  double goldstein_net = 0.0;  // sum of Goldstein weights: cooperation minus conflict
  Date first_date, last_date;
};

// The actor's counterparts with at least min_count triples, by count descending, then actor.
std::vector<Partner> partners(const Snapshot& snapshot, ActorIdx actor, const GraphFilter& filter);

// ---- whole-graph analytics ---------------------------------------------------------------------

enum class Centrality : std::uint8_t { degree, in_degree, out_degree, pagerank, betweenness };

struct CentralityQuery {
  Centrality metric = Centrality::degree;
  GraphFilter filter;
  double damping = 0.85;
  std::size_t samples = 0;  // betweenness: sampled sources; 0 = exact when small enough, else 64
};

struct CentralityResult {
  std::vector<std::pair<ActorIdx, double>> scores;  // score descending, then actor
  std::size_t nodes = 0, edges = 0;                 // of the graph the metric ran on
  bool exact = true;
  std::size_t samples = 0;
  unsigned iterations = 0;
};

// degree: distinct neighbours (undirected); in_/out_degree: distinct predecessors / successors;
// pagerank: Boost page_rank on the directed graph, normalised to sum 1 (equal to the usual
// definition with dangling nodes spread uniformly); betweenness: undirected, normalised by
// (n-1)(n-2)/2, exact (Boost brandes_betweenness_centrality) or estimated from sampled sources.
CentralityResult centrality(const Snapshot& snapshot, const CentralityQuery& query);

enum class CommunityAlgorithm : std::uint8_t { louvain, components };

struct CommunityQuery {
  CommunityAlgorithm algorithm = CommunityAlgorithm::louvain;
  double resolution = 1.0;
  GraphFilter filter;
};

struct Community {
  std::vector<ActorIdx> members;  // by weighted degree descending, then actor
  std::uint64_t weight = 0;       // counted triples inside the community
};

struct CommunityResult {
  std::vector<Community> communities;  // by size descending, then first member
  double modularity = 0.0;             // of the partition on the undirected weighted graph
  std::size_t nodes = 0, edges = 0;
  unsigned levels = 0;  // Louvain aggregation levels
};

// Communities of the undirected graph weighted by triple counts: Louvain (resolution as given) or
// connected components (Boost); modularity is reported at resolution 1.
CommunityResult communities(const Snapshot& snapshot, const CommunityQuery& query);

// ---- scans for exports -------------------------------------------------------------------------

// Admitted triples with index >= from in id order; with rollup their ends are nodes, with min_count
// only those of dyads with enough support. At most `max` calls; returns where to continue (past the
// end when done; compare with Snapshot::max_triple_id()).
std::uint32_t scan_triples(const Snapshot& snapshot, const GraphFilter& filter, std::uint32_t from, std::size_t max,
                           const std::function<void(const TripleRecord&)>& fn);

struct GraphNode {
  ActorIdx actor{};
  std::uint32_t degree = 0;  // distinct neighbours
  std::uint64_t weight = 0;  // counted triples touching it
};

// The nodes of the filtered graph, by weight descending, then actor.
std::vector<GraphNode> graph_nodes(const Snapshot& snapshot, const GraphFilter& filter);

// The edges per (source, relation, target) of the nodes at positions [from, ...) of graph_nodes(),
// whole nodes at a time until at least `max` edges were given; returns the next node position.
std::size_t scan_edges(const Snapshot& snapshot, const GraphFilter& filter, std::size_t from, std::size_t max,
                       const std::function<void(const EdgeAggregate&)>& fn);

}  // namespace geokg::graph
