#pragma once

#include "api/access.hpp"
#include "api/http.hpp"
#include "api/metrics.hpp"
#include "api/rate_limit.hpp"
#include "api/router.hpp"

#include <nlohmann/json_fwd.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace geokg::engine {
class Engine;
}

namespace geokg::api {

struct ApiOptions {
  std::string cors_origin = "*";
  std::uint64_t max_body_bytes = 64ull << 20;  // the largest body any route accepts
  AccessOptions access;
  double rate_limit_per_key = 0;      // requests per second per API key; 0 = off
  double rate_limit_per_address = 0;  // requests per second per client address; 0 = off
  double rate_limit_burst = 0;        // requests allowed at once; 0 = two seconds' worth (at least 1)
  std::size_t max_pending_writes = 32;  // write requests admitted and not yet answered; beyond: 503
  core::BudgetLimits query_budget;    // time and work per request (Call::budget)
};

// Shared by the endpoints: the engine once loaded (null before: most routes answer 503).
struct Context {
  std::atomic<engine::Engine*> engine{nullptr};
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  Metrics* metrics = nullptr;  // e.g. Metrics::observe_extraction
  core::Result<engine::Engine*> ready() const;
};

// What Api::admit decides once a request's header is in.
struct Admission {
  std::optional<Response> reject;  // the answer, when the request is refused
  std::shared_ptr<void> ticket;    // a pending-write slot, held until the response is written
};

// HTTP <-> engine: the route table of API v1 and its OpenAPI document. No sockets: handle()
// is a function from request to reply. Thread-safe.
class Api {
 public:
  explicit Api(ApiOptions options = {});
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Makes the engine available (the server may listen before it has loaded); call once.
  void attach(std::shared_ptr<engine::Engine> engine);
  Reply handle(Request& request, const RequestInfo& info) const;
  // Renders a failure the transport detected (limits, timeouts, malformed HTTP).
  Response transport_error(http::status status, std::string_view code, std::string_view detail,
                           const RequestInfo& info) const;
  bool offload(const http::request_header<>& header) const;
  std::uint64_t body_limit(const http::request_header<>& header) const;

  // The API keys to check requests against (none set: no key exists); call before serving.
  void set_keys(std::shared_ptr<const engine::KeyRing> keys);
  // Decides from the header alone, before the body is read: rate limits (429), access (401/403,
  // checked again by the router), the cap on pending writes (503). Thread-safe.
  Admission admit(const http::request_header<>& header, const RequestInfo& info) const;
  // Counts a written response in the metrics (route pattern, method, status, duration).
  void record(std::string_view route, std::string_view method, unsigned status,
              std::chrono::microseconds duration) const;
  // Lines the transport or the application adds to GET /metrics; call before serving.
  void add_metrics_source(std::function<void(std::string& out)> source);
  std::string render_metrics() const;
  Metrics& metrics() const noexcept { return metrics_; }
  const Router& router() const noexcept { return router_; }
  const nlohmann::ordered_json& openapi() const;

 private:
  ApiOptions options_;
  std::shared_ptr<engine::Engine> owned_;
  mutable Metrics metrics_;
  Context context_;
  AccessPolicy access_;
  mutable RateLimiter per_key_;
  mutable RateLimiter per_address_;
  mutable std::atomic<std::size_t> pending_writes_{0};
  std::vector<std::function<void(std::string&)>> metrics_sources_;
  Router router_;
  std::unique_ptr<nlohmann::ordered_json> openapi_;
};

// Route groups, one per file.
void add_meta_routes(Router& router, Context& context);
void add_actor_routes(Router& router, Context& context);
void add_triple_routes(Router& router, Context& context);
void add_import_routes(Router& router, Context& context);
void add_document_routes(Router& router, Context& context);
void add_analytics_routes(Router& router, Context& context);
nlohmann::ordered_json build_openapi(const Router& router);

}  // namespace geokg::api
