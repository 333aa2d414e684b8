#include "extract/event_json.hpp"

#include <cmath>

namespace geokg::extract {

nlohmann::json to_json(const MentionedActor& actor) {
  nlohmann::json j = nlohmann::json::object();
  j["id"] = actor.id;
  j["name"] = actor.name;
  j["type"] = std::string(core::to_string(actor.type));
  j["country"] = actor.country.empty() ? nlohmann::json(nullptr) : nlohmann::json(actor.country);
  j["text"] = actor.text;
  return j;
}

nlohmann::json to_json(const Event& event, const core::RelationCatalog& relations, const EventJsonOptions& options) {
  nlohmann::json j = nlohmann::json::object();
  if (options.doc_id) j["doc_id"] = std::string(*options.doc_id);
  j["subject"] = to_json(event.subject);
  nlohmann::json rel = nlohmann::json::object();
  rel["code"] = event.relation_code;
  if (const auto r = relations.find(event.relation_code)) {
    const auto& t = relations.at(*r);
    rel["slug"] = t.slug;
    rel["root"] = t.root;
  } else {
    rel["slug"] = nullptr;
    rel["root"] = event.relation_code.substr(0, 2);
  }
  j["relation"] = std::move(rel);
  j["object"] = event.object ? to_json(*event.object) : nlohmann::json(nullptr);
  j["date"] = event.date.to_string();
  j["polarity"] = std::string(core::to_string(event.polarity));
  // Two decimals, without float noise (0.7f would print as 0.699999988079071).
  j["confidence"] = std::round(static_cast<double>(event.confidence) * 100.0) / 100.0;
  nlohmann::json ev = nlohmann::json::object();
  ev["sentence_index"] = event.sentence_index;
  ev["sentence"] = event.sentence;
  ev["start"] = event.start;
  ev["end"] = event.end;
  j["evidence"] = std::move(ev);
  if (options.explain) j["explain"] = {{"trigger", event.trigger}, {"pattern", event.pattern}};
  return j;
}

}  // namespace geokg::extract
