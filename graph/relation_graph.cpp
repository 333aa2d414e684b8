#include "graph/relation_graph.hpp"

#include "graph/state.hpp"

#include "core/memory.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace geokg::graph {

using detail::Incident;
using detail::Row;
using detail::Segment;

void RelationMask::add(RelationIdx r) {
  restricted_ = true;
  const auto i = core::value(r);
  if ((i >> 6) >= bits_.size()) bits_.resize((i >> 6) + 1u, 0);
  bits_[i >> 6] |= std::uint64_t{1} << (i & 63u);
}

namespace {

Row to_row(const TripleRecord& t) {
  Row r;
  r.subject = core::value(t.subject);
  r.object = t.object ? core::value(*t.object) : 0;
  r.date = t.date.days();
  r.confidence = t.confidence;
  r.evidence_count = t.evidence_count;
  r.relation = core::value(t.relation);
  r.polarity = static_cast<std::uint8_t>(t.polarity);
  r.flags = t.retracted ? detail::row_retracted : 0;
  return r;
}

Row hole_row() {
  Row r;
  r.flags = detail::row_hole;
  return r;
}

TripleRecord to_record(std::uint32_t t, const Row& r) {
  TripleRecord out;
  out.id = static_cast<TripleId>(std::int64_t{t} + 1);
  out.subject = static_cast<ActorIdx>(r.subject);
  if (r.object != 0) out.object = static_cast<ActorIdx>(r.object);
  out.relation = static_cast<RelationIdx>(r.relation);
  out.date = Date::from_days(r.date);
  out.polarity = static_cast<core::Polarity>(r.polarity);
  out.confidence = r.confidence;
  out.evidence_count = r.evidence_count;
  out.retracted = (r.flags & detail::row_retracted) != 0;
  return out;
}

bool is_live(const Row& r) { return (r.flags & (detail::row_retracted | detail::row_hole)) == 0; }

bool prefilter(const Incident& inc, const TripleFilter& f) {
  return f.relations.test(static_cast<RelationIdx>(inc.relation)) &&
         f.admits_polarity(static_cast<core::Polarity>(inc.polarity()));
}

bool row_passes(const Row& r, const TripleFilter& f) {
  if (r.flags & detail::row_hole) return false;
  if ((r.flags & detail::row_retracted) && !f.include_retracted) return false;
  return r.confidence >= f.min_confidence;
}

// Whether an incident passes the filter, touching the row only when it must.
bool incident_passes(const State& s, const Incident& inc, const TripleFilter& f) {
  if (!prefilter(inc, f)) return false;
  if (s.overlaid(inc.triple) || f.min_confidence > 0.0f) return row_passes(s.row(inc.triple), f);
  const auto flags = inc.flags();
  if (flags & detail::row_hole) return false;
  return f.include_retracted || (flags & detail::row_retracted) == 0;
}

// The incidents of one segment in a date range, before an optional keyset position.
std::span<const Incident> window(std::span<const Incident> all, const core::DateRange& dates,
                                 const std::optional<std::pair<std::int32_t, std::uint32_t>>& before) {
  auto lo = std::lower_bound(all.begin(), all.end(), dates.since.days(),
                             [](const Incident& i, std::int32_t d) { return i.date < d; });
  auto hi = std::upper_bound(lo, all.end(), dates.until.days(),
                             [](std::int32_t d, const Incident& i) { return d < i.date; });
  if (before) {
    hi = std::lower_bound(lo, hi, *before, [](const Incident& i, const std::pair<std::int32_t, std::uint32_t>& k) {
      return std::pair(i.date, i.triple) < k;
    });
  }
  return {lo, hi};
}

}  // namespace

// ---- Snapshot -------------------------------------------------------------------------------

std::uint64_t Snapshot::version() const noexcept { return state_->version; }
std::size_t Snapshot::triple_count() const noexcept { return state_->live; }
std::size_t Snapshot::max_triple_id() const noexcept { return state_->end; }
std::size_t Snapshot::actor_limit() const noexcept { return state_->actors->size(); }

std::size_t Snapshot::memory_bytes() const noexcept {
  std::size_t n = state_->actors->capacity() * sizeof(ActorInfo);
  state_->for_each_segment([&n](const Segment& seg) { n += seg.memory_bytes(); });
  if (state_->overlay)
    n += state_->overlay->rows.size() * (sizeof(Row) + 32) + state_->overlay->bits.capacity() * sizeof(std::uint64_t);
  return n;
}

ActorInfo Snapshot::actor(ActorIdx a) const noexcept {
  const auto i = core::value(a);
  return i < state_->actors->size() ? (*state_->actors)[i] : ActorInfo{};
}

