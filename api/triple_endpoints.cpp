#include "api/api.hpp"
#include "api/common.hpp"
#include "api/json_codec.hpp"
#include "engine/engine.hpp"
#include "engine/triple_spec.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <set>

namespace geokg::api {

using json = nlohmann::ordered_json;

namespace {

constexpr std::size_t max_batch = 100000;

core::Result<core::TripleId> triple_id(const std::string& text) {
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || v < 1)
    return core::invalid_parameter("id", "a triple id is a positive integer, got '" + text.substr(0, 40) + "'");
  return static_cast<core::TripleId>(v);
}

}  // namespace

void add_triple_routes(Router& router, Context& ctx) {
  router.add({.method = http::verb::post,
              .pattern = "/v1/triples",
              .summary = "Add a batch of triples, all or nothing (the same triple twice adds evidence)",
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                auto body = json_body(c.request, true);
                if (!body) return body.error();
                if (!body->is_object()) return core::invalid_argument("the body must be an object {\"triples\": [...]}");
                for (const auto& [k, v] : body->items())
                  if (k != "triples" && k != "create_actors")
                    return core::invalid_argument("unknown member '" + k.substr(0, 60) +
                                                  "'; expected triples and create_actors");
                const auto it = body->find("triples");
                if (it == body->end() || !it->is_array())
                  return core::invalid_argument("triples is required: an array of triple objects");
                if (it->empty()) return core::invalid_argument("triples is empty");
                if (it->size() > max_batch)
                  return core::make_error(core::ErrorCode::payload_too_large,
                                          "at most 100000 triples per request; split the batch or use geokg import");
                bool create = false;
                if (const auto ca = body->find("create_actors"); ca != body->end()) {
                  if (!ca->is_boolean()) return core::invalid_argument("create_actors must be true or false");
                  create = ca->get<bool>();
                }
                std::vector<engine::TripleSpec> rows(it->size());
                std::vector<core::ErrorItem> errors;
                for (std::size_t i = 0; i < it->size(); ++i)
                  engine::decode_triple_spec((*it)[i], static_cast<std::int64_t>(i), rows[i], errors);
                if (!errors.empty()) {
                  std::set<std::int64_t> bad;
                  for (const auto& x : errors) bad.insert(x.index);
                  core::Error err = core::invalid_argument(std::to_string(bad.size()) + " of " +
                                                           std::to_string(rows.size()) +
                                                           " triples are malformed; nothing was written");
                  err.items = std::move(errors);
                  return err;
                }
                auto r = (*e)->add_triples(rows, create);
                if (!r) return r.error();
                json ids = json::array();
                for (auto id : r->ids) ids.push_back(core::value(id));
                json out = {{"inserted", r->inserted}, {"merged", r->merged}, {"ids", std::move(ids)}};
                if (!r->created_actors.empty()) out["created_actors"] = r->created_actors;
                return json_reply(c.request, http::status::created, out);
              },
              .success_status = 201,
              .request_body = "{triples: [{subject, relation, object, date, polarity?, confidence?, source?: {url, "
                              "title, publisher, published_at}, evidence?: {text, start?, end?}}], create_actors?}",
              .response_body = "{inserted, merged, ids, created_actors?}",
              .heavy = true,
              .body_limit = 64ull << 20});

  auto list_params = std::vector<ParamDoc>{{"actor", "string", "id or alias of an actor at either end"},
                                           {"subject", "string", "id or alias of the subject"},
                                           {"object", "string", "id or alias of the object"}};
  for (auto& p : filter_param_docs()) list_params.push_back(p);
  list_params.push_back(limit_doc());
  list_params.push_back(cursor_doc());
  router.add({.method = http::verb::get,
              .pattern = "/v1/triples",
              .summary = "Triples matching the filters, newest first (date, then id)",
              .query = list_params,
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                engine::TripleListQuery q;
                for (auto [name, slot] : {std::pair("actor", &q.actor), std::pair("subject", &q.subject),
                                          std::pair("object", &q.object)}) {
                  auto v = c.query.get(name);
                  if (!v) return v.error();
                  *slot = v->value_or("");
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
                  auto pos = decode_cursor("triples", **cursor);
                  if (!pos) return pos.error();
                  std::int32_t days = 0;
                  std::int64_t id = 0;
                  const auto colon = pos->find(':');
                  const char* b = pos->data();
                  const char* end = b + pos->size();
                  if (colon == std::string::npos ||
                      std::from_chars(b, b + colon, days).ptr != b + colon ||
                      std::from_chars(b + colon + 1, end, id).ptr != end)
                    return core::invalid_parameter("cursor", "cursor is not valid here; pass next_cursor unchanged");
                  q.after = graph::TriplePosition{core::Date::from_days(days), static_cast<core::TripleId>(id)};
                }
                auto page = (*e)->list_triples(q);
                if (!page) return page.error();
                const auto view = (*e)->view();
                json items = json::array();
                for (const auto& t : page->items) items.push_back(triple_json(view, (*e)->relations(), t));
                json next = nullptr;
                if (page->more) {
                  const auto& last = page->items.back();
                  next = encode_cursor("triples",
                                       std::to_string(last.date.days()) + ":" + std::to_string(core::value(last.id)));
                }
                return json_reply(c.request, http::status::ok, {{"items", std::move(items)}, {"next_cursor", next}});
              },
              .response_body = "{items: [triple], next_cursor}"});

  router.add({.method = http::verb::get,
              .pattern = "/v1/triples/{id}",
              .summary = "One triple with its evidence",
              .query = {{"evidence_limit", "integer", "at most this many evidence records, 1 to 1000 (default 100)"}},
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                auto id = triple_id(c.path_param("id"));
                if (!id) return id.error();
                auto limit = c.query.integer("evidence_limit", 100, 1, 1000);
                if (!limit) return limit.error();
                auto d = (*e)->triple(*id, static_cast<std::size_t>(*limit));
                if (!d) return d.error();
                const auto view = (*e)->view();
                json j = triple_json(view, (*e)->relations(), d->triple);
                json ev = json::array();
                for (const auto& x : d->evidence) ev.push_back(evidence_json(x));
                j["evidence"] = std::move(ev);
                if (d->retraction) j["retraction"] = {{"reason", d->retraction->reason}, {"at", d->retraction->at}};
                return json_reply(c.request, http::status::ok, j);
              },
              .response_body = "triple + evidence: [{id, text, source, start, end, created_at}]"});

  router.add({.method = http::verb::delete_,
              .pattern = "/v1/triples/{id}",
              .summary = "Retract a triple (kept, marked retracted, hidden from queries; re-asserting restores it)",
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                auto id = triple_id(c.path_param("id"));
                if (!id) return id.error();
                auto body = json_body(c.request, false);
                if (!body) return body.error();
                std::string reason;
                if (!body->is_null()) {
                  if (!body->is_object()) return core::invalid_argument("the body must be an object {\"reason\": ...}");
                  for (const auto& [k, v] : body->items()) {
                    if (k != "reason") return core::invalid_argument("unknown member '" + k.substr(0, 60) + "'; expected reason");
                    if (!v.is_string()) return core::invalid_argument("reason must be a string");
                    reason = v.get<std::string>();
                  }
                }
                auto r = (*e)->retract_triple(*id, reason);
                if (!r) return r.error();
                return empty_reply(c.request, http::status::no_content);
              },
              .success_status = 204,
              .request_body = "{reason?} (optional)",
              .response_body = "no content"});
}

}  // namespace geokg::api
