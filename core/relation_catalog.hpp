#pragma once

#include "core/error.hpp"
#include "core/model.hpp"

#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace geokg::core {

// Parses the project's relation-type table (data/relation_types.tsv): tab-separated
// code, slug, name, root, quad_class, goldstein, plover ('-' = none); '#' starts a comment line.
Result<std::vector<RelationType>> parse_relation_types_tsv(std::string_view text);

// Immutable lookup over the CAMEO relation types; safe to share between threads.
class RelationCatalog {
 public:
  RelationCatalog() = default;
  explicit RelationCatalog(std::vector<RelationType> types);

  std::size_t size() const noexcept { return types_.size(); }
  const RelationType& at(RelationIdx r) const { return types_.at(value(r)); }
  const std::vector<RelationType>& all() const noexcept { return types_; }

  // A CAMEO code ("072") or a slug ("provide-military-aid").
  std::optional<RelationIdx> find(std::string_view code_or_slug) const;
  // Every relation whose code starts with `prefix` (a root "07" or a 3-digit code "072").
  std::vector<RelationIdx> with_prefix(std::string_view prefix) const;
  static bool is_root(std::string_view s) noexcept;

 private:
  std::vector<RelationType> types_;
  std::unordered_map<std::string, RelationIdx> by_key_;
};

}  // namespace geokg::core
