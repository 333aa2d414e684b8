#pragma once

#include "core/model.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace geokg::engine {

// How a name matched an actor.
struct ActorMatch {
  core::ActorIdx idx{};
  std::string matched;  // the id, name or alias that matched, as written
  bool exact = false;   // the whole normalized name matched (not only a prefix)
};

// Immutable index of actors by id, name and alias. A write builds a new directory with
// `with()`; readers keep the one they hold. Thread-safe for reads.
class ActorDirectory {
 public:
  ActorDirectory() = default;

  std::size_t size() const noexcept { return count_; }
  std::size_t limit() const noexcept { return actors_.size(); }  // every idx value is below
  const core::Actor* get(core::ActorIdx idx) const noexcept;
  std::optional<core::ActorIdx> by_id(std::string_view id) const;
  // Exact id first; then actors whose normalized name or alias equals the normalized text,
  // best first (countries, then IGOs, then others; then by id).
  std::vector<ActorMatch> lookup(std::string_view text) const;
  // Exact matches as lookup(), then names and aliases that start with the normalized text,
  // then those with a word that starts with it ("korea" finds North Korea), at most `limit`.
  std::vector<ActorMatch> search(std::string_view text, std::size_t limit) const;
  // Actor idx values ordered by id, for listing.
  const std::vector<core::ActorIdx>& ordered_by_id() const noexcept { return by_id_order_; }

  // A new directory with these actors added or replaced (by idx).
  std::shared_ptr<const ActorDirectory> with(const std::vector<std::pair<core::ActorIdx, core::Actor>>& changes) const;

 private:
  void index(core::ActorIdx idx, const core::Actor& a);
  void finish();

  std::vector<std::shared_ptr<const core::Actor>> actors_;  // by idx value; null where none
  std::size_t count_ = 0;
  std::unordered_map<std::string, core::ActorIdx> ids_;
  struct Key {
    std::string key;        // normalized name or alias, or the part of one from a word on
    core::ActorIdx idx{};
    std::uint32_t text = 0;  // index into texts_ of the name or alias as written
    bool whole = false;      // the whole name, not a word inside it
  };
  std::vector<Key> keys_;  // sorted by key
  std::vector<std::string> texts_;
  std::vector<core::ActorIdx> by_id_order_;
};

}  // namespace geokg::engine
