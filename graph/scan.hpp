#pragma once

// Internal to graph/: filtered scans of incident lists, the node view (rollup), and neighbour
// expansion with per-thread scratch arrays. Shared by the analytics files.

#include "graph/analytics.hpp"
#include "graph/state.hpp"

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace geokg::graph::detail {

inline bool admits(const State& s, const Incident& inc, const TripleFilter& f) noexcept {
  if (!f.relations.test(static_cast<RelationIdx>(inc.relation)) ||
      !f.admits_polarity(static_cast<core::Polarity>(inc.polarity())))
    return false;
  if (s.overlaid(inc.triple) || f.min_confidence > 0.0f) {
    const Row& r = s.row(inc.triple);
    if (r.flags & row_hole) return false;
    if ((r.flags & row_retracted) && !f.include_retracted) return false;
    return r.confidence >= f.min_confidence;
  }
  const auto flags = inc.flags();
  if (flags & row_hole) return false;
  return f.include_retracted || (flags & row_retracted) == 0;
}

inline bool admits_row(const Row& r, const TripleFilter& f) noexcept {
  if (r.flags & row_hole) return false;
  if ((r.flags & row_retracted) && !f.include_retracted) return false;
  return r.confidence >= f.min_confidence && f.dates.contains(Date::from_days(r.date)) &&
         f.relations.test(static_cast<RelationIdx>(r.relation)) &&
         f.admits_polarity(static_cast<core::Polarity>(r.polarity));
}

inline std::span<const Incident> in_window(std::span<const Incident> all, const core::DateRange& dates) noexcept {
  auto lo = std::lower_bound(all.begin(), all.end(), dates.since.days(),
                             [](const Incident& i, std::int32_t d) { return i.date < d; });
  auto hi =
      std::upper_bound(lo, all.end(), dates.until.days(), [](std::int32_t d, const Incident& i) { return d < i.date; });
  return {lo, hi};
}

// Every ActorIdx value (and node) is below this.
inline std::uint32_t actor_limit(const State& s) noexcept {
  std::size_t n = s.actors->size();
  s.for_each_segment([&](const Segment& seg) { n = std::max(n, seg.offsets.empty() ? 0 : seg.offsets.size() - 1); });
  return static_cast<std::uint32_t>(std::max<std::size_t>(n, 1));
}

inline bool folds(const ActorInfo& a, std::uint32_t limit) noexcept {
  return a.type != core::ActorType::country && a.type != core::ActorType::igo && a.country != 0 && a.country < limit;
}

// The nodes of the filtered graph: actors, or with rollup their countries (with their members).
class Nodes {
 public:
  Nodes(const State& s, bool rollup);
  std::uint32_t limit() const noexcept { return limit_; }
  bool rollup() const noexcept { return rollup_; }
  std::uint32_t node(std::uint32_t actor) const noexcept { return rollup_ && actor < limit_ ? rep_[actor] : actor; }
  // The actors of a node (the node itself without rollup).
  std::span<const std::uint32_t> members(const std::uint32_t& node) const noexcept {
    if (!rollup_) return {&node, 1};
    if (node + 1 >= member_offsets_.size()) return {};
    return {members_.data() + member_offsets_[node], member_offsets_[node + 1] - member_offsets_[node]};
  }
  // Incidents of the node's members in every segment (before any filter): the cost of expanding it.
  std::size_t degree(std::uint32_t node) const noexcept;

 private:
  const State* state_;
  bool rollup_;
  std::uint32_t limit_;
  std::vector<std::uint32_t> rep_;
  std::vector<std::uint32_t> member_offsets_, members_;
};

// Calls fn(incident) for every admitted incident of the node's members in the filter's date window,
// except those whose other end is none or the same node.
template <class Fn>
void for_each_incident(const State& s, const Nodes& nodes, const TripleFilter& f, std::uint32_t node, Fn&& fn) {
  for (const std::uint32_t m : nodes.members(node)) {
    s.for_each_segment([&](const Segment& seg) {
      for (const Incident& inc : in_window(seg.incidents_of(m), f.dates)) {
        if (inc.other == 0 || nodes.node(inc.other) == node) continue;
        if (!admits(s, inc, f)) continue;
        fn(inc);
      }
    });
  }
}

// As for_each_incident, but stops as soon as fn(incident) returns false; returns whether it ran to the end.
template <class Fn>
bool for_each_incident_while(const State& s, const Nodes& nodes, const TripleFilter& f, std::uint32_t node, Fn&& fn) {
  const auto run = [&](const Segment& seg, std::uint32_t m) {
    for (const Incident& inc : in_window(seg.incidents_of(m), f.dates)) {
      if (inc.other == 0 || nodes.node(inc.other) == node || !admits(s, inc, f)) continue;
      if (!fn(inc)) return false;
    }
    return true;
  };
  for (const std::uint32_t m : nodes.members(node)) {
    if (!run(*s.base, m)) return false;
    for (const auto& d : s.deltas)
      if (!run(*d, m)) return false;
  }
  return true;
}

// A neighbour of a node: counted triples from the node to it (out) and from it to the node (in).
struct Neighbour {
  std::uint32_t node = 0;
  std::uint32_t out = 0;
  std::uint32_t in = 0;
};

// A per-node array kept by the calling thread between queries, all `blank` between them: a query
// sets entries and puts `blank` back in the ones it set (it lists them anyway), so that a local
// query costs in its neighbourhood, not in the number of actors. Allocating and zeroing such arrays
// per query cost more than the query itself for a minor actor (fresh pages, 200 KB per array at
// 50,000 actors). They stay allocated: sizeof(T) bytes per actor in each thread that ran such a
// query (partners and ego networks together: 15 bytes per actor per thread). `Tag` tells apart the
// arrays of one element type.
template <class Tag, class T>
std::vector<T>& thread_array(std::uint32_t limit, T blank) {
  thread_local std::vector<T> values;
  if (values.size() < limit) values.resize(limit, blank);
  return values;
}

// Runs `fn` when the scope ends, by an exception too: a thread's arrays must be left blank.
template <class Fn>
class AtExit {
 public:
  explicit AtExit(Fn fn) : fn_(std::move(fn)) {}
  AtExit(const AtExit&) = delete;
  AtExit& operator=(const AtExit&) = delete;
  ~AtExit() { fn_(); }

 private:
  Fn fn_;
};

// Dense per-node counters reused across calls on one thread (reset through the touched list).
class Counter {
 public:
  void prepare(std::uint32_t limit) {
    if (out_.size() < limit) {
      out_.assign(limit, 0);
      in_.assign(limit, 0);
    }
  }
  void add(std::uint32_t node, std::uint8_t dir) {
    if (out_[node] == 0 && in_[node] == 0) touched_.push_back(node);
    if (dir & 1u) ++out_[node];
    if (dir & 2u) ++in_[node];
  }
  // The counted neighbours (ascending when `sorted`), then cleared.
  void take(std::vector<Neighbour>& out, bool sorted = true) {
    if (sorted) std::sort(touched_.begin(), touched_.end());
    out.clear();
    out.reserve(touched_.size());
    for (const auto n : touched_) {
      out.push_back({n, out_[n], in_[n]});
      out_[n] = 0;
      in_[n] = 0;
    }
    touched_.clear();
  }

 private:
  std::vector<std::uint32_t> out_, in_, touched_;
};

Counter& thread_counter(std::uint32_t limit);

// The node's neighbours with their counts in both directions (the caller applies min_count),
// ascending unless `sorted` is false (then in order of first contact).
inline void expand(const State& s, const Nodes& nodes, const TripleFilter& f, std::uint32_t node,
                   std::vector<Neighbour>& out, bool sorted = true) {
  Counter& c = thread_counter(nodes.limit());
  for_each_incident(s, nodes, f, node, [&](const Incident& inc) {
    // A self-loop of an actor has dir 3 but no other node; it was skipped above.
    c.add(nodes.node(inc.other), inc.dir);
  });
  c.take(out, sorted);
}

}  // namespace geokg::graph::detail
