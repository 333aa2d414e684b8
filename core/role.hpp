#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace geokg::core {

// What an API key may do. Ordered: a role includes every lower one (admin > write > read).
enum class Role : std::uint8_t { read = 0, write = 1, admin = 2 };
inline constexpr Role all_roles[] = {Role::read, Role::write, Role::admin};

constexpr std::string_view to_string(Role r) noexcept {
  switch (r) {
    case Role::read: return "read";
    case Role::write: return "write";
    case Role::admin: return "admin";
  }
  return "read";
}

constexpr std::optional<Role> parse_role(std::string_view s) noexcept {
  for (const Role r : all_roles)
    if (to_string(r) == s) return r;
  return std::nullopt;
}

constexpr bool includes(Role held, Role needed) noexcept {
  return static_cast<std::uint8_t>(held) >= static_cast<std::uint8_t>(needed);
}

}  // namespace geokg::core
