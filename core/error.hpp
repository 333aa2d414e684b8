#pragma once

#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace geokg::core {

// The one list of failure kinds a client can cause. api/problem.cpp maps each to an HTTP status.
enum class ErrorCode {
  invalid_argument,
  not_found,
  method_not_allowed,
  request_timeout,
  conflict,
  unsupported_media_type,
  payload_too_large,
  header_too_large,
  unprocessable,
  unauthorized,
  forbidden,
  rate_limited,
  unavailable,
  internal,
};

inline constexpr ErrorCode all_error_codes[] = {
    ErrorCode::invalid_argument,  ErrorCode::not_found,         ErrorCode::method_not_allowed,
    ErrorCode::request_timeout,   ErrorCode::conflict,          ErrorCode::unsupported_media_type,
    ErrorCode::payload_too_large, ErrorCode::header_too_large,  ErrorCode::unprocessable,
    ErrorCode::unauthorized,      ErrorCode::forbidden,         ErrorCode::rate_limited,
    ErrorCode::unavailable,       ErrorCode::internal,
};

// Stable snake_case name of the code, as clients see it in problem+json `code`.
std::string_view to_string(ErrorCode code) noexcept;
// The code with this name; nullopt for an unknown name.
std::optional<ErrorCode> parse_error_code(std::string_view name) noexcept;

// One problem inside a larger request: a row of a batch, a parameter, a field.
struct ErrorItem {
  std::int64_t index = -1;  // row index in a batch, -1 when not about a row
  std::string field;        // parameter or field name, empty when not about one
  std::string message;
  friend bool operator==(const ErrorItem&, const ErrorItem&) = default;
};

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string detail;
  std::vector<ErrorItem> items;  // per-row or per-field problems, rendered as `errors`
  std::string parameter;         // the query parameter at fault, if any
  std::uint32_t retry_after_s = 0;  // for rate_limited / unavailable: when to retry (Retry-After), 0 = default
};

template <class T>
using Result = boost::system::result<T, Error>;

inline Error make_error(ErrorCode code, std::string detail) { return Error{code, std::move(detail), {}, {}}; }
inline Error invalid_argument(std::string detail) { return make_error(ErrorCode::invalid_argument, std::move(detail)); }
inline Error invalid_parameter(std::string parameter, std::string detail) {
  Error e = make_error(ErrorCode::invalid_argument, std::move(detail));
  e.parameter = std::move(parameter);
  return e;
}
inline Error not_found(std::string detail) { return make_error(ErrorCode::not_found, std::move(detail)); }
inline Error conflict(std::string detail) { return make_error(ErrorCode::conflict, std::move(detail)); }
inline Error unprocessable(std::string detail) { return make_error(ErrorCode::unprocessable, std::move(detail)); }
inline Error internal_error(std::string detail) { return make_error(ErrorCode::internal, std::move(detail)); }

// Thrown only at start-up or for bugs, by Result::value() on an error.
class ErrorException : public std::exception {
 public:
  explicit ErrorException(Error error);
  const char* what() const noexcept override { return what_.c_str(); }
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
  std::string what_;
};

// Found by ADL from boost::system::result<T, Error>::value().
[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

}  // namespace geokg::core
