#pragma once

#include "api/http.hpp"
#include "api/params.hpp"
#include "core/error.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace geokg::api {

// What an endpoint receives.
struct Call {
  Request& request;
  const RequestInfo& info;
  std::vector<std::pair<std::string, std::string>> path;  // captured {segments}, decoded
  QueryParams query;
  const std::string& path_param(std::string_view name) const;
};

using Endpoint = std::function<core::Result<Reply>(Call&)>;

// A parameter as documented in OpenAPI and accepted by the query parser.
struct ParamDoc {
  std::string name;
  std::string type;  // string, integer, number, boolean, date, list
  std::string description;
};

struct Route {
  http::verb method = http::verb::get;
  std::string pattern;  // "/v1/actors/{id}/relations"
  std::string summary;
  std::vector<ParamDoc> query;
  Endpoint endpoint;
  int success_status = 200;
  std::string request_body;   // OpenAPI description of the JSON body, empty when none
  std::string response_body;  // OpenAPI description of the success body
  bool heavy = false;         // runs on the worker pool
  std::uint64_t body_limit = 1u << 20;
};

// The route table: matches paths to endpoints, answers 404 / 405 (with Allow) / OPTIONS
// preflight, and renders every error as problem+json. CORS headers and X-Request-Id go on
// every reply. Thread-safe after set-up.
class Router {
 public:
  explicit Router(std::string cors_origin = "*") : cors_origin_(std::move(cors_origin)) {}
  void add(Route route);
  const std::vector<Route>& routes() const noexcept { return routes_; }
  // The route for this method and path, with captured segments; nullptr when none.
  const Route* match(http::verb method, std::string_view path,
                     std::vector<std::pair<std::string, std::string>>* captures) const;
  Reply dispatch(Request& request, const RequestInfo& info) const;
  // Adds the CORS and request-id headers every response carries.
  void decorate(Response& response, const RequestInfo& info) const;

 private:
  std::string cors_origin_;
  std::vector<Route> routes_;
};

// Helpers for endpoints.
Reply json_reply(const Request& request, http::status status, const nlohmann::ordered_json& body);
Reply empty_reply(const Request& request, http::status status);
// The JSON body of a request: 415 unless Content-Type is application/json, 400 on bad JSON.
core::Result<nlohmann::ordered_json> json_body(const Request& request, bool required);

}  // namespace geokg::api
