#include "graph/projection.hpp"

#include "graph/scan.hpp"

#include <algorithm>
#include <future>
#include <list>
#include <mutex>
#include <utility>

namespace geokg::graph::detail {

std::uint32_t Projection::dyad_weight(std::uint32_t a, std::uint32_t b) const noexcept {
  if (a >= vertex_of.size() || b >= vertex_of.size()) return 0;
  const auto va = vertex_of[a], vb = vertex_of[b];
  if (va == no_vertex || vb == no_vertex) return 0;
  const auto& rows = undirected.m_forward.m_rowstart;
  const auto& cols = undirected.m_forward.m_column;
  const auto first = cols.begin() + rows[va];
  const auto last = cols.begin() + rows[va + 1];
  const auto it = std::lower_bound(first, last, vb);
  if (it == last || *it != vb) return 0;
  return undirected_weight[static_cast<std::size_t>(it - cols.begin())];
}

namespace {

std::shared_ptr<const Projection> build(const State& s, const GraphFilter& f) {
  const Nodes nodes(s, f.rollup);
  const std::uint32_t limit = nodes.limit();
  const std::uint32_t min_count = std::max<std::uint32_t>(f.min_count, 1);
  auto p = std::make_shared<Projection>();

  // Per node, its neighbours with counts in both directions.
  std::vector<std::uint32_t> und_start(static_cast<std::size_t>(limit) + 1, 0), dir_start(und_start);
  std::vector<std::uint32_t> und_target, und_weight, dir_target, dir_weight;
  std::vector<std::uint64_t> strength(limit, 0);
  std::vector<Neighbour> neighbours;
  for (std::uint32_t v = 0; v < limit; ++v) {
    und_start[v] = static_cast<std::uint32_t>(und_target.size());
    dir_start[v] = static_cast<std::uint32_t>(dir_target.size());
    if (nodes.node(v) != v) continue;
    if (!f.triples.dates.empty())
      expand(s, nodes, f.triples, v, neighbours, false);
    else
      neighbours.clear();
    for (const auto& n : neighbours) {
      if (n.out + n.in >= min_count) {
        und_target.push_back(n.node);
        und_weight.push_back(n.out + n.in);
        strength[v] += n.out + n.in;
      }
      if (n.out >= min_count) {
        dir_target.push_back(n.node);
        dir_weight.push_back(n.out);
      }
    }
  }
  und_start[limit] = static_cast<std::uint32_t>(und_target.size());
  dir_start[limit] = static_cast<std::uint32_t>(dir_target.size());

  // Vertices by strength, hubs first: most edges then point into a small, cache-resident range.
  for (std::uint32_t v = 0; v < limit; ++v)
    if (und_start[v + 1] != und_start[v]) p->actor_of.push_back(v);
  std::sort(p->actor_of.begin(), p->actor_of.end(), [&](std::uint32_t x, std::uint32_t y) {
    return strength[x] != strength[y] ? strength[x] > strength[y] : x < y;
  });
  const auto nv = static_cast<std::uint32_t>(p->actor_of.size());
  p->vertex_of.assign(limit, no_vertex);
  for (std::uint32_t v = 0; v < nv; ++v) p->vertex_of[p->actor_of[v]] = v;
  p->strength.resize(nv);
  for (std::uint32_t v = 0; v < nv; ++v) p->strength[v] = strength[p->actor_of[v]];
  for (auto x : p->strength) p->total_weight += x;
  p->total_weight /= 2;

  // Rows in vertex order, each sorted by target vertex (dyad_weight searches them).
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges, row;
  const auto emit = [&](const std::vector<std::uint32_t>& start, const std::vector<std::uint32_t>& target,
                        const std::vector<std::uint32_t>& weight, std::vector<std::uint32_t>& weights_out) {
    edges.clear();
    edges.reserve(target.size());
    weights_out.reserve(target.size());
    for (std::uint32_t v = 0; v < nv; ++v) {
      const auto a = p->actor_of[v];
      row.clear();
      for (auto i = start[a]; i < start[a + 1]; ++i) row.emplace_back(p->vertex_of[target[i]], weight[i]);
      std::sort(row.begin(), row.end());
      for (const auto& [t, w] : row) {
        edges.emplace_back(v, t);
        weights_out.push_back(w);
      }
    }
  };
  emit(und_start, und_target, und_weight, p->undirected_weight);
  p->undirected = Csr(boost::edges_are_sorted, edges.begin(), edges.end(), nv);
  emit(dir_start, dir_target, dir_weight, p->directed_weight);
  p->directed = Csr(boost::edges_are_sorted, edges.begin(), edges.end(), nv);
  return p;
}

// What a projection depends on, comparable.
struct Key {
  std::weak_ptr<const State> state;
  const State* raw = nullptr;
  std::vector<bool> relations;
  bool restricted = false;
  std::int32_t since = 0, until = 0;
  std::uint8_t polarities = 0;
  float min_confidence = 0.0f;
  bool include_retracted = false;
  std::uint32_t min_count = 1;
  bool rollup = false;

