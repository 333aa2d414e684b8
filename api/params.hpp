#pragma once

#include "core/date.hpp"
#include "core/error.hpp"

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace geokg::api {

// The decoded path and query parameters of a request target. Every accessor that can fail
// returns invalid_argument naming the parameter and what a valid value looks like.
class QueryParams {
 public:
  // Parses an origin-form target ("/v1/actors?q=kor"); a malformed target or percent-encoding
  // is an error. Parameters not in `allowed` are rejected by name (a typo never drops a filter).
  static core::Result<QueryParams> parse(std::string_view target, const std::vector<std::string>& allowed);

  const std::string& path() const noexcept { return path_; }
  bool has(std::string_view name) const;
  // A single-valued parameter; given twice -> error.
  core::Result<std::optional<std::string>> get(std::string_view name) const;
  // Comma-separated and/or repeated values, empty items dropped.
  std::vector<std::string> list(std::string_view name) const;
  core::Result<std::optional<core::Date>> date(std::string_view name) const;
  core::Result<std::int64_t> integer(std::string_view name, std::int64_t fallback, std::int64_t min,
                                     std::int64_t max) const;
  core::Result<double> number(std::string_view name, double fallback, double min, double max) const;
  core::Result<bool> boolean(std::string_view name, bool fallback) const;

 private:
  std::string path_;
  std::multimap<std::string, std::string, std::less<>> values_;
};

// Opaque, versioned page cursors: base64url of a small text record.
std::string encode_cursor(std::string_view kind, std::string_view payload);
// The payload of a cursor of this kind; invalid_argument (parameter "cursor") otherwise.
core::Result<std::string> decode_cursor(std::string_view kind, std::string_view cursor);

}  // namespace geokg::api
