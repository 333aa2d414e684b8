#include "api/api.hpp"
#include "engine/engine.hpp"
#include "engine/import.hpp"

#include <nlohmann/json.hpp>

namespace geokg::api {

using json = nlohmann::ordered_json;

namespace {

constexpr std::size_t max_listed_rejections = 1000;

}  // namespace

void add_import_routes(Router& router, Context& ctx) {
  router.add({.method = http::verb::post,
              .pattern = "/v1/imports",
              .summary = "Import a file sent as the body (gzip allowed): an event dataset or geokg's own triples",
              .query = {{"format", "string", "gdelt2, gdelt1, icews, plover, jsonl or csv (required)"},
                        {"strict", "boolean",
                         "true: one bad row rejects the whole import with nothing written (default: true for jsonl and "
                         "csv, false for the dataset formats, which keep the good rows)"},
                        {"one_a_day", "boolean",
                         "datasets: fold events with the same subject, relation, object and date into one triple "
                         "(default false: one triple per event)"}},
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                auto name = c.query.get("format");
                if (!name) return name.error();
                if (!*name) return core::invalid_parameter("format", "format is required: gdelt2, gdelt1, icews, plover, jsonl or csv");
                const auto format = engine::parse_import_format(**name);
                if (!format)
                  return core::invalid_parameter("format", "format: '" + (*name)->substr(0, 20) +
                                                               "' is not one of gdelt2, gdelt1, icews, plover, jsonl, csv");
                engine::ImportOptions o;
                o.format = *format;
                auto strict = c.query.boolean("strict", engine::strict_by_default(*format));
                if (!strict) return strict.error();
                o.strict = *strict;
                auto one_a_day = c.query.boolean("one_a_day", false);
                if (!one_a_day) return one_a_day.error();
                o.one_a_day = *one_a_day;
                if (c.request.body().empty()) return core::invalid_argument("the body is empty: send the file to import");
                json rejections = json::array();
                engine::ImportHooks hooks;
                hooks.reject = [&](const engine::ImportRejection& r) {
                  if (rejections.size() < max_listed_rejections)
                    rejections.push_back({{"line", r.line}, {"column", r.column}, {"reason", r.reason}});
                };
                auto r = engine::import_bytes(**e, std::move(c.request.body()), o, hooks);
                if (!r) return r.error();
                json out = {{"format", std::string(engine::to_string(*format))},
                            {"rows", r->rows},
                            {"inserted", r->inserted},
                            {"merged", r->merged},
                            {"already_imported", r->duplicates},
                            {"rejected", r->rejected},
                            {"actors_created", r->actors_created},
                            {"seconds", r->seconds},
                            {"rejections", std::move(rejections)}};
                return json_reply(c.request, http::status::ok, out);
              },
              .request_body = "the file to import, as bytes (any content type; gzip is detected)",
              .response_body = "{format, rows, inserted, merged, already_imported, rejected, actors_created, seconds, "
                               "rejections: [{line, column, reason}] (at most 1000)}",
              .heavy = true,
              .body_limit = 1ull << 30});
}

}  // namespace geokg::api
