#include "app/wiring.hpp"

namespace geokg::app {

namespace {
api::RequestInfo info_of(const server::RequestContext& c) {
  return api::RequestInfo{c.request_id, c.remote_address, c.remote_is_loopback};
}
}  // namespace

std::unique_ptr<server::HttpServer> make_http_server(api::Api& api, const server::Options& options) {
  server::Callbacks cb;
  cb.handle = [&api](server::Request& req, const server::RequestContext& ctx) {
    auto r = api.handle(req, info_of(ctx));
    return server::Reply{std::move(r.message), std::move(r.stream), std::move(r.route)};
  };
  cb.error = [&api](server::http::status status, std::string_view code, std::string_view detail,
                    const server::RequestContext& ctx) { return api.transport_error(status, code, detail, info_of(ctx)); };
  cb.body_limit = [&api](const server::http::request_header<>& h) { return api.body_limit(h); };
  cb.offload = [&api](const server::http::request_header<>& h) { return api.offload(h); };
  cb.admit = [&api](const server::http::request_header<>& h, const server::RequestContext& ctx) {
    auto a = api.admit(h, info_of(ctx));
    return server::Admission{std::move(a.reject), std::move(a.ticket)};
  };
  cb.on_complete = [&api](const server::RequestContext&, const server::Completion& c) {
    api.record(c.label, c.method, c.status, c.duration);
  };
  return std::make_unique<server::HttpServer>(options, std::move(cb));
}

}  // namespace geokg::app
