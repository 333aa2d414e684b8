#include "api/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace geokg::api {

void append_metric_header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void append_sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  char buf[32];
  if (std::isnan(value)) {
    out += "NaN";
  } else if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
    out += buf;
  } else {
    std::snprintf(buf, sizeof buf, "%.9g", value);
    out += buf;
  }
  out += '\n';
}

std::string label_value(std::string_view v) {
  std::string out = "\"";
  for (const char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

void Metrics::Histogram::observe(double seconds) {
  std::size_t i = 0;
  while (i < buckets.size() && seconds > buckets[i]) ++i;
  if (i < buckets.size()) ++counts[i];
  ++count;
  sum += seconds;
}

void Metrics::observe_request(std::string_view route, std::string_view method, unsigned status, double seconds) {
  std::lock_guard lock(mutex_);
  auto key = std::make_tuple(std::string(route), std::string(method), status);
  ++requests_[std::move(key)];
  auto it = durations_.find(route);
  if (it == durations_.end()) it = durations_.emplace(std::string(route), Histogram{}).first;
  it->second.observe(seconds);
}

void Metrics::count_rejection(std::string_view reason) {
  std::lock_guard lock(mutex_);
  auto it = rejected_.find(reason);
  if (it == rejected_.end()) it = rejected_.emplace(std::string(reason), 0).first;
  ++it->second;
}

void Metrics::observe_extraction(double seconds) {
  std::lock_guard lock(mutex_);
  extraction_.observe(seconds);
}

void Metrics::render_histogram(std::string& out, std::string_view name, std::string_view labels, const Histogram& h) {
  const std::string bucket = std::string(name) + "_bucket";
  const std::string prefix = labels.empty() ? std::string() : std::string(labels) + ",";
  std::uint64_t cumulative = 0;
  char le[32];
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    cumulative += h.counts[i];
    std::snprintf(le, sizeof le, "%g", buckets[i]);
    append_sample(out, bucket, prefix + "le=\"" + le + "\"", static_cast<double>(cumulative));
  }
  append_sample(out, bucket, prefix + "le=\"+Inf\"", static_cast<double>(h.count));
  append_sample(out, std::string(name) + "_sum", labels, h.sum);
  append_sample(out, std::string(name) + "_count", labels, static_cast<double>(h.count));
}

void Metrics::render(std::string& out) const {
  std::lock_guard lock(mutex_);
  append_metric_header(out, "geokg_http_requests_total", "counter",
                       "HTTP responses by route pattern, method and status.");
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    append_sample(out, "geokg_http_requests_total",
                  "route=" + label_value(route) + ",method=" + label_value(method) + ",status=\"" +
                      std::to_string(status) + "\"",
                  static_cast<double>(n));
  }
  append_metric_header(out, "geokg_http_request_duration_seconds", "histogram",
                       "Time from the end of a request's header to the end of its response, by route pattern.");
  for (const auto& [route, h] : durations_)
    render_histogram(out, "geokg_http_request_duration_seconds", "route=" + label_value(route), h);
  append_metric_header(out, "geokg_http_rejected_total", "counter",
                       "Requests refused before their handler ran, by reason.");
  for (const auto& [reason, n] : rejected_)
    append_sample(out, "geokg_http_rejected_total", "reason=" + label_value(reason), static_cast<double>(n));
  append_metric_header(out, "geokg_extraction_duration_seconds", "histogram",
                       "Time spent extracting triples from one document.");
  render_histogram(out, "geokg_extraction_duration_seconds", "", extraction_);
}

}  // namespace geokg::api
