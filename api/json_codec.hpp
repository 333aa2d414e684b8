#pragma once

#include "core/model.hpp"
#include "core/relation_catalog.hpp"
#include "engine/engine.hpp"

#include <nlohmann/json.hpp>

namespace geokg::api {

nlohmann::ordered_json actor_json(const core::Actor& a);
// {"id","name","country"} of an actor in a triple; null when idx is none or unknown.
nlohmann::ordered_json actor_ref_json(const engine::View& view, std::optional<core::ActorIdx> idx);
nlohmann::ordered_json relation_json(const core::RelationType& t, bool full);
nlohmann::ordered_json triple_json(const engine::View& view, const core::RelationCatalog& cat, const core::TripleRecord& t);
nlohmann::ordered_json evidence_json(const core::EvidenceRecord& e);
// Confidence as stored (float), printed without float noise: 0.9, not 0.8999999761581421.
double confidence_value(float c);

}  // namespace geokg::api
