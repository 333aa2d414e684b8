#pragma once

#include "core/error.hpp"
#include "core/role.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace geokg::storage {

class Database;

// An API key as stored: never the key itself, only its digest and a short hint.
struct ApiKeyRecord {
  std::int64_t id = 0;
  std::string name;
  core::Role role = core::Role::read;
  std::string hash;  // hex SHA-256 of the key
  std::string hint;  // the first characters of the key, enough to recognise it in a listing
  std::string created_at;
  std::optional<std::string> revoked_at;  // RFC 3339 UTC
};

// The api_keys table, on a connection of its own (the CLI manages keys while a server runs;
// the server re-reads them). Opening migrates the database like Store::open.
// Thread-safe (one mutex around the connection). Errors: internal for SQLite failures,
// not_found for an unknown id, conflict for a hash that exists.
class KeyStore {
 public:
  static core::Result<std::unique_ptr<KeyStore>> open(const std::string& path);
  ~KeyStore();
  KeyStore(const KeyStore&) = delete;
  KeyStore& operator=(const KeyStore&) = delete;

  // Stores a new key and returns it with its id and creation time.
  core::Result<ApiKeyRecord> insert(std::string_view name, core::Role role, std::string_view hash,
                                    std::string_view hint);
  // Marks a key revoked (keeping the first revocation time); not_found when no such id.
  core::Result<ApiKeyRecord> revoke(std::int64_t id);
  // Every key, ordered by id; revoked ones only when asked.
  core::Result<std::vector<ApiKeyRecord>> list(bool include_revoked);

 private:
  struct Impl;
  explicit KeyStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace geokg::storage
