#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace geokg::data {

// A file of the project's data/ folder, compiled into the binary so that it runs from anywhere.
struct EmbeddedFile {
  std::string_view path;  // relative to data/, e.g. "relation_types.tsv"
  std::string_view content;
};

std::span<const EmbeddedFile> embedded_files() noexcept;

// The content of data/<path>; nullopt when no such file was embedded.
std::optional<std::string_view> embedded(std::string_view path) noexcept;

}  // namespace geokg::data