std::optional<TripleRecord> Snapshot::triple(TripleId id) const {
  const auto v = core::value(id);
  if (v < 1 || v > static_cast<std::int64_t>(state_->end)) return std::nullopt;
  const auto t = static_cast<std::uint32_t>(v - 1);
  const Row& r = state_->row(t);
  if (r.flags & detail::row_hole) return std::nullopt;
  return to_record(t, r);
}

std::vector<TripleRecord> Snapshot::triples(const TripleQuery& q, std::optional<TriplePosition> after,
                                            std::size_t limit) const {
  const State& s = *state_;
  std::vector<TripleRecord> out;
  if (limit == 0 || q.filter.dates.empty()) return out;
  std::optional<std::pair<std::int32_t, std::uint32_t>> before;
  if (after) {
    const auto id = core::value(after->id);
    if (id < 1) return out;
    before = std::pair(after->date.days(), static_cast<std::uint32_t>(std::min<std::int64_t>(id - 1, UINT32_MAX)));
  }
  const auto matches_ends = [&q](const Row& r) {
    if (q.subject && r.subject != core::value(*q.subject)) return false;
    if (q.object && r.object != core::value(*q.object)) return false;
    if (q.actor && r.subject != core::value(*q.actor) && r.object != core::value(*q.actor)) return false;
    return true;
  };

  // Anchor the scan on the most selective actor constraint, if there is one.
  std::optional<std::uint32_t> anchor;
  std::size_t best = SIZE_MAX;
  for (const auto& a : {q.subject, q.object, q.actor}) {
    if (!a) continue;
    std::size_t deg = 0;
    s.for_each_segment([&](const Segment& seg) { deg += seg.degree(core::value(*a)); });
    if (deg < best) {
      best = deg;
      anchor = core::value(*a);
    }
  }

  if (anchor) {
    std::vector<std::span<const Incident>> cursors;
    s.for_each_segment([&](const Segment& seg) {
      auto w = window(seg.incidents_of(*anchor), q.filter.dates, before);
      if (!w.empty()) cursors.push_back(w);
    });
    while (out.size() < limit) {
      std::span<const Incident>* pick = nullptr;
      for (auto& c : cursors) {
        if (c.empty()) continue;
        if (!pick || std::pair(c.back().date, c.back().triple) > std::pair(pick->back().date, pick->back().triple))
          pick = &c;
      }
      if (!pick) break;
      const Incident& inc = pick->back();
      *pick = pick->first(pick->size() - 1);
      if (!incident_passes(s, inc, q.filter)) continue;
      const Row& r = s.row(inc.triple);
      if (matches_ends(r)) out.push_back(to_record(inc.triple, r));
    }
    return out;
  }

  // No actor: walk every segment's date order, newest first.
  struct RowCursor {
    const Segment* seg;
    const std::uint32_t* lo;
    const std::uint32_t* hi;
  };
  std::vector<RowCursor> cursors;
  const auto since = q.filter.dates.since.days();
  const auto until = q.filter.dates.until.days();
  s.for_each_segment([&](const Segment& seg) {
    const auto key = [&seg](std::uint32_t p) { return std::pair(seg.rows[p].date, seg.first + p); };
    const auto* b = seg.by_date.data();
    const auto* e = b + seg.by_date.size();
    const auto* lo = std::lower_bound(b, e, since, [&](std::uint32_t p, std::int32_t d) { return seg.rows[p].date < d; });
    const auto* hi = std::upper_bound(lo, e, until, [&](std::int32_t d, std::uint32_t p) { return d < seg.rows[p].date; });
    if (before) hi = std::lower_bound(lo, hi, *before, [&](std::uint32_t p, const auto& k) { return key(p) < k; });
    if (lo != hi) cursors.push_back({&seg, lo, hi});
  });
  while (out.size() < limit) {
    RowCursor* pick = nullptr;
    std::pair<std::int32_t, std::uint32_t> best_key{};
    for (auto& c : cursors) {
      if (c.lo == c.hi) continue;
      const auto p = *(c.hi - 1);
      const auto k = std::pair(c.seg->rows[p].date, c.seg->first + p);
      if (!pick || k > best_key) {
        pick = &c;
        best_key = k;
      }
    }
    if (!pick) break;
    --pick->hi;
    const std::uint32_t t = best_key.second;
    const Row& r = s.row(t);
    if (!row_passes(r, q.filter) || !q.filter.relations.test(static_cast<RelationIdx>(r.relation)) ||
        !q.filter.admits_polarity(static_cast<core::Polarity>(r.polarity)))
      continue;
    out.push_back(to_record(t, r));
  }
  return out;
}

