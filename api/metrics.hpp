#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace geokg::api {

// Prometheus text exposition helpers.
void append_metric_header(std::string& out, std::string_view name, std::string_view type, std::string_view help);
// `name{labels} value\n`; labels is "" or `a="b",c="d"` (use label_value for the values).
void append_sample(std::string& out, std::string_view name, std::string_view labels, double value);
// A label value with \, " and newlines escaped, in quotes.
std::string label_value(std::string_view v);

// The request counters and latency histograms behind GET /metrics. Labels are route patterns
// ("/v1/actors/{id}"), never raw paths, so their number is bounded by the route table.
// Thread-safe.
class Metrics {
 public:
  static constexpr std::array<double, 14> buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,    0.25,  0.5,    1.0,   2.5,   5.0,  10.0};

  void observe_request(std::string_view route, std::string_view method, unsigned status, double seconds);
  // A request refused before or instead of its handler: unauthorized, rate_limited, queue_full ...
  void count_rejection(std::string_view reason);
  // Time spent extracting triples from a document.
  void observe_extraction(double seconds);

  // Appends the counters and histograms in the Prometheus text format.
  void render(std::string& out) const;

 private:
  struct Histogram {
    std::array<std::uint64_t, buckets.size()> counts{};  // per bucket, not cumulative
    std::uint64_t count = 0;
    double sum = 0;
    void observe(double seconds);
  };
  static void render_histogram(std::string& out, std::string_view name, std::string_view labels,
                               const Histogram& h);

  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t, std::less<>> requests_;
  std::map<std::string, Histogram, std::less<>> durations_;
  std::map<std::string, std::uint64_t, std::less<>> rejected_;
  Histogram extraction_;
};

}  // namespace geokg::api
