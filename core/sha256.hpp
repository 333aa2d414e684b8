#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace geokg::core {

// SHA-256 through OpenSSL's libcrypto. Used to store API keys as digests: the keys are 256-bit random
// secrets, so a plain digest (no salt, no slow KDF) is enough to make a leaked table useless.
using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(std::string_view data) noexcept;
// 64 lowercase hex characters.
std::string sha256_hex(std::string_view data);

// Compares without an early exit (OpenSSL's CRYPTO_memcmp), so the time taken does not reveal where two
// secrets differ (the length is not secret: digests have a fixed size).
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace geokg::core