std::vector<RelationAggregate> Snapshot::relations(ActorIdx actor, Direction direction,
                                                   const TripleFilter& filter) const {
  const State& s = *state_;
  const auto a = core::value(actor);
  const auto dir_mask = static_cast<std::uint8_t>(direction);
  boost::unordered_flat_map<std::uint64_t, RelationAggregate> agg;  // open addressing: no node per neighbour
  const auto& rel = *s.relations;
  s.for_each_segment([&](const Segment& seg) {
    for (const Incident& inc : window(seg.incidents_of(a), filter.dates, std::nullopt)) {
      if ((inc.dir & dir_mask) == 0 || !incident_passes(s, inc, filter)) continue;
      // A self-loop counts once, as outgoing when outgoing is asked for.
      const Direction d = (inc.dir & dir_mask & 1u) ? Direction::out : Direction::in;
      const std::uint64_t key = (std::uint64_t{inc.other} << 32) | (std::uint64_t{inc.relation} << 8) |
                                static_cast<std::uint64_t>(d);
      auto [it, fresh] = agg.try_emplace(key);
      RelationAggregate& x = it->second;
      const Date date = Date::from_days(inc.date);
      if (fresh) {
        x.neighbor = static_cast<ActorIdx>(inc.other);
        x.relation = static_cast<RelationIdx>(inc.relation);
        x.direction = d;
        x.first_date = date;
        x.last_date = date;
      }
      ++x.count;
      x.first_date = std::min(x.first_date, date);
      x.last_date = std::max(x.last_date, date);
      if (inc.relation < rel.size()) x.goldstein_total += rel[inc.relation].goldstein;
    }
  });
  std::vector<RelationAggregate> out;
  out.reserve(agg.size());
  for (auto& [k, v] : agg) out.push_back(v);
  std::sort(out.begin(), out.end(), [](const RelationAggregate& x, const RelationAggregate& y) {
    if (x.count != y.count) return x.count > y.count;
    if (x.neighbor != y.neighbor) return core::value(x.neighbor) < core::value(y.neighbor);
    if (x.relation != y.relation) return core::value(x.relation) < core::value(y.relation);
    return x.direction < y.direction;
  });
  return out;
}

// ---- RelationGraph --------------------------------------------------------------------------

struct RelationGraph::Impl {
  mutable std::mutex mu;
  std::shared_ptr<const State> state;
  std::size_t min_delta = std::size_t{1} << 16;
  std::size_t delta_ratio = 8;
};

RelationGraph::RelationGraph(std::vector<RelationInfo> relations) : impl_(std::make_unique<Impl>()) {
  auto s = std::make_shared<State>();
  s->relations = std::make_shared<const std::vector<RelationInfo>>(std::move(relations));
  s->actors = std::make_shared<const std::vector<ActorInfo>>();
  s->base = detail::build_segment(0, {});
  impl_->state = std::move(s);
}

RelationGraph::~RelationGraph() = default;

void RelationGraph::set_compaction(std::size_t min_delta, std::size_t delta_ratio) {
  std::lock_guard lock(impl_->mu);
  impl_->min_delta = min_delta;
  impl_->delta_ratio = std::max<std::size_t>(delta_ratio, 1);
}

Snapshot RelationGraph::snapshot() const {
  std::lock_guard lock(impl_->mu);
  return Snapshot(impl_->state);
}

Snapshot RelationGraph::load(std::vector<std::pair<ActorIdx, ActorInfo>> actors, std::vector<TripleRecord> triples) {
  auto s = std::make_shared<State>();
  {
    std::lock_guard lock(impl_->mu);
    s->relations = impl_->state->relations;
    s->version = impl_->state->version + 1;
  }
  auto infos = std::make_shared<std::vector<ActorInfo>>();
  for (const auto& [idx, info] : actors) {
    if (core::value(idx) >= infos->size()) infos->resize(core::value(idx) + std::size_t{1});
    (*infos)[core::value(idx)] = info;
  }
  s->actors = std::move(infos);

  std::vector<Row> rows;
  // Ids may have holes (rows merged away): the rows run to the last id, not to the count.
  rows.reserve(triples.empty() ? 0 : static_cast<std::size_t>(core::value(triples.back().id)));
  for (const auto& t : triples) {
    const auto want = static_cast<std::size_t>(core::value(t.id) - 1);
    while (rows.size() < want) rows.push_back(hole_row());
    if (rows.size() == want) rows.push_back(to_row(t));
  }
  triples.clear();
  triples.shrink_to_fit();
  s->end = static_cast<std::uint32_t>(rows.size());
  s->base = detail::build_segment(0, std::move(rows));
  s->live = s->base->live;
  std::lock_guard lock(impl_->mu);
  impl_->state = s;
  return Snapshot(std::move(s));
}

Snapshot RelationGraph::apply(const GraphUpdate& update) { return install(prepare(update)); }

Snapshot RelationGraph::install(Prepared prepared) {
  std::lock_guard lock(impl_->mu);
  if (!prepared.next_ || impl_->state != prepared.base_)
    throw std::logic_error("RelationGraph::install: the version was prepared on a state that is no longer current");
  impl_->state = prepared.next_;
  return Snapshot(std::move(prepared.next_));
}

