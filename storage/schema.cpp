#include "storage/schema.hpp"

#include "core/hash.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <string>

namespace geokg::storage {

namespace {

// Dedup of triples: object NULL must equal NULL, so the key indexes ifnull(object, 0)
// (actor rowids start at 1). Triples, actors, evidence and sources are never deleted, so
// rowids stay dense and increase in commit order.
constexpr std::string_view schema_v1 = R"sql(
CREATE TABLE relation_types (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  root TEXT NOT NULL,
  quad_class INTEGER NOT NULL CHECK (quad_class BETWEEN 0 AND 4),
  goldstein REAL NOT NULL,
  plover TEXT
);

CREATE TABLE actors (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE CHECK (key <> ''),
  name TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('country', 'igo', 'person', 'organization', 'group', 'other')),
  country TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE actor_aliases (
  actor INTEGER NOT NULL REFERENCES actors (id),
  norm TEXT NOT NULL,
  alias TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (actor, norm)
) WITHOUT ROWID;
CREATE INDEX actor_aliases_norm ON actor_aliases (norm);

CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  url TEXT,
  title TEXT NOT NULL DEFAULT '',
  publisher TEXT NOT NULL DEFAULT '',
  published_at TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX sources_url ON sources (url) WHERE url IS NOT NULL;

CREATE TABLE triples (
  id INTEGER PRIMARY KEY,
  subject INTEGER NOT NULL REFERENCES actors (id),
  relation INTEGER NOT NULL REFERENCES relation_types (id),
  object INTEGER REFERENCES actors (id),
  date INTEGER NOT NULL,
  polarity INTEGER NOT NULL CHECK (polarity IN (0, 1, 2)),
  confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  evidence_count INTEGER NOT NULL CHECK (evidence_count >= 0),
  retracted_at TEXT,
  retract_reason TEXT
);
CREATE UNIQUE INDEX triples_key ON triples (date, subject, relation, ifnull(object, 0), polarity);

CREATE TABLE evidence (
  id INTEGER PRIMARY KEY,
  triple INTEGER NOT NULL REFERENCES triples (id),
  source INTEGER REFERENCES sources (id),
  document INTEGER,
  text TEXT NOT NULL DEFAULT '',
  "start" INTEGER,
  "end" INTEGER,
  sentence_index INTEGER NOT NULL DEFAULT -1,
  created_at TEXT NOT NULL
);
CREATE INDEX evidence_triple ON evidence (triple);
)sql";

// Documents: the texts triples were extracted from. A text is found again by the hash of its
// bytes (FNV-1a 64, compared in full on a match) or by its url.
constexpr std::string_view schema_v2 = R"sql(
CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  url TEXT,
  title TEXT NOT NULL DEFAULT '',
  publisher TEXT NOT NULL DEFAULT '',
  published_at TEXT NOT NULL,
  date INTEGER NOT NULL,
  text TEXT NOT NULL,
  text_hash TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX documents_url ON documents (url) WHERE url IS NOT NULL;
CREATE INDEX documents_text_hash ON documents (text_hash);
CREATE INDEX documents_date ON documents (date, id);
CREATE INDEX evidence_document ON evidence (document) WHERE document IS NOT NULL;
)sql";

// API keys: only the SHA-256 of each key is stored, with a short non-secret hint to tell keys
// apart. A revoked key stays (revoked_at set) so that listings keep its history.
constexpr std::string_view schema_api_keys = R"sql(
CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL CHECK (role IN ('read', 'write', 'admin')),
  hash TEXT NOT NULL UNIQUE,
  hint TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
)sql";

// Dataset provenance: an evidence row of an imported event names its dataset, the event's id
// there (unique per dataset, so re-importing a file changes nothing) and the dataset's own
// measures as a JSON object. Triples get an `instance` in their key: 0 for every triple written
// through the API (the same key merges), an event's own number for dataset events imported
// without --one-a-day, which stay one triple per event.
constexpr std::string_view schema_datasets = R"sql(
CREATE TABLE datasets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
ALTER TABLE evidence ADD COLUMN dataset INTEGER REFERENCES datasets (id);
ALTER TABLE evidence ADD COLUMN event_id TEXT;
ALTER TABLE evidence ADD COLUMN attributes TEXT;
CREATE UNIQUE INDEX evidence_event ON evidence (dataset, event_id) WHERE event_id IS NOT NULL;
ALTER TABLE triples ADD COLUMN instance INTEGER NOT NULL DEFAULT 0;
DROP INDEX triples_key;
CREATE UNIQUE INDEX triples_key ON triples (date, subject, relation, ifnull(object, 0), polarity, instance);
)sql";

