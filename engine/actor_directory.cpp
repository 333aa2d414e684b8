#include "engine/actor_directory.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <set>
#include <tuple>
#include <type_traits>

namespace geokg::engine {

namespace {
int type_rank(core::ActorType t) {
  switch (t) {
    case core::ActorType::country: return 0;
    case core::ActorType::igo: return 1;
    case core::ActorType::person: return 2;
    case core::ActorType::group: return 3;
    case core::ActorType::organization: return 4;
    case core::ActorType::other: return 5;
  }
  return 6;
}
}  // namespace

const core::Actor* ActorDirectory::get(core::ActorIdx idx) const noexcept {
  const auto i = core::value(idx);
  return i < actors_.size() ? actors_[i].get() : nullptr;
}

std::optional<core::ActorIdx> ActorDirectory::by_id(std::string_view id) const {
  const auto it = ids_.find(std::string(id));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

std::vector<ActorMatch> ActorDirectory::search(std::string_view text, std::size_t limit) const {
  std::vector<ActorMatch> out;
  std::set<std::uint32_t> seen;
  if (auto id = by_id(text)) {
    out.push_back({*id, std::string(text), true});
    seen.insert(core::value(*id));
  }
  const std::string key = core::normalize_alias(text);
  if (key.empty()) return out;
  auto it = std::lower_bound(keys_.begin(), keys_.end(), key, [](const Key& e, const std::string& k) { return e.key < k; });
  // Rank: exact whole names, whole-name prefixes, word prefixes; then countries first, shorter, by id.
  std::vector<std::pair<std::tuple<int, int, std::size_t, std::string_view>, ActorMatch>> found;
  for (; it != keys_.end() && it->key.compare(0, key.size(), key) == 0; ++it) {
    const bool exact = it->whole && it->key.size() == key.size();
    const int kind = exact ? 0 : it->whole ? 1 : 2;
    const auto* a = get(it->idx);
    found.push_back({{kind, type_rank(a->type), it->key.size(), a->id}, {it->idx, texts_[it->text], exact}});
    if (found.size() > 20000) break;  // a one-letter prefix: enough candidates to rank
  }
  std::sort(found.begin(), found.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  for (auto& [rank, m] : found) {
    if (out.size() >= limit) break;
    if (seen.insert(core::value(m.idx)).second) out.push_back(std::move(m));
  }
  return out;
}

std::vector<ActorMatch> ActorDirectory::lookup(std::string_view text) const {
  // search() ranked by (exact, type, key length, id) with every prefix match; only the exact
  // keys matter here, so look at those alone ("USA" would otherwise rank every "usa ..." name).
  std::vector<ActorMatch> out;
  if (auto id = by_id(text)) out.push_back({*id, std::string(text), true});
  const std::string key = core::normalize_alias(text);
  if (key.empty()) return out;
  const auto [b, e] = std::equal_range(keys_.begin(), keys_.end(), key, [](const auto& x, const auto& y) {
    if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::string>) {
      return x < y.key;
    } else {
      return x.key < y;
    }
  });
  std::vector<std::pair<std::tuple<int, std::string_view>, ActorMatch>> found;
  for (auto it = b; it != e; ++it) {
    if (!it->whole) continue;
    const auto* a = get(it->idx);
    found.push_back({{type_rank(a->type), a->id}, {it->idx, texts_[it->text], true}});
  }
  std::sort(found.begin(), found.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  for (auto& entry : found) {
    const auto idx = entry.second.idx;  // not a structured binding: clang 14 cannot capture those
    if (std::none_of(out.begin(), out.end(), [idx](const ActorMatch& o) { return o.idx == idx; }))
      out.push_back(std::move(entry.second));
  }
  return out;
}

void ActorDirectory::index(core::ActorIdx idx, const core::Actor& a) {
  ids_[a.id] = idx;
  std::set<std::string> keys;
  const auto add = [&](const std::string& text) {
    auto k = core::normalize_alias(text);
    if (k.empty() || !keys.insert(k).second) return;
    const auto t = static_cast<std::uint32_t>(texts_.size());
    texts_.push_back(text);
    for (std::size_t p = k.find(' '); p != std::string::npos; p = k.find(' ', p + 1))
      keys_.push_back({k.substr(p + 1), idx, t, false});
    keys_.push_back({std::move(k), idx, t, true});
  };
  add(a.id);
  add(a.name);
  for (const auto& al : a.aliases) add(al);
}

void ActorDirectory::finish() {
  std::sort(keys_.begin(), keys_.end(), [](const Key& x, const Key& y) {
    return std::tie(x.key, x.whole) < std::tie(y.key, y.whole);
  });
  by_id_order_.clear();
  for (std::size_t i = 0; i < actors_.size(); ++i)
    if (actors_[i]) by_id_order_.push_back(static_cast<core::ActorIdx>(i));
  std::sort(by_id_order_.begin(), by_id_order_.end(),
            [&](core::ActorIdx x, core::ActorIdx y) { return get(x)->id < get(y)->id; });
  count_ = by_id_order_.size();
}

std::shared_ptr<const ActorDirectory> ActorDirectory::with(
    const std::vector<std::pair<core::ActorIdx, core::Actor>>& changes) const {
  auto d = std::make_shared<ActorDirectory>();
  d->actors_ = actors_;
  for (const auto& [idx, actor] : changes) {
    const auto i = core::value(idx);
    if (i >= d->actors_.size()) d->actors_.resize(i + std::size_t{1});
    d->actors_[i] = std::make_shared<const core::Actor>(actor);
  }
  // Re-index from scratch: simple, and writes that change actors are rare next to reads.
  for (std::size_t i = 0; i < d->actors_.size(); ++i)
    if (d->actors_[i]) d->index(static_cast<core::ActorIdx>(i), *d->actors_[i]);
  d->finish();
  return d;
}

}  // namespace geokg::engine
