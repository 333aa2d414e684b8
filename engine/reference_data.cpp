#include "engine/reference_data.hpp"

#include "core/actor_table.hpp"
#include "core/relation_catalog.hpp"
#include "data/embedded.hpp"

namespace geokg::engine {

core::Result<std::vector<core::RelationType>> reference_relation_types() {
  const auto text = data::embedded("relation_types.tsv");
  if (!text) return core::internal_error("relation_types.tsv is not embedded");
  return core::parse_relation_types_tsv(*text);
}

core::Result<std::vector<core::Actor>> reference_actors() {
  std::vector<core::Actor> out;
  for (const char* file : {"actors/countries.tsv", "actors/igos.tsv", "actors/groups.tsv", "actors/people.tsv"}) {
    const auto text = data::embedded(file);
    if (!text) return core::internal_error(std::string(file) + " is not embedded");
    auto rows = core::parse_actor_table(*text);
    if (!rows) return core::internal_error(std::string(file) + ": " + rows.error().detail);
    for (auto& r : *rows) out.push_back(std::move(r.actor));
  }
  return out;
}

}  // namespace geokg::engine
