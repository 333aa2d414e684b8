#pragma once

#include "core/date.hpp"
#include "core/model.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace geokg::graph {

using core::ActorIdx;
using core::Date;
using core::RelationIdx;
using core::TripleId;
using core::TripleRecord;

enum class Direction : std::uint8_t { out = 1, in = 2, both = 3 };

// A set of relation types; an unrestricted mask admits every relation.
class RelationMask {
 public:
  static RelationMask any() { return RelationMask(); }
  void add(RelationIdx r);
  bool restricted() const noexcept { return restricted_; }
  bool test(RelationIdx r) const noexcept {
    if (!restricted_) return true;
    const auto i = core::value(r);
    return (i >> 6) < bits_.size() && ((bits_[i >> 6] >> (i & 63u)) & 1u) != 0;
  }

 private:
  bool restricted_ = false;
  std::vector<std::uint64_t> bits_;
};

// What every query filters on, applied while scanning (never after a limit is taken).
struct TripleFilter {
  core::DateRange dates;
  RelationMask relations;
  std::uint8_t polarities = 1u << static_cast<unsigned>(core::Polarity::asserted);  // bit per Polarity
  float min_confidence = 0.0f;
  bool include_retracted = false;

  bool admits_polarity(core::Polarity p) const noexcept { return ((polarities >> static_cast<unsigned>(p)) & 1u) != 0; }
};

// The attributes of a relation type the graph aggregates with.
struct RelationInfo {
  double goldstein = 0.0;
  std::uint8_t quad_class = 0;
};

// The attributes of an actor the graph needs (type filters, rollup to country).
struct ActorInfo {
  core::ActorType type = core::ActorType::other;
  std::uint32_t country = 0;  // ActorIdx value of the actor's country actor; 0 = none
};

// A committed write, as the graph applies it: new actors and the state of every triple the
// write created or changed (records in id order).
struct GraphUpdate {
  std::vector<std::pair<ActorIdx, ActorInfo>> actors;
  std::vector<TripleRecord> triples;
};

// Keyset position in (date desc, id desc) order: a page continues strictly after it.
struct TriplePosition {
  Date date;
  TripleId id{};
};

struct TripleQuery {
  std::optional<ActorIdx> actor;    // either end
  std::optional<ActorIdx> subject;
  std::optional<ActorIdx> object;
  TripleFilter filter;
};

struct RelationAggregate {
  ActorIdx neighbor{};  // value 0: the triples without an object
  RelationIdx relation{};
  Direction direction = Direction::out;
  std::uint32_t count = 0;
  Date first_date;
  Date last_date;
  double goldstein_total = 0.0;
};

struct State;

// An immutable, consistent view of the graph at one version. Cheap to copy; every query on it
// sees all of a write or none of it. Thread-safe.
class Snapshot {
 public:
  Snapshot() = default;
  explicit Snapshot(std::shared_ptr<const State> state) : state_(std::move(state)) {}

  std::uint64_t version() const noexcept;
  std::size_t triple_count() const noexcept;  // live (not retracted) triples
  std::size_t max_triple_id() const noexcept;
  std::optional<TripleRecord> triple(TripleId id) const;
  ActorInfo actor(ActorIdx a) const noexcept;
  std::size_t actor_limit() const noexcept;  // every ActorIdx value is below this
  // Bytes held by this version's rows and indexes (shared with other versions where unchanged).
  std::size_t memory_bytes() const noexcept;

  // Triples matching the query in (date desc, id desc) order, strictly after `after`; at most `limit`.
  std::vector<TripleRecord> triples(const TripleQuery& query, std::optional<TriplePosition> after,
                                    std::size_t limit) const;
  // The actor's triples aggregated per (neighbour, relation, direction), most frequent first
  // (ties: neighbour, relation, direction ascending).
  std::vector<RelationAggregate> relations(ActorIdx actor, Direction direction, const TripleFilter& filter) const;

  // For the algorithms in graph/ (State is internal to graph/).
  const std::shared_ptr<const State>& state() const noexcept { return state_; }

 private:
  std::shared_ptr<const State> state_;
};

// The in-memory relation graph: a large immutable base plus small immutable deltas, published
// as snapshots (readers never block writers, and never see half a write). apply() and load()
// must be called by one writer at a time, in commit order; snapshot() from any thread.
class RelationGraph {
 public:
  explicit RelationGraph(std::vector<RelationInfo> relations);
  ~RelationGraph();
  RelationGraph(const RelationGraph&) = delete;
  RelationGraph& operator=(const RelationGraph&) = delete;

  // Replaces everything: actors (idx, info) and every triple in id order (ids need not be dense).
  Snapshot load(std::vector<std::pair<ActorIdx, ActorInfo>> actors, std::vector<TripleRecord> triples);
  // Builds the next version (readers keep the current one meanwhile), publishes and returns it.
  Snapshot apply(const GraphUpdate& update);

  // apply() in two steps, for a writer that builds the next version while its transaction commits:
  // prepare() builds it (nobody sees it), install() publishes it. No other update may be applied
  // between the two (the writer holds the write lock throughout); install() of a version prepared
  // on a state that is no longer current throws std::logic_error. A prepared version that is never
  // installed (the transaction failed) is simply dropped.
  class Prepared {
   public:
    Prepared() = default;

   private:
    friend class RelationGraph;
    std::shared_ptr<const State> base_;
    std::shared_ptr<const State> next_;
  };
  Prepared prepare(const GraphUpdate& update) const;
  Snapshot install(Prepared prepared);
  Snapshot snapshot() const;

  // Tuning: deltas are folded into the base once they hold more than
  // max(min_delta, base / delta_ratio) triples.
  void set_compaction(std::size_t min_delta, std::size_t delta_ratio);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace geokg::graph
