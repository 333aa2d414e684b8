#include "core/budget.hpp"
#include "tests/test_support.hpp"

using namespace geokg;

TEST_CASE("a budget refuses work beyond its limit with 422 and time beyond its deadline with 503", "[core]") {
  core::Budget unlimited;
  CHECK(unlimited.charge(1'000'000));
  CHECK(unlimited.check_time());

  core::Budget work(core::Budget::Clock::now() + std::chrono::hours(1), 100);
  CHECK(work.charge(100));
  auto over = work.charge();
  REQUIRE_FALSE(over);
  CHECK(over.error().code == core::ErrorCode::unprocessable);
  CHECK(over.error().detail.find("100") != std::string::npos);

  core::Budget late(core::Budget::Clock::now() - std::chrono::milliseconds(1), 1'000'000'000);
  auto expired = late.check_time();
  REQUIRE_FALSE(expired);
  CHECK(expired.error().code == core::ErrorCode::unavailable);
  CHECK(expired.error().retry_after_s == 1);
  // charge() reads the clock every 1024 units.
  bool stopped = false;
  for (int i = 0; i < 2048 && !stopped; ++i) stopped = !late.charge();
  CHECK(stopped);
}
