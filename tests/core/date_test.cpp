#include "core/date.hpp"

#include "tests/test_support.hpp"

using geokg::core::Date;

TEST_CASE("valid dates parse and format back identically", "[core]") {
  for (const char* s : {"2023-11-09", "1970-01-01", "2024-02-29", "0001-01-01", "9999-12-31", "1969-12-31"}) {
    auto d = Date::parse(s);
    REQUIRE(d);
    CHECK(d->to_string() == s);
  }
  CHECK(Date::parse("1970-01-02")->days() == 1);
  CHECK(Date::parse("1969-12-31")->days() == -1);
}

TEST_CASE("impossible or malformed dates are rejected", "[core]") {
  for (const char* s : {"2023-02-30", "2023-02-29", "2023-13-01", "2023-00-10", "2023-1-01", "2023-01-1", "20230101",
                        "2023-01-01T00:00", "", "abcd-ef-gh", "0000-01-01", "2023/01/01", " 2023-01-01"}) {
    INFO(s);
    CHECK_FALSE(Date::parse(s));
  }
  CHECK(Date::parse("2023-02-30").error().code == geokg::core::ErrorCode::invalid_argument);
}

TEST_CASE("dates order and expose calendar fields", "[core]") {
  auto a = *Date::parse("2023-11-09");
  auto b = *Date::parse("2023-11-10");
  CHECK(a < b);
  CHECK(a.year() == 2023);
  CHECK(a.month() == 11);
  CHECK(a.day() == 9);
  CHECK(a.weekday() == 4);  // a Thursday
  geokg::core::DateRange r{a, a};
  CHECK(r.contains(a));
  CHECK_FALSE(r.contains(b));
}
