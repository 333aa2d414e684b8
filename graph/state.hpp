#pragma once

// Internal to graph/: one published version of the graph.

#include "graph/relation_graph.hpp"
#include "graph/segment.hpp"

#include <memory>
#include <unordered_map>
#include <vector>

namespace geokg::graph {

// Later states of triples that live in an immutable segment (retractions, merged evidence).
struct Overlay {
  std::unordered_map<std::uint32_t, detail::Row> rows;
  std::vector<std::uint64_t> bits;  // one bit per triple index: has an entry in `rows`
  bool has(std::uint32_t t) const noexcept {
    return (t >> 6) < bits.size() && ((bits[t >> 6] >> (t & 63u)) & 1u) != 0;
  }
};

struct State {
  std::uint64_t version = 0;
  std::shared_ptr<const std::vector<RelationInfo>> relations;
  std::shared_ptr<const std::vector<ActorInfo>> actors;  // indexed by ActorIdx value
  std::shared_ptr<const detail::Segment> base;
  std::vector<std::shared_ptr<const detail::Segment>> deltas;  // consecutive, after base
  std::shared_ptr<const Overlay> overlay;                     // null when empty
  std::uint32_t end = 0;                                      // every triple index is below
  std::size_t live = 0;

  const detail::Segment* segment_of(std::uint32_t t) const noexcept {
    if (t < base->end()) return base.get();
    for (const auto& d : deltas)
      if (t < d->end()) return d.get();
    return nullptr;
  }
  // The current row of triple index t (which must be below `end`).
  const detail::Row& row(std::uint32_t t) const noexcept {
    if (overlay && overlay->has(t)) return overlay->rows.at(t);
    const auto* s = segment_of(t);
    return s->rows[t - s->first];
  }
  bool overlaid(std::uint32_t t) const noexcept { return overlay && overlay->has(t); }
  template <class Fn>
  void for_each_segment(Fn&& fn) const {
    fn(*base);
    for (const auto& d : deltas) fn(*d);
  }
};

}  // namespace geokg::graph
