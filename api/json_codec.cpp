#include "api/json_codec.hpp"

#include "engine/actor_directory.hpp"

#include <cmath>

namespace geokg::api {

using json = nlohmann::ordered_json;

namespace {
json text_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }
}  // namespace

double confidence_value(float c) { return std::round(static_cast<double>(c) * 1e6) / 1e6; }

json actor_json(const core::Actor& a) {
  return {{"id", a.id},
          {"name", a.name},
          {"type", std::string(core::to_string(a.type))},
          {"country", text_or_null(a.country)},
          {"aliases", a.aliases}};
}

json actor_ref_json(const engine::View& view, std::optional<core::ActorIdx> idx) {
  if (!idx) return nullptr;
  const auto* a = view.actors->get(*idx);
  if (!a) return nullptr;
  return {{"id", a->id}, {"name", a->name}, {"country", text_or_null(a->country)}};
}

json relation_json(const core::RelationType& t, bool full) {
  json j = {{"code", t.code}, {"slug", t.slug}, {"name", t.name}, {"root", t.root},
            {"quad_class", t.quad_class}, {"goldstein", t.goldstein}};
  if (full) j["plover"] = text_or_null(t.plover);
  return j;
}

json triple_json(const engine::View& view, const core::RelationCatalog& cat, const core::TripleRecord& t) {
  json j = {{"id", core::value(t.id)},
            {"subject", actor_ref_json(view, t.subject)},
            {"relation", relation_json(cat.at(t.relation), false)},
            {"object", actor_ref_json(view, t.object)},
            {"date", t.date.to_string()},
            {"polarity", std::string(core::to_string(t.polarity))},
            {"confidence", confidence_value(t.confidence)},
            {"evidence_count", t.evidence_count}};
  j["retracted"] = t.retracted;
  return j;
}

json evidence_json(const core::EvidenceRecord& e) {
  json src = nullptr;
  if (!e.source.empty())
    src = {{"url", text_or_null(e.source.url)},
           {"title", text_or_null(e.source.title)},
           {"publisher", text_or_null(e.source.publisher)},
           {"published_at", text_or_null(e.source.published_at)}};
  json j = {{"id", e.id},
            {"text", e.text},
            {"start", e.start ? json(*e.start) : json(nullptr)},
            {"end", e.end ? json(*e.end) : json(nullptr)}};
  if (e.sentence_index >= 0) j["sentence_index"] = e.sentence_index;
  if (e.document) j["document_id"] = *e.document;
  j["source"] = std::move(src);
  j["created_at"] = e.created_at;
  if (!e.dataset.empty()) {
    // An imported dataset event: where it comes from and the dataset's own measures.
    json attrs = e.attributes.empty() ? json::object() : json::parse(e.attributes, nullptr, false);
    j["dataset"] = {{"name", e.dataset},
                    {"event_id", e.event_id},
                    {"attributes", attrs.is_discarded() ? json::object() : std::move(attrs)}};
  }
  return j;
}

}  // namespace geokg::api
