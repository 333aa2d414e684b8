#include "storage/key_store.hpp"

#include "core/date.hpp"
#include "storage/database.hpp"
#include "storage/schema.hpp"

#include <chrono>
#include <cstdio>
#include <exception>
#include <mutex>

namespace geokg::storage {

namespace {

using core::Result;

constexpr std::string_view select_keys =
    "SELECT id, name, role, hash, hint, created_at, revoked_at FROM api_keys";

Result<ApiKeyRecord> read_row(Statement& st) {
  ApiKeyRecord r;
  r.id = st.column_int64(0);
  r.name = std::string(st.column_text(1));
  const auto role = core::parse_role(st.column_text(2));
  if (!role) return core::internal_error("api key " + std::to_string(r.id) + " has an unknown role");
  r.role = *role;
  r.hash = std::string(st.column_text(3));
  r.hint = std::string(st.column_text(4));
  r.created_at = std::string(st.column_text(5));
  if (!st.column_is_null(6)) r.revoked_at = std::string(st.column_text(6));
  return r;
}

Result<ApiKeyRecord> load(Database& db, std::int64_t id) {
  auto st = db.cached(std::string(select_keys) + " WHERE id = ?1");
  if (!st) return st.error();
  (*st)->bind(1, id);
  auto row = (*st)->step();
  if (!row) return row.error();
  if (!*row) return core::not_found("no API key with id " + std::to_string(id));
  return read_row(**st);
}

}  // namespace

struct KeyStore::Impl {
  std::mutex mutex;
  std::unique_ptr<Database> db;
};

KeyStore::KeyStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KeyStore::~KeyStore() = default;

Result<std::unique_ptr<KeyStore>> KeyStore::open(const std::string& path) {
  return guarded("open api keys", [&]() -> Result<std::unique_ptr<KeyStore>> {
    auto db = Database::open(path, Database::Mode::read_write_create);
    if (!db) return db.error();
    (*db)->set_busy_timeout(5000);
    if (auto r = migrate(**db); !r) return r.error();
    if (auto r = configure_writer(**db, ConnectionSettings{5000, 1024, 0}, path == ":memory:"); !r) return r.error();
    auto impl = std::make_unique<Impl>();
    impl->db = std::move(*db);
    return std::unique_ptr<KeyStore>(new KeyStore(std::move(impl)));
  });
}

Result<ApiKeyRecord> KeyStore::insert(std::string_view name, core::Role role, std::string_view hash,
                                      std::string_view hint) {
  return guarded("insert api key", [&]() -> Result<ApiKeyRecord> {
    std::lock_guard lock(impl_->mutex);
    auto& db = *impl_->db;
    const std::string now = core::utc_timestamp_now();
    const std::string_view role_name = core::to_string(role);
    auto st = db.cached("INSERT INTO api_keys (name, role, hash, hint, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st) return st.error();
    (*st)->bind(1, name);
    (*st)->bind(2, role_name);
    (*st)->bind(3, hash);
    (*st)->bind(4, hint);
    (*st)->bind(5, std::string_view(now));
    if (auto r = (*st)->run(); !r) {
      if ((*st)->failed_on_unique()) return core::conflict("an API key with this hash exists");
      return r.error();
    }
    return load(db, db.last_insert_rowid());
  });
}

Result<ApiKeyRecord> KeyStore::revoke(std::int64_t id) {
  return guarded("revoke api key", [&]() -> Result<ApiKeyRecord> {
    std::lock_guard lock(impl_->mutex);
    auto& db = *impl_->db;
    const std::string now = core::utc_timestamp_now();
    auto st = db.cached("UPDATE api_keys SET revoked_at = ifnull(revoked_at, ?2) WHERE id = ?1");
    if (!st) return st.error();
    (*st)->bind(1, id);
    (*st)->bind(2, std::string_view(now));
    if (auto r = (*st)->run(); !r) return r.error();
    return load(db, id);
  });
}

Result<std::vector<ApiKeyRecord>> KeyStore::list(bool include_revoked) {
  return guarded("list api keys", [&]() -> Result<std::vector<ApiKeyRecord>> {
    std::lock_guard lock(impl_->mutex);
    auto& db = *impl_->db;
    auto st = db.cached(std::string(select_keys) + (include_revoked ? "" : " WHERE revoked_at IS NULL") +
                        " ORDER BY id");
    if (!st) return st.error();
    std::vector<ApiKeyRecord> out;
    for (;;) {
      auto row = (*st)->step();
      if (!row) return row.error();
      if (!*row) break;
      auto r = read_row(**st);
      if (!r) return r.error();
      out.push_back(std::move(*r));
    }
    return out;
  });
}

}  // namespace geokg::storage
