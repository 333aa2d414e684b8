#include "core/error.hpp"

namespace geokg::core {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::method_not_allowed: return "method_not_allowed";
    case ErrorCode::request_timeout: return "request_timeout";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::unsupported_media_type: return "unsupported_media_type";
    case ErrorCode::payload_too_large: return "payload_too_large";
    case ErrorCode::header_too_large: return "header_too_large";
    case ErrorCode::unprocessable: return "unprocessable";
    case ErrorCode::unauthorized: return "unauthorized";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::rate_limited: return "rate_limited";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::internal: return "internal";
  }
  return "internal";
}

std::optional<ErrorCode> parse_error_code(std::string_view name) noexcept {
  for (ErrorCode c : all_error_codes)
    if (to_string(c) == name) return c;
  return std::nullopt;
}

ErrorException::ErrorException(Error error)
    : error_(std::move(error)), what_(std::string(to_string(error_.code)) + ": " + error_.detail) {}

void throw_exception_from_error(const Error& e, const boost::source_location&) { throw ErrorException(e); }

}  // namespace geokg::core
