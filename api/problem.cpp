#include "api/problem.hpp"

#include <boost/beast/http/rfc7230.hpp>
#include <nlohmann/json.hpp>

namespace geokg::api {

http::status status_of(core::ErrorCode code) noexcept {
  using core::ErrorCode;
  switch (code) {
    case ErrorCode::invalid_argument: return http::status::bad_request;
    case ErrorCode::not_found: return http::status::not_found;
    case ErrorCode::method_not_allowed: return http::status::method_not_allowed;
    case ErrorCode::request_timeout: return http::status::request_timeout;
    case ErrorCode::conflict: return http::status::conflict;
    case ErrorCode::unsupported_media_type: return http::status::unsupported_media_type;
    case ErrorCode::payload_too_large: return http::status::payload_too_large;
    case ErrorCode::header_too_large: return http::status::request_header_fields_too_large;
    case ErrorCode::unprocessable: return http::status::unprocessable_entity;
    case ErrorCode::unauthorized: return http::status::unauthorized;
    case ErrorCode::forbidden: return http::status::forbidden;
    case ErrorCode::rate_limited: return http::status::too_many_requests;
    case ErrorCode::unavailable: return http::status::service_unavailable;
    case ErrorCode::internal: return http::status::internal_server_error;
  }
  return http::status::internal_server_error;
}

namespace {

Response render(http::status status, std::string_view code, std::string_view detail, unsigned version,
                bool keep_alive, std::string_view instance, const RequestInfo& info, const core::Error* error) {
  nlohmann::ordered_json body = {
      {"type", "https://geokg.dev/problems/" + std::string(code)},
      {"title", std::string(http::obsolete_reason(status))},
      {"status", static_cast<unsigned>(status)},
      {"detail", std::string(detail)},
      {"instance", std::string(instance)},
      {"code", std::string(code)},
      {"request_id", info.request_id},
  };
  if (error && !error->parameter.empty()) body["parameter"] = error->parameter;
  if (error && !error->items.empty()) {
    auto& list = body["errors"] = nlohmann::ordered_json::array();
    for (const auto& item : error->items) {
      nlohmann::ordered_json e = nlohmann::ordered_json::object();
      if (item.index >= 0) e["index"] = item.index;
      if (!item.field.empty()) e["field"] = item.field;
      e["message"] = item.message;
      list.push_back(std::move(e));
    }
  }
  Response res{status, version};
  res.set(http::field::content_type, "application/problem+json");
  if (status == http::status::unauthorized) res.set(http::field::www_authenticate, "Bearer realm=\"geokg\"");
  if (status == http::status::too_many_requests || status == http::status::service_unavailable) {
    const std::uint32_t seconds = error && error->retry_after_s > 0 ? error->retry_after_s : 1;
    res.set(http::field::retry_after, std::to_string(seconds));
  }
  res.keep_alive(keep_alive);
  res.body() = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  res.prepare_payload();
  return res;
}

}  // namespace

namespace {

// What message::keep_alive() says, from the header alone.
bool keep_alive_of(const http::request_header<>& header) {
  http::token_list connection(header[http::field::connection]);
  return header.version() >= 11 ? !connection.exists("close") : connection.exists("keep-alive");
}

}  // namespace

Response problem_response(const core::Error& error, const http::request_header<>& request, const RequestInfo& info) {
  const bool internal = error.code == core::ErrorCode::internal;
  // Internal causes are logged by the caller with the request id; the client gets a generic detail.
  const std::string_view detail =
      internal ? std::string_view("the server failed to handle this request; quote the request_id when reporting it")
               : std::string_view(error.detail);
  return render(status_of(error.code), core::to_string(error.code), detail, request.version(), keep_alive_of(request),
                std::string_view(request.target().data(), request.target().size()), info, &error);
}

Response problem_response(http::status status, std::string_view code, std::string_view detail, unsigned version,
                          bool keep_alive, std::string_view instance, const RequestInfo& info) {
  return render(status, code, detail, version, keep_alive, instance, info, nullptr);
}

}  // namespace geokg::api
