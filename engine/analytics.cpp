// Graph queries and analytics: resolve names and filters, check limits, run the graph algorithm
// on one view.

#include "engine/engine.hpp"

#include "engine/actor_directory.hpp"

#include <algorithm>
#include <set>

namespace geokg::engine {

using core::Result;

namespace {

constexpr std::size_t max_path_hops = 6;
constexpr std::size_t max_paths = 20;
constexpr std::size_t max_seeds = 50;
constexpr unsigned max_ego_hops = 3;
constexpr std::size_t max_ego_nodes = 5000;
constexpr std::size_t max_ego_edges = 50000;
constexpr std::size_t max_buckets = 5000;
constexpr std::size_t max_samples = 100000;

Result<core::ActorIdx> find_actor(const ActorDirectory& dir, const std::string& text, const char* param) {
  const auto m = dir.lookup(text);
  if (m.empty()) {
    core::Error e = core::not_found(std::string(param) + ": no actor with id or alias '" + text.substr(0, 100) + "'");
    e.parameter = param;
    return e;
  }
  return m.front().idx;
}

}  // namespace

Result<graph::GraphFilter> Engine::make_graph_filter(const GraphFilterSpec& f) const {
  auto triples = make_filter(f.filter);
  if (!triples) return triples.error();
  if (f.min_count < 1) return core::invalid_parameter("min_count", "min_count must be at least 1");
  graph::GraphFilter out;
  out.triples = std::move(*triples);
  out.min_count = f.min_count;
  out.rollup = f.rollup;
  return out;
}

Result<PathsResult> Engine::paths(const PathsQuery& q) const {
  PathsResult r{view(), {}, {}, {}};
  auto filter = make_graph_filter(q.filter);
  if (!filter) return filter.error();
  if (q.max_hops < 1 || q.max_hops > max_path_hops)
    return core::invalid_parameter("max_hops", "max_hops must be between 1 and 6");
  if (q.k < 1 || q.k > max_paths) return core::invalid_parameter("k", "k must be between 1 and 20");
  if (q.source.empty()) return core::invalid_parameter("source", "source is required");
  if (q.target.empty()) return core::invalid_parameter("target", "target is required");
  auto source = find_actor(*r.view.actors, q.source, "source");
  if (!source) return source.error();
  auto target = find_actor(*r.view.actors, q.target, "target");
  if (!target) return target.error();
  r.source = graph::node_of(r.view.graph, *source, filter->rollup);
  r.target = graph::node_of(r.view.graph, *target, filter->rollup);
  if (r.source == r.target)
    return core::invalid_parameter("target", filter->rollup
                                                 ? "source and target fold into the same country (rollup=country)"
                                                 : "target must differ from source");
  graph::PathQuery gq;
  for (const auto& x : q.exclude) {
    auto a = find_actor(*r.view.actors, x, "exclude");
    if (!a) return a.error();
    const auto n = graph::node_of(r.view.graph, *a, filter->rollup);
    if (n == r.source || n == r.target)
      return core::invalid_parameter("exclude",
                                     "exclude must not contain the source or the target ('" + x.substr(0, 60) + "')");
    gq.exclude.push_back(n);
  }
  gq.source = r.source;
  gq.target = r.target;
  gq.max_hops = q.max_hops;
  gq.k = q.k;
  gq.directed = q.directed;
  gq.filter = std::move(*filter);
  r.paths = graph::k_shortest_paths(r.view.graph, gq);
  return r;
}

Result<SubgraphResult> Engine::subgraph(const SubgraphQuery& q) const {
  SubgraphResult r{view(), {}, {}};
  auto filter = make_graph_filter(q.filter);
  if (!filter) return filter.error();
  if (q.seeds.empty())
    return core::invalid_parameter("seeds", "seeds is required: one or more actor ids, comma-separated");
  if (q.seeds.size() > max_seeds) return core::invalid_parameter("seeds", "at most 50 seeds");
  if (q.hops < 1 || q.hops > max_ego_hops) return core::invalid_parameter("hops", "hops must be 1, 2 or 3");
  if (q.max_nodes < 1 || q.max_nodes > max_ego_nodes)
    return core::invalid_parameter("max_nodes", "max_nodes must be between 1 and 5000");
  if (q.max_edges > max_ego_edges) return core::invalid_parameter("max_edges", "max_edges must be between 0 and 50000");
  graph::EgoQuery gq;
  std::set<core::ActorIdx> distinct;
  for (const auto& s : q.seeds) {
    auto a = find_actor(*r.view.actors, s, "seeds");
    if (!a) return a.error();
    const auto n = graph::node_of(r.view.graph, *a, filter->rollup);
    if (distinct.insert(n).second) r.seeds.push_back(n);
  }
  if (r.seeds.size() > q.max_nodes)
    return core::invalid_parameter("max_nodes", "max_nodes must be at least the number of seeds");
  gq.seeds = r.seeds;
  gq.hops = q.hops;
  gq.max_nodes = q.max_nodes;
  gq.max_edges = q.max_edges;
  gq.filter = std::move(*filter);
  r.ego = graph::ego_network(r.view.graph, gq);
  return r;
}

Result<DyadTimelineResult> Engine::dyad_timeline(const DyadTimelineQuery& q) const {
  DyadTimelineResult r{view(), {}, {}, {}};
  auto filter = make_graph_filter(q.filter);
  if (!filter) return filter.error();
  auto a = find_actor(*r.view.actors, q.a, "a");
  if (!a) return a.error();
  auto b = find_actor(*r.view.actors, q.b, "b");
  if (!b) return b.error();
  r.a = graph::node_of(r.view.graph, *a, filter->rollup);
  r.b = graph::node_of(r.view.graph, *b, filter->rollup);
  if (r.a == r.b)
    return core::invalid_parameter("b", filter->rollup ? "both actors fold into the same country (rollup=country)"
                                                       : "a dyad needs two different actors");
  graph::TimelineQuery gq;
  gq.a = r.a;
  gq.b = r.b;
  gq.bucket = q.bucket;
  gq.direction = q.direction;
  gq.filter = std::move(*filter);
  gq.max_buckets = max_buckets;
  r.timeline = graph::dyad_timeline(r.view.graph, gq);
  if (r.timeline.needed_buckets > max_buckets)
    return core::invalid_parameter("bucket",
                                   "the range needs " + std::to_string(r.timeline.needed_buckets) +
                                       " buckets, more than 5000; use a coarser bucket or narrow since/until");
  return r;
}

Result<PartnersResult> Engine::partners(const PartnersQuery& q) const {
  PartnersResult r{view(), {}, {}, 0, false};
  auto filter = make_graph_filter(q.filter);
  if (!filter) return filter.error();
  auto a = find_actor(*r.view.actors, q.actor, "id");
  if (!a) return a.error();
  r.actor = graph::node_of(r.view.graph, *a, filter->rollup);
  auto all = graph::partners(r.view.graph, r.actor, *filter);
  r.total = all.size();
  if (q.offset < all.size()) {
    const auto end = std::min(all.size(), q.offset + q.limit);
    r.items.assign(all.begin() + static_cast<std::ptrdiff_t>(q.offset), all.begin() + static_cast<std::ptrdiff_t>(end));
    r.more = end < all.size();
  }
  return r;
}

Result<CentralityAnswer> Engine::centrality(const CentralityRequest& q) const {
  CentralityAnswer r{view(), {}, 0, {}};
  auto filter = make_graph_filter(q.filter);
  if (!filter) return filter.error();
  if (q.samples > max_samples) return core::invalid_parameter("samples", "samples must be between 0 and 100000");
  if (!(q.damping > 0.0 && q.damping < 1.0))
    return core::invalid_parameter("damping", "damping must be between 0 and 1");
  graph::CentralityQuery gq;
  gq.metric = q.metric;
  gq.filter = std::move(*filter);
  gq.samples = q.samples;
  gq.damping = q.damping;
  r.info = graph::centrality(r.view.graph, gq);
  std::size_t rank = 0;
  double previous = 0.0;
  for (const auto& [actor, score] : r.info.scores) {
    if (q.type && r.view.graph.actor(actor).type != *q.type) continue;
    ++r.ranked;
    if (rank == 0 || score != previous) rank = r.ranked;
    previous = score;
    if (r.items.size() < q.limit) r.items.push_back({actor, score, rank});
  }
  r.info.scores.clear();
  r.info.scores.shrink_to_fit();
  return r;
}

Result<CommunitiesAnswer> Engine::communities(const CommunitiesRequest& q) const {
  CommunitiesAnswer r{view(), {}};
  auto filter = make_graph_filter(q.filter);
  if (!filter) return filter.error();
  if (!(q.resolution > 0.0 && q.resolution <= 100.0))
    return core::invalid_parameter("resolution", "resolution must be greater than 0 and at most 100");
  graph::CommunityQuery gq;
  gq.algorithm = q.algorithm;
  gq.resolution = q.resolution;
  gq.filter = std::move(*filter);
  r.result = graph::communities(r.view.graph, gq);
  return r;
}

Result<ExportPlan> Engine::export_plan(const GraphFilterSpec& f) const {
  auto filter = make_graph_filter(f);
  if (!filter) return filter.error();
  return ExportPlan{view(), std::move(*filter)};
}

}  // namespace geokg::engine