RelationGraph::Prepared RelationGraph::prepare(const GraphUpdate& update) const {
  std::shared_ptr<const State> cur;
  std::size_t min_delta = 0, ratio = 1;
  {
    std::lock_guard lock(impl_->mu);
    cur = impl_->state;
    min_delta = impl_->min_delta;
    ratio = impl_->delta_ratio;
  }
  auto s = std::make_shared<State>(*cur);
  s->version = cur->version + 1;

  if (!update.actors.empty()) {
    auto infos = std::make_shared<std::vector<ActorInfo>>(*cur->actors);
    for (const auto& [idx, info] : update.actors) {
      if (core::value(idx) >= infos->size()) infos->resize(core::value(idx) + std::size_t{1});
      (*infos)[core::value(idx)] = info;
    }
    s->actors = std::move(infos);
  }

  std::vector<Row> fresh;
  if (update.triples.size() >= min_delta) {
    fresh.reserve(update.triples.size());
    core::advise_huge_pages(fresh);
  }
  std::shared_ptr<Overlay> overlay;
  for (const auto& t : update.triples) {
    const auto idx = static_cast<std::uint32_t>(core::value(t.id) - 1);
    const Row row = to_row(t);
    if (idx < cur->end) {
      if (!overlay) overlay = cur->overlay ? std::make_shared<Overlay>(*cur->overlay) : std::make_shared<Overlay>();
      const Row& old = cur->row(idx);
      s->live = s->live - (is_live(old) ? 1 : 0) + (is_live(row) ? 1 : 0);
      overlay->rows[idx] = row;
      if ((idx >> 6) >= overlay->bits.size()) overlay->bits.resize((cur->end >> 6) + 1u, 0);
      overlay->bits[idx >> 6] |= std::uint64_t{1} << (idx & 63u);
      continue;
    }
    const std::uint32_t first_new = cur->end + static_cast<std::uint32_t>(fresh.size());
    if (idx < first_new) {  // the same new triple twice in one update: keep the later state
      Row& prev = fresh[idx - cur->end];
      s->live = s->live - (is_live(prev) ? 1 : 0) + (is_live(row) ? 1 : 0);
      prev = row;
      continue;
    }
    while (cur->end + fresh.size() < idx) fresh.push_back(hole_row());
    fresh.push_back(row);
    if (is_live(row)) ++s->live;
  }
  if (overlay) s->overlay = std::move(overlay);

  std::size_t pending = fresh.size() + (s->overlay ? s->overlay->rows.size() : 0);
  for (const auto& d : s->deltas) pending += d->rows.size();
  const bool fold = pending > std::max(min_delta, s->base->rows.size() / ratio);
  if (!fresh.empty() && fold) {
    // A large write (a bulk import) goes straight into the new base below.
    s->end = cur->end + static_cast<std::uint32_t>(fresh.size());
  } else if (!fresh.empty()) {
    s->end = cur->end + static_cast<std::uint32_t>(fresh.size());
    s->deltas.push_back(detail::build_segment(cur->end, std::move(fresh)));
    // Keep few deltas: merge neighbours of similar size (sizes then grow geometrically).
    while (s->deltas.size() >= 2 &&
           s->deltas[s->deltas.size() - 2]->rows.size() <= 2 * s->deltas.back()->rows.size()) {
      const auto& a = *s->deltas[s->deltas.size() - 2];
      const auto& b = *s->deltas.back();
      std::vector<Row> rows;
      rows.reserve(a.rows.size() + b.rows.size());
      rows.insert(rows.end(), a.rows.begin(), a.rows.end());
      rows.insert(rows.end(), b.rows.begin(), b.rows.end());
      auto merged = detail::build_segment(a.first, std::move(rows));
      s->deltas.pop_back();
      s->deltas.back() = std::move(merged);
    }
  }

  if (fold) {
    // Fold everything into a new base; readers keep using the old state meanwhile.
    std::vector<Row> rows;
    if (s->base->rows.empty() && s->deltas.empty()) {
      rows = std::move(fresh);  // the first load: nothing to merge with
    } else {
      rows.reserve(s->end);
      core::advise_huge_pages(rows);
      s->for_each_segment([&](const Segment& seg) { rows.insert(rows.end(), seg.rows.begin(), seg.rows.end()); });
      rows.insert(rows.end(), fresh.begin(), fresh.end());
    }
    if (s->overlay)
      for (const auto& [t, r] : s->overlay->rows) rows[t] = r;
    s->base = detail::build_segment(0, std::move(rows));
    s->deltas.clear();
    s->overlay.reset();
  }

  Prepared out;
  out.base_ = std::move(cur);
  out.next_ = std::move(s);
  return out;
}

}  // namespace geokg::graph
