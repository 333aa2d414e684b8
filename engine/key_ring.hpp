#pragma once

#include "core/error.hpp"
#include "core/role.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace geokg::storage {
class KeyStore;
}

namespace geokg::engine {

struct ApiKey {
  std::int64_t id = 0;
  std::string name;
  core::Role role = core::Role::read;
  std::string hint;  // "gk_AbC1…": the first characters, not a secret
  std::string created_at;
  std::optional<std::string> revoked_at;
};

struct NewApiKey {
  std::string secret;  // shown once; only its SHA-256 is stored
  ApiKey key;
};

// Who a request authenticated as.
struct Principal {
  std::int64_t key_id = 0;
  core::Role role = core::Role::read;
};

// API keys: created, listed and revoked in SQLite; checked against an in-memory copy of the
// active keys' digests that is re-read at most every `refresh` (so keys created or revoked by
// `geokg keys` in another process take effect within that time).
// Keys are "gk_" + 43 base64url characters (256 random bits from the kernel).
// Thread-safe. Errors: internal (SQLite, no randomness), not_found (revoke of an unknown id).
class KeyRing {
 public:
  static core::Result<std::shared_ptr<KeyRing>> open(const std::string& db_path,
                                                     std::chrono::milliseconds refresh = std::chrono::seconds(1));
  ~KeyRing();
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;

  core::Result<NewApiKey> create(core::Role role, std::string_view name);
  core::Result<ApiKey> revoke(std::int64_t id);
  core::Result<std::vector<ApiKey>> list(bool include_revoked) const;

  // The active key with this secret, if any. The secret is hashed and compared with every active
  // digest in constant time, so timing reveals neither which key nor how much of one matched.
  std::optional<Principal> authenticate(std::string_view secret) const;
  // True while at least one key is active (then every write needs a key).
  bool any_active() const;

 private:
  struct Impl;
  explicit KeyRing(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A new random key secret; internal when the kernel gives no randomness.
core::Result<std::string> generate_key_secret();

}  // namespace geokg::engine
