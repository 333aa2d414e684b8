#pragma once

#include "core/error.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <span>
#include <string_view>

namespace geokg::storage {

// One step of the schema; a database at version `version - 1` runs `sql` to reach `version`.
struct Migration {
  int version = 0;
  std::string_view description;
  std::string_view sql;
};

// This binary's migrations, versions 1, 2, ... in order.
std::span<const Migration> migrations() noexcept;
int latest_schema_version() noexcept;

// The key_hash of a triple from its columns as stored (relation: relation_types.id; object: 0
// when there is none). Stable: it is stored in every database.
std::int64_t triple_key_hash(std::int64_t date, std::int64_t subject, std::int64_t relation, std::int64_t object,
                             std::int64_t polarity, std::int64_t instance) noexcept;
// Defines the SQL functions the schema uses (geokg_triple_key) on a connection.
core::Result<void> define_schema_functions(Database& db);

struct MigrationReport {
  int from = 0;     // user_version found
  int to = 0;       // user_version now
  int applied = 0;  // steps run
};

// PRAGMA user_version.
core::Result<int> user_version(Database& db);

// Runs the steps newer than the database's user_version, all in one IMMEDIATE transaction.
// internal when the database is newer than `steps` knows (nothing is changed then), when a
// version-0 database already has tables (not a geokg database), or when a step fails.
core::Result<MigrationReport> migrate(Database& db, std::span<const Migration> steps = migrations());

struct ConnectionSettings {
  int busy_timeout_ms = 5000;
  std::int64_t cache_kib = 65536;
  std::int64_t mmap_mib = 0;  // readers only
};

// The writer connection: WAL (unless in memory), synchronous=NORMAL, foreign_keys=ON, cache, busy timeout.
core::Result<void> configure_writer(Database& db, const ConnectionSettings& settings, bool in_memory);
// A read-only pool connection: cache, memory map and busy timeout.
core::Result<void> configure_reader(Database& db, const ConnectionSettings& settings);

}  // namespace geokg::storage
