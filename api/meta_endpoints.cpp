#include "api/api.hpp"
#include "api/common.hpp"
#include "api/json_codec.hpp"
#include "engine/engine.hpp"

#include <nlohmann/json.hpp>

namespace geokg::api {

using json = nlohmann::ordered_json;

void add_meta_routes(Router& router, Context& ctx) {
  router.add({.method = http::verb::get,
              .pattern = "/healthz",
              .summary = "200 while the process is up",
              .endpoint = [](Call& c) -> core::Result<Reply> {
                return json_reply(c.request, http::status::ok, {{"status", "ok"}});
              },
              .response_body = "{\"status\": \"ok\"}",
              .access = Access::open});

  router.add({.method = http::verb::get,
              .pattern = "/readyz",
              .summary = "200 once the graph is loaded, 503 before",
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                if (auto e = ctx.ready(); !e) return e.error();
                return json_reply(c.request, http::status::ok, {{"status", "ready"}});
              },
              .response_body = "{\"status\": \"ready\"}",
              .access = Access::open});

  router.add({.method = http::verb::get,
              .pattern = "/v1/status",
              .summary = "Counts and uptime",
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                const auto s = (*e)->status();
                return json_reply(c.request, http::status::ok,
                                  {{"version", GEOKG_VERSION},
                                   {"actors", s.actors},
                                   {"triples", s.triples},
                                   {"documents", s.documents},
                                   {"evidence", s.evidence},
                                   {"uptime_s", std::round(s.uptime_s * 10.0) / 10.0},
                                   {"graph_version", s.graph_version}});
              },
              .response_body = "{version, actors, triples, documents, evidence, uptime_s, graph_version}"});

  router.add({.method = http::verb::get,
              .pattern = "/v1/relation-types",
              .summary = "The CAMEO relation types (code, slug, name, root, quad class, Goldstein, PLOVER)",
              .query = {{"root", "string", "only this CAMEO root (01..20)"}},
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                auto root = c.query.get("root");
                if (!root) return root.error();
                if (*root && !core::RelationCatalog::is_root(**root))
                  return core::invalid_parameter("root", "root must be a CAMEO root from 01 to 20");
                json items = json::array();
                for (const auto& t : (*e)->relations().all())
                  if (!*root || t.root == **root) items.push_back(relation_json(t, true));
                return json_reply(c.request, http::status::ok, {{"items", std::move(items)}});
              },
              .response_body = "{items: [{code, slug, name, root, quad_class, goldstein, plover}]}"});
}

}  // namespace geokg::api
