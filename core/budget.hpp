#pragma once

#include "core/error.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

namespace geokg::core {

// The limits of one query: a deadline and a number of work units (nodes visited, edges scanned).
struct BudgetLimits {
  std::chrono::milliseconds time{10'000};
  std::uint64_t work = 5'000'000;
};

// What a query may spend. Long-running use cases and graph algorithms call charge() as they go
// (e.g. once per node visited) and return its error as is: unprocessable (422) once over the work
// limit, since the same query would fail again; unavailable (503, retry later) once past the deadline.
// The clock is read every 1024 units, so charge() costs a counter increment.
// Not thread-safe: one per request.
class Budget {
 public:
  using Clock = std::chrono::steady_clock;

  // Unlimited.
  Budget() = default;
  Budget(Clock::time_point deadline, std::uint64_t max_work) : deadline_(deadline), max_work_(max_work) {}
  static Budget starting_now(const BudgetLimits& limits) {
    return Budget(Clock::now() + limits.time, limits.work);
  }

  Result<void> charge(std::uint64_t units = 1) {
    used_ += units;
    if (used_ > max_work_) {
      return unprocessable("the query needs more than " + std::to_string(max_work_) +
                                 " steps; narrow it (fewer hops, a smaller k, a shorter date range, more filters)");
    }
    since_clock_ += units;
    if (since_clock_ >= clock_every) {
      since_clock_ = 0;
      if (auto r = check_time(); !r) return r;
    }
    return {};
  }

  // Reads the clock now: for loops whose steps are few but slow.
  Result<void> check_time() const {
    if (deadline_ == Clock::time_point::max() || Clock::now() < deadline_) return {};
    Error e = make_error(ErrorCode::unavailable,
                                     "the query ran out of its time budget; narrow it or retry when the server is "
                                     "less busy");
    e.retry_after_s = 1;
    return e;
  }

  std::uint64_t used() const noexcept { return used_; }
  std::uint64_t max_work() const noexcept { return max_work_; }
  Clock::time_point deadline() const noexcept { return deadline_; }

 private:
  static constexpr std::uint64_t clock_every = 1024;
  Clock::time_point deadline_ = Clock::time_point::max();
  std::uint64_t max_work_ = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t used_ = 0;
  std::uint64_t since_clock_ = 0;
};

}  // namespace geokg::core
