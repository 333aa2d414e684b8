#include "api/api.hpp"
#include "api/common.hpp"
#include "api/json_codec.hpp"
#include "engine/actor_directory.hpp"
#include "engine/engine.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>

namespace geokg::api {

using json = nlohmann::ordered_json;

namespace {

core::Result<std::vector<std::string>> string_list(const json& body, const char* key) {
  std::vector<std::string> out;
  const auto it = body.find(key);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) return core::invalid_argument(std::string(key) + " must be an array of strings");
  if (it->size() > 1000) return core::invalid_argument(std::string(key) + " holds more than 1000 items");
  for (const auto& v : *it) {
    if (!v.is_string()) return core::invalid_argument(std::string(key) + " must be an array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

core::Result<std::optional<std::string>> optional_string(const json& body, const char* key) {
  const auto it = body.find(key);
  if (it == body.end()) return std::optional<std::string>();
  if (it->is_null()) return std::optional<std::string>(std::string());
  if (!it->is_string()) return core::invalid_argument(std::string(key) + " must be a string");
  return std::optional<std::string>(it->get<std::string>());
}

core::Result<void> only_members(const json& body, std::initializer_list<const char*> allowed) {
  if (!body.is_object()) return core::invalid_argument("the body must be a JSON object");
  std::string unknown;
  for (const auto& [k, v] : body.items()) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || k == a;
    if (!ok) unknown += (unknown.empty() ? "'" : ", '") + k.substr(0, 60) + "'";
  }
  if (!unknown.empty()) {
    std::string known;
    for (const char* a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
    return core::invalid_argument("unknown member " + unknown + "; expected: " + known);
  }
  return {};
}

json actor_body(const engine::ActorView& v) {
  json j = actor_json(v.actor);
  j["resolved_from"] = v.resolved_from.empty() ? json(nullptr) : json(v.resolved_from);
  return j;
}

}  // namespace

void add_actor_routes(Router& router, Context& ctx) {
  router.add({.method = http::verb::get,
              .pattern = "/v1/actors",
              .summary = "List or search actors (q matches ids, names and aliases; prefixes allowed)",
              .query = {{"q", "string", "name, alias or id, or a prefix of one (case- and punctuation-insensitive)"},
                        {"type", "string", "country, igo, person, organization, group or other"},
                        {"country", "string", "ISO 3166-1 alpha-3 code of the actor's country"},
                        limit_doc(),
                        cursor_doc()},
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                engine::ActorListQuery q;
                auto text = c.query.get("q");
                if (!text) return text.error();
                q.q = text->value_or("");
                auto type = c.query.get("type");
                if (!type) return type.error();
                if (*type && !(*type)->empty()) {
                  auto t = core::parse_actor_type(**type);
                  if (!t) return core::invalid_parameter("type", "type: " + t.error().detail);
                  q.type = *t;
                }
                auto country = c.query.get("country");
                if (!country) return country.error();
                q.country = country->value_or("");
                auto limit = parse_limit(c.query);
                if (!limit) return limit.error();
                q.limit = *limit;
                auto cursor = c.query.get("cursor");
                if (!cursor) return cursor.error();
                if (*cursor && !(*cursor)->empty()) {
                  auto after = decode_cursor("actors", **cursor);
                  if (!after) return after.error();
                  q.after_id = *after;
                }
                auto page = (*e)->list_actors(q);
                if (!page) return page.error();
                json items = json::array();
                for (const auto& a : page->items) items.push_back(actor_json(a));
                json next = page->more ? json(encode_cursor("actors", page->items.back().id)) : json(nullptr);
                return json_reply(c.request, http::status::ok, {{"items", std::move(items)}, {"next_cursor", next}});
              },
              .response_body = "{items: [actor], next_cursor}"});

  router.add({.method = http::verb::post,
              .pattern = "/v1/actors",
              .summary = "Create an actor",
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                auto body = json_body(c.request, true);
                if (!body) return body.error();
                if (auto ok = only_members(*body, {"id", "name", "type", "country", "aliases"}); !ok) return ok.error();
                engine::ActorSpec spec;
                for (auto [key, slot, required] : {std::tuple("id", &spec.id, true), std::tuple("name", &spec.name, true),
                                                   std::tuple("type", &spec.type, false),
                                                   std::tuple("country", &spec.country, false)}) {
                  auto v = optional_string(*body, key);
                  if (!v) return v.error();
                  if (required && (!*v || (*v)->empty())) return core::invalid_argument(std::string(key) + " is required");
                  if (*v) *slot = **v;
                }
                auto aliases = string_list(*body, "aliases");
                if (!aliases) return aliases.error();
                spec.aliases = std::move(*aliases);
                auto created = (*e)->create_actor(spec);
                if (!created) return created.error();
                auto r = json_reply(c.request, http::status::created, actor_body(*created));
                r.message.set(http::field::location, "/v1/actors/" + created->actor.id);
                return r;
              },
              .success_status = 201,
              .request_body = "{id, name, type?, country?, aliases?: [string]}",
              .response_body = "actor"});

  router.add({.method = http::verb::get,
              .pattern = "/v1/actors/{id}",
              .summary = "One actor by id or by any alias (the body says which canonical id was resolved)",
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                auto v = (*e)->actor(c.path_param("id"));
                if (!v) return v.error();
                return json_reply(c.request, http::status::ok, actor_body(*v));
              },
              .response_body = "actor + resolved_from"});

