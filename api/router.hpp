#pragma once

#include "api/http.hpp"
#include "api/params.hpp"
#include "core/error.hpp"
#include "core/role.hpp"
#include "core/budget.hpp"
#include "engine/key_ring.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <optional>
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
  // What this request may spend (see core::Budget); starts when the endpoint is called.
  core::Budget budget;
  // The API key the request authenticated with, if any.
  std::optional<engine::Principal> principal;
  const std::string& path_param(std::string_view name) const;
};

using Endpoint = std::function<core::Result<Reply>(Call&)>;

// A parameter as documented in OpenAPI and accepted by the query parser.
struct ParamDoc {
  std::string name;
  std::string type;  // string, integer, number, boolean, date, list
  std::string description;
};

// Who may call a route. `automatic` derives it from the method: GET and HEAD read, every other
// method writes, so that a new route is covered without a line of its own.
enum class Access : std::uint8_t { automatic, open, read, write, admin };

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
  Access access = Access::automatic;
};

// The role a route needs; nullopt for open routes (health, readiness).
std::optional<core::Role> required_role(const Route& route) noexcept;

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
  // Access control, run on a matched route before its parameters are parsed: the principal
  // (or none, when anonymous access is allowed) or the error to answer (401, 403...).
  using Guard = std::function<core::Result<std::optional<engine::Principal>>(const Route&, const Request&,
                                                                             const RequestInfo&)>;
  void set_guard(Guard guard) { guard_ = std::move(guard); }
  void set_budget(core::BudgetLimits limits) noexcept { budget_ = limits; }
  // Adds the CORS and request-id headers every response carries.
  void decorate(Response& response, const RequestInfo& info) const;

 private:
  std::string cors_origin_;
  std::vector<Route> routes_;
  Guard guard_;
  core::BudgetLimits budget_;
};

// Helpers for endpoints.
Reply json_reply(const Request& request, http::status status, const nlohmann::ordered_json& body);
Reply empty_reply(const Request& request, http::status status);
// The JSON body of a request: 415 unless Content-Type is application/json, 400 on bad JSON.
core::Result<nlohmann::ordered_json> json_body(const Request& request, bool required);

}  // namespace geokg::api
