#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace geokg::core {

// Lines without their terminators ("\n" or "\r\n"); a final empty line is dropped.
std::vector<std::string_view> split_lines(std::string_view text);
std::vector<std::string_view> split(std::string_view text, char sep);
std::string_view trim(std::string_view s) noexcept;
std::string to_lower_ascii(std::string_view s);

// The key under which names and aliases are looked up: case-folded (ASCII), periods,
// apostrophes and quotes removed, hyphens and other punctuation as spaces, spaces collapsed,
// a leading "the " dropped. "U.S." == "US" == "the U.S."; "People’s" == "Peoples".
std::string normalize_alias(std::string_view s);

bool is_valid_utf8(std::string_view s) noexcept;

}  // namespace geokg::core