  bool same(const Key& o) const {
    return raw == o.raw && relations == o.relations && restricted == o.restricted && since == o.since &&
           until == o.until && polarities == o.polarities && min_confidence == o.min_confidence &&
           include_retracted == o.include_retracted && min_count == o.min_count && rollup == o.rollup;
  }
};

Key key_of(const std::shared_ptr<const State>& s, const GraphFilter& f) {
  Key k;
  k.state = s;
  k.raw = s.get();
  k.restricted = f.triples.relations.restricted();
  if (k.restricted)
    for (std::size_t i = 0; i < s->relations->size(); ++i)
      k.relations.push_back(f.triples.relations.test(static_cast<RelationIdx>(i)));
  k.since = f.triples.dates.since.days();
  k.until = f.triples.dates.until.days();
  k.polarities = f.triples.polarities;
  k.min_confidence = f.triples.min_confidence;
  k.include_retracted = f.triples.include_retracted;
  k.min_count = std::max<std::uint32_t>(f.min_count, 1);
  k.rollup = f.rollup;
  return k;
}

class Cache {
 public:
  std::shared_ptr<const Projection> get(const std::shared_ptr<const State>& s, const GraphFilter& f) {
    Key key = key_of(s, f);
    std::promise<std::shared_ptr<const Projection>> promise;
    std::shared_future<std::shared_ptr<const Projection>> result;
    bool mine = false;
    std::uint64_t id = 0;
    {
      std::lock_guard lock(mu_);
      entries_.remove_if([](const Entry& e) { return e.key.state.expired(); });
      auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key.same(key); });
      if (it != entries_.end()) {
        entries_.splice(entries_.begin(), entries_, it);
        result = it->value;
      } else {
        result = promise.get_future().share();
        id = ++next_id_;
        entries_.push_front({std::move(key), result, id});
        if (entries_.size() > capacity) entries_.pop_back();
        mine = true;
      }
    }
    if (mine) {
      try {
        promise.set_value(build(*s, f));
      } catch (...) {
        promise.set_exception(std::current_exception());
        std::lock_guard lock(mu_);
        entries_.remove_if([&](const Entry& e) { return e.id == id; });
      }
    }
    return result.get();
  }

 private:
  // A projection of 10M triples takes ~100 MB; a few filters stay warm.
  static constexpr std::size_t capacity = 4;
  struct Entry {
    Key key;
    std::shared_future<std::shared_ptr<const Projection>> value;
    std::uint64_t id = 0;
  };
  std::mutex mu_;
  std::uint64_t next_id_ = 0;
  std::list<Entry> entries_;
};

}  // namespace

std::shared_ptr<const Projection> projection(const std::shared_ptr<const State>& state, const GraphFilter& filter) {
  static Cache cache;
  return cache.get(state, filter);
}

}  // namespace geokg::graph::detail
