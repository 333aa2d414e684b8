#pragma once

#include <string>
#include <string_view>

namespace geokg::server {

// True for 1..64 characters of [A-Za-z0-9._-]: safe to echo into headers and logs.
bool is_valid_request_id(std::string_view id) noexcept;

// Writes 16 lowercase hex characters from a per-thread PRNG into `out` (reusing its capacity).
void generate_request_id(std::string& out);

}  // namespace geokg::server