// The triple key as one hashed column: a unique index over (date, subject, relation,
// ifnull(object, 0), polarity, instance) took SQLite about twice as long to build as one over a
// single integer (at 10M triples, with the sqlite3 shell on two cores: 7.7 s against 3.8-4.5 s).
// The index is not unique: the writer finds a key by its hash and compares the columns, so a
// collision of two keys costs one extra row read, never a wrong merge. geokg_triple_key() is
// triple_key_hash(), defined on the writer's connection; rows written by other programs must
// set key_hash the same way to be merged with.
constexpr std::string_view schema_key_hash = R"sql(
ALTER TABLE triples ADD COLUMN key_hash INTEGER;
UPDATE triples SET key_hash = geokg_triple_key(date, subject, relation, object, polarity, instance);
DROP INDEX triples_key;
CREATE INDEX triples_key ON triples (key_hash);
)sql";

constexpr Migration all_migrations[] = {
    {1, "relation types, actors, aliases, sources, triples, evidence", schema_v1},
    {2, "documents", schema_v2},
    {3, "dataset provenance of evidence, triple instances", schema_datasets},
    {4, "api keys", schema_api_keys},
    {5, "triple key as one hashed column", schema_key_hash},
};

core::Error with_context(std::string_view what, core::Error e) {
  e.detail = std::string(what) + ": " + e.detail;
  return e;
}

core::Result<void> check_steps(std::span<const Migration> steps) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].version != static_cast<int>(i) + 1) {
      return core::internal_error("migrations must be numbered 1, 2, ... in order; step " + std::to_string(i) +
                                  " has version " + std::to_string(steps[i].version));
    }
  }
  return {};
}

core::Error too_new(const Database& db, int found, int known) {
  return core::internal_error("database " + db.path() + " has schema version " + std::to_string(found) +
                              ", newer than this binary supports (" + std::to_string(known) +
                              "); upgrade geokg to open it");
}

core::Result<bool> has_tables(Database& db) {
  auto st = db.cached("SELECT count(*) FROM sqlite_schema");
  if (!st) return st.error();
  auto r = (*st)->step();
  if (!r) return r.error();
  return *r && (*st)->column_int64(0) > 0;
}

core::Result<std::string> single_text(Database& db, std::string_view sql) {
  auto st = db.prepare(sql);
  if (!st) return st.error();
  auto r = st->step();
  if (!r) return r.error();
  if (!*r) return core::internal_error("no result [" + std::string(sql) + "]");
  return std::string(st->column_text(0));
}

core::Result<void> apply_common(Database& db, const ConnectionSettings& settings) {
  if (settings.busy_timeout_ms < 0) return core::invalid_argument("busy_timeout_ms must not be negative");
  if (settings.cache_kib <= 0) return core::invalid_argument("cache_kib must be positive");
  db.set_busy_timeout(settings.busy_timeout_ms);
  // PRAGMA takes no bound parameters; the value is a validated number, not user text.
  if (auto r = db.exec("PRAGMA cache_size = -" + std::to_string(settings.cache_kib)); !r) {
    return with_context("set cache_size", r.error());
  }
  return {};
}

}  // namespace

std::span<const Migration> migrations() noexcept { return all_migrations; }

std::int64_t triple_key_hash(std::int64_t date, std::int64_t subject, std::int64_t relation, std::int64_t object,
                             std::int64_t polarity, std::int64_t instance) noexcept {
  using core::mix64;
  const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
  std::uint64_t h = mix64(u(date) * 0x9e3779b97f4a7c15ull + u(subject));
  h = mix64(h ^ (u(relation) * 0xd6e8feb86659fd93ull + u(object) * 4 + u(polarity)));
  h = mix64(h ^ u(instance));
  return static_cast<std::int64_t>(h);
}

