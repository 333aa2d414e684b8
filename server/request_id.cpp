#include "server/request_id.hpp"

#include <chrono>
#include <cstdint>
#include <random>
#include <thread>

namespace geokg::server {

namespace {

constexpr std::size_t max_request_id_length = 64;

bool is_id_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

std::uint64_t initial_seed() {
  std::random_device device;
  std::uint64_t seed = (std::uint64_t{device()} << 32) ^ std::uint64_t{device()};
  seed ^= static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  seed ^= static_cast<std::uint64_t>(std::hash<std::thread::id>{}(std::this_thread::get_id())) << 1;
  return seed;
}

// splitmix64: tiny state, good distribution, no locking; request ids need uniqueness, not secrecy.
std::uint64_t next_random() noexcept {
  thread_local std::uint64_t state = initial_seed();
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

bool is_valid_request_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > max_request_id_length) return false;
  for (char c : id) {
    if (!is_id_char(c)) return false;
  }
  return true;
}

void generate_request_id(std::string& out) {
  static constexpr char digits[] = "0123456789abcdef";
  std::uint64_t value = next_random();
  out.resize(16);
  for (std::size_t i = 16; i-- > 0;) {
    out[i] = digits[value & 0xfu];
    value >>= 4;
  }
}

}  // namespace geokg::server
