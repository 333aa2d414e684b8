// Filtered scans for streaming exports: triples in id order, graph nodes and aggregated edges.

#include "graph/analytics.hpp"
#include "graph/projection.hpp"
#include "graph/scan.hpp"

#include <algorithm>
#include <tuple>

namespace geokg::graph {

namespace {

using detail::Incident;
using detail::Nodes;

}  // namespace

std::uint32_t scan_triples(const Snapshot& snapshot, const GraphFilter& filter, std::uint32_t from, std::size_t max,
                           const std::function<void(const TripleRecord&)>& fn) {
  const auto& state = snapshot.state();
  const State& s = *state;
  const bool dyads = filter.min_count > 1;
  std::shared_ptr<const detail::Projection> p;
  if (dyads) p = detail::projection(state, filter);
  std::optional<Nodes> nodes;
  if (filter.rollup || dyads) nodes.emplace(s, filter.rollup);
  std::size_t given = 0;
  std::uint32_t t = from;
  for (; t < s.end && given < max; ++t) {
    const detail::Row& r = s.row(t);
    if (!detail::admits_row(r, filter.triples)) continue;
    std::uint32_t subject = r.subject, object = r.object;
    if (nodes) {
      subject = nodes->node(subject);
      if (object != 0) object = nodes->node(object);
    }
    if (dyads && (object == 0 || object == subject || p->dyad_weight(subject, object) < filter.min_count)) continue;
    TripleRecord rec;
    rec.id = static_cast<TripleId>(std::int64_t{t} + 1);
    rec.subject = static_cast<ActorIdx>(subject);
    if (object != 0) rec.object = static_cast<ActorIdx>(object);
    rec.relation = static_cast<RelationIdx>(r.relation);
    rec.date = Date::from_days(r.date);
    rec.polarity = static_cast<core::Polarity>(r.polarity);
    rec.confidence = r.confidence;
    rec.evidence_count = r.evidence_count;
    rec.retracted = (r.flags & detail::row_retracted) != 0;
    fn(rec);
    ++given;
  }
  return t;
}

std::vector<GraphNode> graph_nodes(const Snapshot& snapshot, const GraphFilter& filter) {
  const auto p = detail::projection(snapshot.state(), filter);
  std::vector<GraphNode> out(p->vertices());
  for (std::uint32_t v = 0; v < out.size(); ++v)
    out[v] = GraphNode{static_cast<ActorIdx>(p->actor_of[v]), static_cast<std::uint32_t>(out_degree(v, p->undirected)),
                       p->strength[v]};
  return out;
}

std::size_t scan_edges(const Snapshot& snapshot, const GraphFilter& filter, std::size_t from, std::size_t max,
                       const std::function<void(const EdgeAggregate&)>& fn) {
  const auto& state = snapshot.state();
  const State& s = *state;
  const auto p = detail::projection(state, filter);
  const Nodes nodes(s, filter.rollup);
  const std::uint32_t min_count = std::max<std::uint32_t>(filter.min_count, 1);
  struct Item {
    std::uint32_t target;
    std::uint16_t relation;
    std::int32_t date;
    bool operator<(const Item& o) const {
      return std::tie(target, relation, date) < std::tie(o.target, o.relation, o.date);
    }
  };
  std::vector<Item> items;
  std::size_t given = 0;
  std::size_t v = from;
  for (; v < p->vertices() && given < max; ++v) {
    const std::uint32_t u = p->actor_of[v];
    items.clear();
    detail::for_each_incident(s, nodes, filter.triples, u, [&](const Incident& inc) {
      if ((inc.dir & 1u) == 0) return;
      const auto t = nodes.node(inc.other);
      if (p->dyad_weight(u, t) < min_count) return;
      items.push_back({t, inc.relation, inc.date});
    });
    std::sort(items.begin(), items.end());
    for (std::size_t i = 0; i < items.size();) {
      std::size_t j = i;
      EdgeAggregate e;
      e.source = static_cast<ActorIdx>(u);
      e.target = static_cast<ActorIdx>(items[i].target);
      e.relation = static_cast<RelationIdx>(items[i].relation);
      e.first_date = Date::from_days(items[i].date);
      const double g = items[i].relation < s.relations->size() ? (*s.relations)[items[i].relation].goldstein : 0.0;
      for (; j < items.size() && items[j].target == items[i].target && items[j].relation == items[i].relation; ++j) {
        ++e.count;
        e.goldstein_total += g;
      }
      e.last_date = Date::from_days(items[j - 1].date);
      fn(e);
      ++given;
      i = j;
    }
  }
  return v;
}

}  // namespace geokg::graph
