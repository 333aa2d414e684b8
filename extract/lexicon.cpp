#include "extract/lexicon.hpp"

#include <boost/container_hash/hash.hpp>

namespace geokg::extract {

std::size_t Vocabulary::Hash::operator()(std::string_view s) const noexcept {
  return boost::hash_range(s.begin(), s.end());
}

Vocabulary::Vocabulary() {
  words_.emplace_back();
  classes_.push_back(0);
}

std::uint32_t Vocabulary::intern(std::string_view key) {
  if (key.empty()) return 0;
  if (const auto it = ids_.find(key); it != ids_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(words_.size());
  words_.emplace_back(key);
  classes_.push_back(0);
  ids_.emplace(std::string(key), id);
  return id;
}

std::uint32_t Vocabulary::find(std::string_view key) const noexcept {
  const auto it = ids_.find(key);
  return it == ids_.end() ? 0 : it->second;
}

void Vocabulary::add_classes(std::uint32_t id, std::uint64_t classes) {
  if (id != 0 && id < classes_.size()) classes_[id] |= classes;
}

std::uint32_t PhraseTrie::insert(std::span<const std::uint32_t> words) {
  std::uint32_t node = root;
  for (const auto w : words) {
    const std::uint64_t key = (std::uint64_t{node} << 32) | w;
    const auto [it, inserted] = edges_.try_emplace(key, nodes_);
    if (inserted) ++nodes_;
    node = it->second;
  }
  return node;
}

}  // namespace geokg::extract
