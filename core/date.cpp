#include "core/date.hpp"

#include <chrono>
#include <cstdio>

namespace geokg::core {

namespace {
bool parse_digits(std::string_view s, int& out) {
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

std::chrono::year_month_day ymd_of(std::int32_t days) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days}}};
}
}  // namespace

Result<Date> Date::from_ymd(int year, unsigned month, unsigned day) {
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}};
  if (year < 1 || year > 9999 || !ymd.ok()) {
    return invalid_argument("no such calendar date " + std::to_string(year) + "-" + std::to_string(month) + "-" +
                            std::to_string(day));
  }
  return Date(static_cast<std::int32_t>(std::chrono::sys_days{ymd}.time_since_epoch().count()));
}

Result<Date> Date::parse(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !parse_digits(text.substr(0, 4), y) ||
      !parse_digits(text.substr(5, 2), m) || !parse_digits(text.substr(8, 2), d)) {
    return invalid_argument("expected a date as YYYY-MM-DD, got '" + std::string(text.substr(0, 40)) + "'");
  }
  auto r = from_ymd(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  if (!r) return invalid_argument("'" + std::string(text) + "' is not a calendar date");
  return r;
}

Date Date::today() noexcept {
  const auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return Date(static_cast<std::int32_t>(now.time_since_epoch().count()));
}

std::string Date::to_string() const {
  const auto ymd = ymd_of(days_);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

int Date::year() const noexcept { return static_cast<int>(ymd_of(days_).year()); }
unsigned Date::month() const noexcept { return static_cast<unsigned>(ymd_of(days_).month()); }
unsigned Date::day() const noexcept { return static_cast<unsigned>(ymd_of(days_).day()); }
unsigned Date::weekday() const noexcept {
  return std::chrono::weekday{std::chrono::sys_days{std::chrono::days{days_}}}.c_encoding();
}

std::string utc_timestamp(std::chrono::sys_seconds t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{t - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string utc_timestamp_now() {
  return utc_timestamp(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

}  // namespace geokg::core
