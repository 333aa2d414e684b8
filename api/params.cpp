#include "api/params.hpp"

#include "core/text.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>
#include <cmath>

namespace geokg::api {

namespace {

std::string clip(std::string_view s) { return std::string(s.substr(0, 60)); }

}  // namespace

core::Result<QueryParams> QueryParams::parse(std::string_view target, const std::vector<std::string>& allowed) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return core::invalid_argument("the request target is not a valid URL path and query");
  QueryParams q;
  q.path_ = std::string(parsed->encoded_path().decode());
  std::string unknown;
  for (const auto& p : parsed->params()) {
    std::string key(p.key);
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      if (!unknown.empty()) unknown += ", ";
      unknown += "'" + clip(key) + "'";
      continue;
    }
    std::string value = p.has_value ? std::string(p.value) : std::string();
    if (!core::is_valid_utf8(value) || value.find('\0') != std::string::npos)
      return core::invalid_parameter(key, key + " is not valid UTF-8 text");
    q.values_.emplace(std::move(key), std::move(value));
  }
  if (!unknown.empty()) {
    std::string known;
    for (const auto& a : allowed) known += (known.empty() ? "" : ", ") + a;
    return core::invalid_parameter(unknown.substr(1, unknown.find('\'', 1) - 1),
                                   "unknown query parameter " + unknown + "; this endpoint takes: " +
                                       (known.empty() ? std::string("none") : known));
  }
  return q;
}

bool QueryParams::has(std::string_view name) const { return values_.find(name) != values_.end(); }

core::Result<std::optional<std::string>> QueryParams::get(std::string_view name) const {
  const auto [b, e] = values_.equal_range(name);
  if (b == e) return std::optional<std::string>();
  if (std::next(b) != e) return core::invalid_parameter(std::string(name), std::string(name) + " is given more than once");
  return std::optional<std::string>(b->second);
}

std::vector<std::string> QueryParams::list(std::string_view name) const {
  std::vector<std::string> out;
  const auto [b, e] = values_.equal_range(name);
  for (auto it = b; it != e; ++it)
    for (auto part : core::split(it->second, ','))
      if (!core::trim(part).empty()) out.emplace_back(core::trim(part));
  return out;
}

core::Result<std::optional<core::Date>> QueryParams::date(std::string_view name) const {
  auto v = get(name);
  if (!v) return v.error();
  if (!*v || (*v)->empty()) return std::optional<core::Date>();
  auto d = core::Date::parse(**v);
  if (!d) return core::invalid_parameter(std::string(name), std::string(name) + ": " + d.error().detail);
  return std::optional<core::Date>(*d);
}

core::Result<std::int64_t> QueryParams::integer(std::string_view name, std::int64_t fallback, std::int64_t min,
                                                std::int64_t max) const {
  auto v = get(name);
  if (!v) return v.error();
  if (!*v) return fallback;
  const std::string& s = **v;
  std::int64_t out = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  const std::string range = " between " + std::to_string(min) + " and " + std::to_string(max);
  if (ec != std::errc{} || p != s.data() + s.size())
    return core::invalid_parameter(std::string(name), std::string(name) + " must be an integer" + range + ", got '" + clip(s) + "'");
  if (out < min || out > max)
    return core::invalid_parameter(std::string(name), std::string(name) + " must be" + range + ", got " + s);
  return out;
}

core::Result<double> QueryParams::number(std::string_view name, double fallback, double min, double max) const {
  auto v = get(name);
  if (!v) return v.error();
  if (!*v) return fallback;
  const std::string& s = **v;
  double out = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc{} || p != s.data() + s.size() || !std::isfinite(out) || out < min || out > max)
    return core::invalid_parameter(std::string(name), std::string(name) + " must be a number between " +
                                                          std::to_string(min) + " and " + std::to_string(max) +
                                                          ", got '" + clip(s) + "'");
  return out;
}

core::Result<bool> QueryParams::boolean(std::string_view name, bool fallback) const {
  auto v = get(name);
  if (!v) return v.error();
  if (!*v) return fallback;
  if (**v == "true" || **v == "1" || (*v)->empty()) return true;
  if (**v == "false" || **v == "0") return false;
  return core::invalid_parameter(std::string(name), std::string(name) + " must be true or false");
}

namespace {
constexpr char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view in) {
  std::string out;
  std::uint32_t buf = 0;
  int bits = 0;
  for (const char c : in) {
    buf = (buf << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(b64[(buf >> bits) & 63u]);
    }
  }
  if (bits > 0) out.push_back(b64[(buf << (6 - bits)) & 63u]);
  return out;
}

std::optional<std::string> unbase64url(std::string_view in) {
  std::string out;
  std::uint32_t buf = 0;
  int bits = 0;
  for (const char c : in) {
    const char* p = std::char_traits<char>::find(b64, 64, c);
    if (!p) return std::nullopt;
    buf = (buf << 6) | static_cast<std::uint32_t>(p - b64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xFFu));
    }
  }
  return out;
}
}  // namespace

std::string encode_cursor(std::string_view kind, std::string_view payload) {
  return base64url(std::string("v1|") + std::string(kind) + "|" + std::string(payload));
}

core::Result<std::string> decode_cursor(std::string_view kind, std::string_view cursor) {
  const auto bad = [] {
    return core::invalid_parameter("cursor", "cursor is not valid here; pass the next_cursor value of the previous page unchanged");
  };
  if (cursor.size() > 512) return bad();
  auto raw = unbase64url(cursor);
  const std::string prefix = "v1|" + std::string(kind) + "|";
  if (!raw || raw->compare(0, prefix.size(), prefix) != 0) return bad();
  return raw->substr(prefix.size());
}

}  // namespace geokg::api
