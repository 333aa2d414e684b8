#include "api/api.hpp"

#include "api/problem.hpp"
#include "engine/engine.hpp"

#include <nlohmann/json.hpp>

namespace geokg::api {

core::Result<engine::Engine*> Context::ready() const {
  auto* e = engine.load(std::memory_order_acquire);
  if (!e) return core::make_error(core::ErrorCode::unavailable, "the graph is still loading; retry in a few seconds");
  return e;
}

Api::Api(ApiOptions options) : options_(std::move(options)), router_(options_.cors_origin) {
  add_meta_routes(router_, context_);
  add_actor_routes(router_, context_);
  add_triple_routes(router_, context_);
  add_analytics_routes(router_, context_);
  add_import_routes(router_, context_);
  add_document_routes(router_, context_);
  // The OpenAPI document describes the table above, so it is built after it.
  Route doc;
  doc.method = http::verb::get;
  doc.pattern = "/openapi.json";
  doc.summary = "This API's OpenAPI 3.1 document";
  doc.response_body = "OpenAPI 3.1 document";
  doc.endpoint = [this](Call& call) -> core::Result<Reply> {
    return json_reply(call.request, http::status::ok, *openapi_);
  };
  router_.add(std::move(doc));
  openapi_ = std::make_unique<nlohmann::ordered_json>(build_openapi(router_));
}

Api::~Api() = default;

void Api::attach(std::shared_ptr<engine::Engine> engine) {
  owned_ = std::move(engine);
  context_.engine.store(owned_.get(), std::memory_order_release);
}

Reply Api::handle(Request& request, const RequestInfo& info) const { return router_.dispatch(request, info); }

Response Api::transport_error(http::status status, std::string_view code, std::string_view detail,
                              const RequestInfo& info) const {
  // The transport's codes map onto the one error table; a malformed request is a bad argument.
  auto known = code == "malformed_request" ? core::ErrorCode::invalid_argument : core::parse_error_code(code);
  Response r = known ? problem_response(status_of(*known), core::to_string(*known), detail, 11, false, "", info)
                     : problem_response(status, code, detail, 11, false, "", info);
  router_.decorate(r, info);
  return r;
}

bool Api::offload(const http::request_header<>& header) const {
  const std::string_view target(header.target().data(), header.target().size());
  const auto path = target.substr(0, target.find('?'));
  const auto* r = router_.match(header.method(), path, nullptr);
  return r && r->heavy;
}

std::uint64_t Api::body_limit(const http::request_header<>& header) const {
  const std::string_view target(header.target().data(), header.target().size());
  const auto path = target.substr(0, target.find('?'));
  const auto* r = router_.match(header.method(), path, nullptr);
  return r ? std::min(r->body_limit, options_.max_body_bytes) : 64 * 1024;
}

const nlohmann::ordered_json& Api::openapi() const { return *openapi_; }

}  // namespace geokg::api
