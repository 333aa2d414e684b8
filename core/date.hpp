#pragma once

#include <chrono>

#include "core/error.hpp"

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace geokg::core {

// A calendar day (proleptic Gregorian), stored as days since 1970-01-01.
class Date {
 public:
  constexpr Date() = default;
  static constexpr Date from_days(std::int32_t days) noexcept { return Date(days); }
  // Strict YYYY-MM-DD (years 0001..9999); rejects 2023-02-30, 2023-2-3, trailing text.
  static Result<Date> parse(std::string_view text);
  static Result<Date> from_ymd(int year, unsigned month, unsigned day);
  static Date today() noexcept;

  constexpr std::int32_t days() const noexcept { return days_; }
  std::string to_string() const;
  int year() const noexcept;
  unsigned month() const noexcept;
  unsigned day() const noexcept;
  unsigned weekday() const noexcept;  // 0 = Sunday .. 6 = Saturday

  friend constexpr auto operator<=>(Date, Date) = default;

 private:
  constexpr explicit Date(std::int32_t days) : days_(days) {}
  std::int32_t days_ = 0;
};

// An inclusive range of days; defaults cover every representable date.
struct DateRange {
  Date since = Date::from_days(INT32_MIN);
  Date until = Date::from_days(INT32_MAX);
  constexpr bool contains(Date d) const noexcept { return since <= d && d <= until; }
  constexpr bool empty() const noexcept { return until < since; }
};

// A moment as RFC 3339 UTC to the second ("2026-12-07T03:15:02Z"); now() when not given.
std::string utc_timestamp(std::chrono::sys_seconds t);
std::string utc_timestamp_now();

}  // namespace geokg::core
