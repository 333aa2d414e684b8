#include "api/access.hpp"

#include "core/text.hpp"

namespace geokg::api {

namespace {

std::string route_name(const Route& route) {
  return std::string(http::to_string(route.method)) + " " + route.pattern;
}

}  // namespace

std::optional<std::string_view> bearer_token(std::string_view authorization) noexcept {
  authorization = core::trim(authorization);
  constexpr std::string_view scheme = "bearer";
  if (authorization.size() <= scheme.size() + 1) return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    const char c = authorization[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != scheme[i]) return std::nullopt;
  }
  if (authorization[scheme.size()] != ' ') return std::nullopt;
  const auto token = core::trim(authorization.substr(scheme.size() + 1));
  if (token.empty() || token.size() > 256) return std::nullopt;
  for (const char c : token)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return std::nullopt;
  return token;
}

core::Result<std::optional<engine::Principal>> AccessPolicy::check(const Route& route, std::string_view authorization,
                                                                   const RequestInfo& info) const {
  using Out = std::optional<engine::Principal>;
  const auto needed = required_role(route);
  Out principal;
  if (!authorization.empty()) {
    const auto token = bearer_token(authorization);
    if (!token) {
      return core::make_error(core::ErrorCode::unauthorized,
                              "the Authorization header must be 'Bearer <key>' with a key from geokg keys create");
    }
    if (keys_) principal = keys_->authenticate(*token);
    if (!principal) return core::make_error(core::ErrorCode::unauthorized, "the API key is unknown or revoked");
  }
  if (!needed) return principal;
  if (principal) {
    if (core::includes(principal->role, *needed)) return principal;
    return core::make_error(core::ErrorCode::forbidden,
                            "this API key has the role '" + std::string(core::to_string(principal->role)) + "'; " +
                                route_name(route) + " needs '" + std::string(core::to_string(*needed)) + "'");
  }
  if (*needed == core::Role::read && !options_.require_read_key) return principal;
  if (keys_ && keys_->any_active()) {
    return core::make_error(core::ErrorCode::unauthorized,
                            route_name(route) + " needs an API key with the role '" +
                                std::string(core::to_string(*needed)) + "': send Authorization: Bearer <key>");
  }
  if (info.remote_is_loopback) return principal;
  return core::make_error(core::ErrorCode::forbidden,
                          "no API key exists yet, so " + route_name(route) +
                              " is accepted from loopback clients only; create a key with geokg keys create");
}

}  // namespace geokg::api
