#pragma once

#include "core/relation_catalog.hpp"
#include "extract/coder.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

namespace geokg::extract {

struct EventJsonOptions {
  std::optional<std::string_view> doc_id;  // adds "doc_id" first
  bool explain = false;                    // adds "explain": {"trigger", "pattern"}
};

// The JSON form of an event, as `geokg extract` prints it (one line per event):
// {"doc_id"?, "subject": {"id","name","type","country","text"}, "relation": {"code","slug","root"},
//  "object": {...}|null, "date", "polarity", "confidence",
//  "evidence": {"sentence_index","sentence","start","end"}}; "country" is null when empty.
nlohmann::json to_json(const Event& event, const core::RelationCatalog& relations,
                       const EventJsonOptions& options = {});
nlohmann::json to_json(const MentionedActor& actor);

}  // namespace geokg::extract
