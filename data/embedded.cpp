#include "data/embedded.hpp"

namespace geokg::data {

std::optional<std::string_view> embedded(std::string_view path) noexcept {
  for (const auto& f : embedded_files())
    if (f.path == path) return f.content;
  return std::nullopt;
}

}  // namespace geokg::data
