#pragma once

#include "api/http.hpp"
#include "core/error.hpp"

#include <string_view>

namespace geokg::api {

// The only ErrorCode -> HTTP status table.
http::status status_of(core::ErrorCode code) noexcept;

// The only problem+json renderer (RFC 9457): type, title, status, detail, instance, code,
// request_id, plus `errors` (per-row/field items) and `parameter` when the error names one.
Response problem_response(const core::Error& error, const http::request_header<>& request, const RequestInfo& info);
// For failures found outside a handler (transport limits, routing): same body, explicit status.
Response problem_response(http::status status, std::string_view code, std::string_view detail, unsigned version,
                          bool keep_alive, std::string_view instance, const RequestInfo& info);

}  // namespace geokg::api
