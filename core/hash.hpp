#pragma once

// Hashing integers.

#include <cstdint>

namespace geokg::core {

// splitmix64's finalizer: a bijection on 64 bits that spreads every input bit over the output.
// Stored in databases through storage::triple_key_hash: its output must never change.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

}  // namespace geokg::core
