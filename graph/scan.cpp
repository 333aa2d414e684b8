#include "graph/scan.hpp"

namespace geokg::graph {

namespace detail {

Nodes::Nodes(const State& s, bool rollup) : state_(&s), rollup_(rollup), limit_(actor_limit(s)) {
  if (!rollup_) return;
  rep_.resize(limit_);
  const auto& infos = *s.actors;
  member_offsets_.assign(static_cast<std::size_t>(limit_) + 1, 0);
  for (std::uint32_t a = 0; a < limit_; ++a) {
    rep_[a] = a < infos.size() && folds(infos[a], limit_) ? infos[a].country : a;
    ++member_offsets_[rep_[a] + 1];
  }
  for (std::size_t i = 1; i < member_offsets_.size(); ++i) member_offsets_[i] += member_offsets_[i - 1];
  members_.resize(limit_);
  std::vector<std::uint32_t> cursor(member_offsets_.begin(), member_offsets_.end() - 1);
  for (std::uint32_t a = 0; a < limit_; ++a) members_[cursor[rep_[a]]++] = a;
}

std::size_t Nodes::degree(std::uint32_t node) const noexcept {
  std::size_t d = 0;
  for (const std::uint32_t m : members(node)) state_->for_each_segment([&](const Segment& seg) { d += seg.degree(m); });
  return d;
}

Counter& thread_counter(std::uint32_t limit) {
  thread_local Counter counter;
  counter.prepare(limit);
  return counter;
}

}  // namespace detail

ActorIdx node_of(const Snapshot& snapshot, ActorIdx actor, bool rollup) {
  if (!rollup) return actor;
  const ActorInfo info = snapshot.actor(actor);
  return detail::folds(info, static_cast<std::uint32_t>(snapshot.actor_limit())) ? static_cast<ActorIdx>(info.country)
                                                                                 : actor;
}

}  // namespace geokg::graph
