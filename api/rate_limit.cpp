#include "api/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace geokg::api {

RateLimiter::RateLimiter(double per_second, double burst, std::size_t max_keys)
    : per_second_(std::max(0.0, per_second)), burst_(std::max(1.0, burst)), max_keys_(std::max<std::size_t>(1, max_keys)) {}

std::uint32_t RateLimiter::acquire(std::string_view key, Clock::time_point now) {
  if (!enabled()) return 0;
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) sweep(now);
    it = buckets_.emplace(std::string(key), Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.last).count();
  if (elapsed > 0) {
    b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
    b.last = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  const double wait = (1.0 - b.tokens) / per_second_;
  return static_cast<std::uint32_t>(std::clamp(std::ceil(wait), 1.0, 86'400.0));
}

void RateLimiter::sweep(Clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double elapsed = std::chrono::duration<double>(now - it->second.last).count();
    if (it->second.tokens + elapsed * per_second_ >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  // Still full (a flood from many addresses): forget everything rather than grow without bound.
  if (buckets_.size() >= max_keys_) buckets_.clear();
}

}  // namespace geokg::api
