#pragma once

#include "api/http.hpp"
#include "api/router.hpp"

#include <nlohmann/json_fwd.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace geokg::engine {
class Engine;
}

namespace geokg::api {

struct ApiOptions {
  std::string cors_origin = "*";
  std::uint64_t max_body_bytes = 64ull << 20;  // the largest body any route accepts
};

// Shared by the endpoints: the engine once loaded (null before: most routes answer 503).
struct Context {
  std::atomic<engine::Engine*> engine{nullptr};
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  core::Result<engine::Engine*> ready() const;
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
  const Router& router() const noexcept { return router_; }
  const nlohmann::ordered_json& openapi() const;

 private:
  ApiOptions options_;
  std::shared_ptr<engine::Engine> owned_;
  Context context_;
  Router router_;
  std::unique_ptr<nlohmann::ordered_json> openapi_;
};

// Route groups, one per file.
void add_meta_routes(Router& router, Context& context);
void add_actor_routes(Router& router, Context& context);
void add_triple_routes(Router& router, Context& context);
void add_analytics_routes(Router& router, Context& context);
void add_import_routes(Router& router, Context& context);
void add_document_routes(Router& router, Context& context);
nlohmann::ordered_json build_openapi(const Router& router);

}  // namespace geokg::api