  router.add({.method = http::verb::patch,
              .pattern = "/v1/actors/{id}",
              .summary = "Correct an actor: name, type, country, aliases to add or remove",
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                auto body = json_body(c.request, true);
                if (!body) return body.error();
                if (auto ok = only_members(*body, {"name", "type", "country", "add_aliases", "remove_aliases"}); !ok)
                  return ok.error();
                engine::ActorPatch patch;
                for (auto [key, slot] : {std::tuple("name", &patch.name), std::tuple("type", &patch.type),
                                         std::tuple("country", &patch.country)}) {
                  auto v = optional_string(*body, key);
                  if (!v) return v.error();
                  *slot = *v;
                }
                auto add = string_list(*body, "add_aliases");
                if (!add) return add.error();
                patch.add_aliases = std::move(*add);
                auto remove = string_list(*body, "remove_aliases");
                if (!remove) return remove.error();
                patch.remove_aliases = std::move(*remove);
                auto v = (*e)->patch_actor(c.path_param("id"), patch);
                if (!v) return v.error();
                return json_reply(c.request, http::status::ok, actor_body(*v));
              },
              .request_body = "{name?, type?, country?, add_aliases?: [string], remove_aliases?: [string]}",
              .response_body = "actor"});

  auto relations_params = filter_param_docs();
  relations_params.insert(relations_params.begin(), {"direction", "string", "out, in or both (default both)"});
  relations_params.push_back(limit_doc());
  relations_params.push_back(cursor_doc());
  router.add({.method = http::verb::get,
              .pattern = "/v1/actors/{id}/relations",
              .summary = "The actor's relations aggregated per (neighbour, relation, direction), most frequent first",
              .query = relations_params,
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                engine::RelationsQuery q;
                q.actor = c.path_param("id");
                auto dir = c.query.get("direction");
                if (!dir) return dir.error();
                const std::string d = dir->value_or("both");
                if (d == "out") {
                  q.direction = graph::Direction::out;
                } else if (d == "in") {
                  q.direction = graph::Direction::in;
                } else if (d == "both") {
                  q.direction = graph::Direction::both;
                } else {
                  return core::invalid_parameter("direction", "direction must be out, in or both");
                }
                auto f = parse_filter(c.query);
                if (!f) return f.error();
                q.filter = std::move(*f);
                auto limit = parse_limit(c.query);
                if (!limit) return limit.error();
                q.limit = *limit;
                auto cursor = c.query.get("cursor");
                if (!cursor) return cursor.error();
                if (*cursor && !(*cursor)->empty()) {
                  auto off = decode_cursor("relations", **cursor);
                  if (!off) return off.error();
                  std::size_t n = 0;
                  const auto [p, ec] = std::from_chars(off->data(), off->data() + off->size(), n);
                  if (ec != std::errc{} || p != off->data() + off->size())
                    return core::invalid_parameter("cursor", "cursor is not valid here; pass next_cursor unchanged");
                  q.offset = n;
                }
                auto page = (*e)->actor_relations(q);
                if (!page) return page.error();
                const auto view = (*e)->view();
                const auto& cat = (*e)->relations();
                json items = json::array();
                for (const auto& a : page->items) {
                  json neighbor = nullptr;
                  if (const auto* n = view.actors->get(a.neighbor)) neighbor = {{"id", n->id}, {"name", n->name}};
                  items.push_back({{"neighbor", neighbor},
                                   {"relation", relation_json(cat.at(a.relation), false)},
                                   {"direction", a.direction == graph::Direction::out ? "out" : "in"},
                                   {"count", a.count},
                                   {"first_date", a.first_date.to_string()},
                                   {"last_date", a.last_date.to_string()},
                                   {"goldstein_total", std::round(a.goldstein_total * 100.0) / 100.0}});
                }
                json next = page->more ? json(encode_cursor("relations", std::to_string(q.offset + q.limit)))
                                       : json(nullptr);
                return json_reply(c.request, http::status::ok,
                                  {{"actor", {{"id", page->actor.id}, {"name", page->actor.name}}},
                                   {"items", std::move(items)},
                                   {"next_cursor", next}});
              },
              .response_body = "{actor, items: [{neighbor, relation, direction, count, first_date, last_date, "
                               "goldstein_total}], next_cursor}"});

  router.add({.method = http::verb::get,
              .pattern = "/v1/resolve",
              .summary = "Which actors a name may refer to, best first",
              .query = {{"name", "string", "a name, alias, abbreviation or id (required)"},
                        {"limit", "integer", "at most this many matches, 1 to 100 (default 10)"}},
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                auto name = c.query.get("name");
                if (!name) return name.error();
                if (!*name || (*name)->empty()) return core::invalid_parameter("name", "name is required");
                auto limit = c.query.integer("limit", 10, 1, 100);
                if (!limit) return limit.error();
                json items = json::array();
                for (const auto& m : (*e)->resolve(**name, static_cast<std::size_t>(*limit)))
                  items.push_back({{"id", m.actor.id},
                                   {"name", m.actor.name},
                                   {"type", std::string(core::to_string(m.actor.type))},
                                   {"matched_alias", m.matched_alias},
                                   {"exact", m.exact}});
                return json_reply(c.request, http::status::ok, {{"items", std::move(items)}});
              },
              .response_body = "{items: [{id, name, type, matched_alias, exact}]}"});
}

}  // namespace geokg::api
