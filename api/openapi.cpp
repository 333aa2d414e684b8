#include "api/api.hpp"

#include <nlohmann/json.hpp>

namespace geokg::api {

using json = nlohmann::ordered_json;

namespace {

json schema_of(const std::string& type) {
  if (type == "integer") return {{"type", "integer"}};
  if (type == "number") return {{"type", "number"}};
  if (type == "boolean") return {{"type", "boolean"}};
  if (type == "date") return {{"type", "string"}, {"format", "date"}};
  if (type == "list") return {{"type", "string"}, {"description", "comma-separated; may also be repeated"}};
  return {{"type", "string"}};
}

}  // namespace

json build_openapi(const Router& router) {
  json paths = json::object();
  for (const auto& r : router.routes()) {
    json op = {{"summary", r.summary}, {"operationId", std::string(http::to_string(r.method)) + " " + r.pattern}};
    json params = json::array();
    std::string::size_type pos = 0;
    while ((pos = r.pattern.find('{', pos)) != std::string::npos) {
      const auto end = r.pattern.find('}', pos);
      params.push_back({{"name", r.pattern.substr(pos + 1, end - pos - 1)},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", "string"}}}});
      pos = end;
    }
    for (const auto& q : r.query)
      params.push_back({{"name", q.name}, {"in", "query"}, {"description", q.description}, {"schema", schema_of(q.type)}});
    if (!params.empty()) op["parameters"] = std::move(params);
    if (!r.request_body.empty())
      op["requestBody"] = {{"description", r.request_body},
                           {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    json ok = {{"description", r.response_body.empty() ? std::string("success") : r.response_body}};
    if (r.success_status != 204) ok["content"] = {{"application/json", {{"schema", {{"type", "object"}}}}}};
    op["responses"] = {{std::to_string(r.success_status), ok},
                       {"default",
                        {{"description", "an error, as RFC 9457 problem+json with a stable `code`"},
                         {"content", {{"application/problem+json", {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}}}};
    // Reads may be anonymous unless the server runs with --require-read-key; writes need a key once
    // one exists.
    if (const auto role = required_role(r)) {
      op["x-geokg-role"] = std::string(core::to_string(*role));
      op["security"] = *role == core::Role::read ? json::array({json::object(), {{"bearer", json::array()}}})
                                                 : json::array({{{"bearer", json::array()}}});
    } else {
      op["security"] = json::array({json::object()});
    }
    std::string method(http::to_string(r.method));
    for (auto& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    paths[r.pattern][method] = std::move(op);
  }
  json problem = {
      {"type", "object"},
      {"required", {"type", "title", "status", "detail", "code", "request_id"}},
      {"properties",
       {{"type", {{"type", "string"}}},
        {"title", {{"type", "string"}}},
        {"status", {{"type", "integer"}}},
        {"detail", {{"type", "string"}}},
        {"instance", {{"type", "string"}}},
        {"code", {{"type", "string"}, {"description", "stable snake_case error code"}}},
        {"request_id", {{"type", "string"}}},
        {"parameter", {{"type", "string"}}},
        {"errors",
         {{"type", "array"},
          {"items",
           {{"type", "object"},
            {"properties",
             {{"index", {{"type", "integer"}}}, {"field", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}}}};
  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", "geokg"},
            {"version", GEOKG_VERSION},
            {"description", "Geopolitical relationship knowledge graph: actors, CAMEO-coded relations, evidence."}}},
          {"paths", std::move(paths)},
          {"components",
           {{"schemas", {{"Problem", std::move(problem)}}},
            {"securitySchemes",
             {{"bearer",
               {{"type", "http"},
                {"scheme", "bearer"},
                {"description", "an API key from `geokg keys create`; x-geokg-role names the role a route needs"}}}}}}}};
}

}  // namespace geokg::api
