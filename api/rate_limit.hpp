#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace geokg::api {

// Token buckets keyed by a string (an API key id, a client address): each key may make `burst`
// requests at once and `per_second` on average. A rate of 0 turns the limiter off.
// Memory is bounded: beyond `max_keys` buckets, the ones that have refilled are forgotten
// (a full bucket is the same as no bucket). Thread-safe.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double per_second, double burst, std::size_t max_keys = 100'000);
  bool enabled() const noexcept { return per_second_ > 0; }

  // Takes a token: 0 when the request may go, otherwise the whole seconds (at least 1) after
  // which one will be available (the Retry-After value).
  std::uint32_t acquire(std::string_view key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point last;
  };
  void sweep(Clock::time_point now);

  double per_second_;
  double burst_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace geokg::api