namespace {

std::int64_t triple_key_function(std::span<const std::int64_t> a) noexcept {
  return a.size() == 6 ? triple_key_hash(a[0], a[1], a[2], a[3], a[4], a[5]) : 0;
}

}  // namespace

core::Result<void> define_schema_functions(Database& db) {
  return db.define_int_function("geokg_triple_key", 6, triple_key_function);
}

int latest_schema_version() noexcept { return static_cast<int>(std::size(all_migrations)); }

core::Result<int> user_version(Database& db) {
  auto st = db.cached("PRAGMA user_version");
  if (!st) return with_context("read user_version", st.error());
  auto r = (*st)->step();
  if (!r) return with_context("read user_version", r.error());
  if (!*r) return core::internal_error("read user_version: no row");
  return static_cast<int>((*st)->column_int64(0));
}

core::Result<MigrationReport> migrate(Database& db, std::span<const Migration> steps) {
  if (auto r = check_steps(steps); !r) return r.error();
  if (auto r = define_schema_functions(db); !r) return r.error();
  const int known = static_cast<int>(steps.size());

  // Checked before writing anything, so a newer database is left untouched.
  auto before = user_version(db);
  if (!before) return before.error();
  if (*before > known) return too_new(db, *before, known);

  // Re-read under the write lock: another process may have migrated meanwhile.
  auto tx = Transaction::begin(db, Transaction::Kind::immediate);
  if (!tx) return with_context("migrate", tx.error());
  auto found = user_version(db);
  if (!found) return found.error();
  if (*found > known) return too_new(db, *found, known);
  MigrationReport report{*found, *found, 0};
  if (*found == known) return report;

  if (*found == 0) {
    auto tables = has_tables(db);
    if (!tables) return with_context("migrate", tables.error());
    if (*tables) {
      return core::internal_error("database " + db.path() +
                                  " has tables but no schema version; it is not a geokg database");
    }
  }
  const auto started = std::chrono::steady_clock::now();
  for (const Migration& m : steps.subspan(static_cast<std::size_t>(*found))) {
    if (auto r = db.exec(m.sql); !r) {
      return with_context("migration " + std::to_string(m.version) + " (" + std::string(m.description) + ")",
                          r.error());
    }
    ++report.applied;
  }
  if (auto r = db.exec("PRAGMA user_version = " + std::to_string(known)); !r) {
    return with_context("set user_version", r.error());
  }
  if (auto r = tx->commit(); !r) return with_context("migrate", r.error());
  report.to = known;
  // An upgrade can take a while on a large database (schema 5 at 10M triples: 14 s): say what it was.
  if (report.from > 0)
    spdlog::info("database {} upgraded from schema version {} to {} in {:.1f} s", db.path(), report.from, report.to,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return report;
}

core::Result<void> configure_writer(Database& db, const ConnectionSettings& settings, bool in_memory) {
  if (auto r = apply_common(db, settings); !r) return r;
  auto mode = single_text(db, "PRAGMA journal_mode = WAL");
  if (!mode) return with_context("set journal_mode", mode.error());
  if (!in_memory && *mode != "wal") {
    return core::internal_error("set journal_mode: " + db.path() + " cannot use WAL (got '" + *mode + "')");
  }
  if (auto r = db.exec("PRAGMA synchronous = NORMAL"); !r) return with_context("set synchronous", r.error());
  if (auto r = db.exec("PRAGMA foreign_keys = ON"); !r) return with_context("set foreign_keys", r.error());
  return {};
}

core::Result<void> configure_reader(Database& db, const ConnectionSettings& settings) {
  if (auto r = apply_common(db, settings); !r) return r;
  if (settings.mmap_mib < 0) return core::invalid_argument("mmap_mib must not be negative");
  if (auto r = db.exec("PRAGMA mmap_size = " + std::to_string(settings.mmap_mib * 1024 * 1024)); !r) {
    return with_context("set mmap_size", r.error());
  }
  return {};
}

}  // namespace geokg::storage
