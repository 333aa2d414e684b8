#include "app/logging.hpp"

#include "core/text.hpp"

#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>

namespace geokg::app {

namespace {

void append(spdlog::memory_buf_t& dest, std::string_view s) { dest.append(s.data(), s.data() + s.size()); }

void append_escaped(spdlog::memory_buf_t& dest, std::string_view s) {
  static constexpr char digits[] = "0123456789abcdef";
  const bool utf8 = core::is_valid_utf8(s);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      dest.push_back('\\');
      dest.push_back(ch);
    } else if (c == '\n') {
      append(dest, "\\n");
    } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8)) {
      append(dest, "\\u00");
      dest.push_back(digits[c >> 4]);
      dest.push_back(digits[c & 0xfu]);
    } else {
      dest.push_back(ch);
    }
  }
}

bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    const auto t = std::chrono::time_point_cast<std::chrono::milliseconds>(msg.time);
    const auto day = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss hms{t - day};
    char ts[40];
    std::snprintf(ts, sizeof ts, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
    append(dest, "{\"ts\":\"");
    append(dest, ts);
    append(dest, "\",\"level\":\"");
    const auto level = spdlog::level::to_string_view(msg.level);
    append(dest, std::string_view(level.data(), level.size()));
    append(dest, "\",");
    if (payload.starts_with("{\"type\":\"") && payload.ends_with("}")) {
      append(dest, payload.substr(1));
      dest.push_back('\n');
      return;
    }
    if (payload.starts_with("request ")) {
      std::size_t end = 8;
      while (end < payload.size() && end < 8 + 64 && is_id_char(payload[end])) ++end;
      if (end > 8) {
        append(dest, "\"request_id\":\"");
        append(dest, payload.substr(8, end - 8));
        append(dest, "\",");
      }
    }
    append(dest, "\"msg\":\"");
    append_escaped(dest, payload);
    append(dest, "\"}\n");
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_json_formatter() { return std::make_unique<JsonFormatter>(); }

void use_json_logs(bool json) {
  if (json) {
    spdlog::set_formatter(make_json_formatter());
  } else {
    spdlog::set_formatter(std::make_unique<spdlog::pattern_formatter>());
  }
}

}  // namespace geokg::app
