#include "core/sha256.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace geokg::core {

Sha256Digest sha256(std::string_view data) noexcept {
  Sha256Digest out{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

std::string sha256_hex(std::string_view data) {
  static constexpr char digits[] = "0123456789abcdef";
  const auto d = sha256(data);
  std::string out;
  out.reserve(64);
  for (const auto byte : d) {
    out.push_back(digits[byte >> 4]);
    out.push_back(digits[byte & 0xfu]);
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace geokg::core
