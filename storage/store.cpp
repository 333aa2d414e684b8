#include "storage/store.hpp"

#include "core/date.hpp"
#include "core/text.hpp"
#include "storage/database.hpp"
#include "storage/schema.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace geokg::storage {

namespace {

using core::ActorIdx;
using core::Error;
using core::Result;
using core::TripleId;

constexpr std::string_view memory_path = ":memory:";
constexpr std::int64_t max_actor_idx = std::numeric_limits<std::uint32_t>::max();
constexpr std::int64_t max_relation_id = std::int64_t{std::numeric_limits<std::uint16_t>::max()} + 1;

Error with_context(std::string_view operation, Error e) {
  e.detail.insert(0, std::string(operation) + ": ");
  return e;
}

// RFC 3339 UTC to the second; formatted once per second.
class UtcClock {
 public:
  const std::string& now() {
    const auto t = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    const std::int64_t s = t.time_since_epoch().count();
    if (s != second_) {
      second_ = s;
      text_ = core::utc_timestamp(t);
    }
    return text_;
  }

 private:
  std::int64_t second_ = std::numeric_limits<std::int64_t>::min();
  std::string text_;
};

std::int64_t relation_id(core::RelationIdx r) { return std::int64_t{core::value(r)} + 1; }

// FNV-1a 64 of a document's bytes, as hex: finds candidates, which are then compared in full.
std::string text_hash(std::string_view text) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

Result<std::optional<std::int64_t>> lookup_document(Database& db, std::string_view url, std::string_view text) {
  using Out = std::optional<std::int64_t>;
  if (!url.empty()) {
    auto st = db.cached("SELECT id FROM documents WHERE url = ?1");
    if (!st) return st.error();
    (*st)->bind(1, url);
    auto row = (*st)->step();
    if (!row) return row.error();
    if (*row) return Out((*st)->column_int64(0));
  }
  const std::string h = text_hash(text);
  auto st = db.cached("SELECT id, text FROM documents WHERE text_hash = ?1 ORDER BY id");
  if (!st) return st.error();
  (*st)->bind(1, std::string_view(h));
  for (;;) {
    auto row = (*st)->step();
    if (!row) return row.error();
    if (!*row) return Out();
    if ((*st)->column_text(1) == text) return Out((*st)->column_int64(0));
  }
}

std::optional<std::string_view> null_if_empty(std::string_view s) {
  if (s.empty()) return std::nullopt;
  return s;
}

// Columns: id, subject, relation, object, date, polarity, confidence, evidence_count, retracted.
constexpr std::string_view triple_columns =
    "id, subject, relation, object, date, polarity, confidence, evidence_count, retracted_at IS NOT NULL";

void decode_triple(const Statement& st, core::TripleRecord& out) noexcept {
  out.id = TripleId{st.column_int64(0)};
  out.subject = ActorIdx{static_cast<std::uint32_t>(st.column_int64(1))};
  out.relation = core::RelationIdx{static_cast<std::uint16_t>(st.column_int64(2) - 1)};
  if (st.column_is_null(3)) {
    out.object.reset();
  } else {
    out.object = ActorIdx{static_cast<std::uint32_t>(st.column_int64(3))};
  }
  out.date = core::Date::from_days(static_cast<std::int32_t>(st.column_int64(4)));
  out.polarity = static_cast<core::Polarity>(st.column_int64(5));
  out.confidence = static_cast<float>(st.column_double(6));
  out.evidence_count = static_cast<std::uint32_t>(st.column_int64(7));
  out.retracted = st.column_int64(8) != 0;
}

Result<core::TripleRecord> load_triple(Database& db, TripleId id) {
  static const std::string sql = "SELECT " + std::string(triple_columns) + " FROM triples WHERE id = ?1";
  auto st = db.cached(sql);
  if (!st) return st.error();
  (*st)->bind(1, core::value(id));
  auto row = (*st)->step();
  if (!row) return row.error();
  if (!*row) return core::not_found("no triple " + std::to_string(core::value(id)));
  core::TripleRecord out;
  decode_triple(**st, out);
  return out;
}

Result<std::optional<ActorIdx>> lookup_actor(Database& db, std::string_view id) {
  auto st = db.cached("SELECT id FROM actors WHERE key = ?1");
  if (!st) return st.error();
  (*st)->bind(1, id);
  auto row = (*st)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<ActorIdx>();
  return std::optional<ActorIdx>(ActorIdx{static_cast<std::uint32_t>((*st)->column_int64(0))});
}

Result<core::ActorType> decode_actor_type(std::string_view key, std::string_view type) {
  auto t = core::parse_actor_type(type);
  if (!t) return core::internal_error("actor '" + std::string(key) + "' has an unknown type in the database");
  return *t;
}

Result<core::Actor> load_actor(Database& db, ActorIdx idx) {
  core::Actor out;
  {
    auto st = db.cached("SELECT key, name, type, country FROM actors WHERE id = ?1");
    if (!st) return st.error();
    (*st)->bind(1, core::value(idx));
    auto row = (*st)->step();
    if (!row) return row.error();
    if (!*row) return core::not_found("no actor #" + std::to_string(core::value(idx)));
    out.id = (*st)->column_text(0);
    out.name = (*st)->column_text(1);
    auto type = decode_actor_type(out.id, (*st)->column_text(2));
    if (!type) return type.error();
    out.type = *type;
    out.country = (*st)->column_text(3);
  }
  auto st = db.cached("SELECT alias FROM actor_aliases WHERE actor = ?1 ORDER BY position");
  if (!st) return st.error();
  (*st)->bind(1, core::value(idx));
  for (;;) {
    auto row = (*st)->step();
    if (!row) return row.error();
    if (!*row) break;
    out.aliases.emplace_back((*st)->column_text(0));
  }
  return out;
}

// ---- Writer ----

class SqliteWriter final : public Writer {
 public:
  explicit SqliteWriter(Database& db) : db_(db) {}
  SqliteWriter(const SqliteWriter&) = delete;
  SqliteWriter& operator=(const SqliteWriter&) = delete;
  ~SqliteWriter() override {
    if (!own_cache_) return;
    try {
      (void)db_.exec("PRAGMA cache_size = " + std::to_string(*own_cache_));
    } catch (...) {
      // Out of memory for the statement: the connection keeps the wider cache.
    }
  }

  Result<ActorIdx> insert_actor(const core::Actor& actor) override {
    return guarded("insert_actor", [&]() -> Result<ActorIdx> {
      auto r = do_insert_actor(actor);
      if (!r) return with_context("insert_actor", std::move(r).error());
      return r;
    });
  }

  Result<void> update_actor(ActorIdx idx, const core::Actor& actor) override {
    return guarded("update_actor", [&]() -> Result<void> {
      auto r = do_update_actor(idx, actor);
      if (!r) return with_context("update_actor", std::move(r).error());
      return r;
    });
  }

  Result<TripleWriteResult> put_triple(const core::TripleInput& triple) override {
    return guarded("put_triple", [&]() -> Result<TripleWriteResult> {
      auto r = do_put_triple(triple);
      if (!r) return with_context("put_triple", std::move(r).error());
      return r;
    });
  }

  Result<core::TripleRecord> retract_triple(TripleId id, std::string_view reason) override {
    return guarded("retract_triple", [&]() -> Result<core::TripleRecord> {
      auto r = do_retract_triple(id, reason);
      if (!r) return with_context("retract_triple", std::move(r).error());
      return r;
    });
  }

  Result<void> insert_relation_types(const std::vector<core::RelationType>& types) override {
    return guarded("insert_relation_types", [&]() -> Result<void> {
      auto r = do_insert_relation_types(types);
      if (!r) return with_context("insert_relation_types", std::move(r).error());
      return r;
    });
  }

  Result<std::int64_t> insert_document(const core::DocumentRecord& d) override {
    return guarded("insert_document", [&]() -> Result<std::int64_t> {
      auto existing = lookup_document(db_, d.url, d.text);
      if (!existing) return with_context("insert_document", std::move(existing).error());
      if (*existing) return core::conflict("document " + std::to_string(**existing) + " has this url or text");
      auto st = db_.cached(
          "INSERT INTO documents (url, title, publisher, published_at, date, text, text_hash, created_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
      if (!st) return with_context("insert_document", st.error());
      const std::string h = text_hash(d.text);
      (*st)->bind(1, null_if_empty(d.url));
      (*st)->bind(2, std::string_view(d.title));
      (*st)->bind(3, std::string_view(d.publisher));
      (*st)->bind(4, std::string_view(d.published_at));
      (*st)->bind(5, static_cast<std::int64_t>(d.date.days()));
      (*st)->bind(6, std::string_view(d.text));
      (*st)->bind(7, std::string_view(h));
      (*st)->bind(8, std::string_view(clock_.now()));
      if (auto r = (*st)->run(); !r) return with_context("insert_document", r.error());
      return db_.last_insert_rowid();
    });
  }

  Result<std::optional<ActorIdx>> find_actor(std::string_view id) override {
    return guarded("find_actor", [&]() -> Result<std::optional<ActorIdx>> {
      auto r = lookup_actor(db_, id);
      if (!r) return with_context("find_actor", std::move(r).error());
      return r;
    });
  }

  Result<TripleWriteResult> bulk_put_triple(const core::TripleInput& triple) override {
    return guarded("bulk_put_triple", [&]() -> Result<TripleWriteResult> {
      auto r = do_bulk_put_triple(triple);
      if (!r) return with_context("bulk_put_triple", std::move(r).error());
      return r;
    });
  }

  Result<void> bulk_put_triples(std::span<const core::TripleInput> triples,
                                std::vector<TripleWriteResult>& out) override {
    return guarded("bulk_put_triples", [&]() -> Result<void> {
      out.clear();
      out.reserve(triples.size());
      std::size_t i = 0;
      while (i < triples.size()) {
        // A run of rows without evidence goes in multi-row statements; others one by one.
        std::size_t j = i;
        while (j < triples.size() && j - i < multi_rows && triples[j].evidence.empty()) ++j;
        if (j == i) {
          auto r = do_bulk_put_triple(triples[i]);
          if (!r) return with_context("bulk_put_triples", std::move(r).error());
          out.push_back(std::move(*r));
          ++i;
          continue;
        }
        if (auto r = put_run(triples.subspan(i, j - i), out); !r) return with_context("bulk_put_triples", std::move(r).error());
        i = j;
      }
      return {};
    });
  }

  Result<bool> has_event(std::string_view dataset, std::string_view event_id) override {
    return guarded("has_event", [&]() -> Result<bool> {
      auto d = dataset_id(std::string(dataset));
      if (!d) return with_context("has_event", std::move(d).error());
      auto st = db_.cached("SELECT 1 FROM evidence WHERE dataset = ?1 AND event_id = ?2");
      if (!st) return with_context("has_event", st.error());
      (*st)->bind(1, *d);
      (*st)->bind(2, event_id);
      auto row = (*st)->step();
      if (!row) return with_context("has_event", row.error());
      return *row;
    });
  }

  Result<bool> defer_triple_index() override {
    return guarded("defer_triple_index", [&]() -> Result<bool> {
      {
        auto st = db_.cached("SELECT NOT EXISTS (SELECT 1 FROM triples)");
        if (!st) return st.error();
        auto row = (*st)->step();
        if (!row) return row.error();
        if ((*st)->column_int64(0) == 0) return false;
      }
      auto st = db_.cached("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'triples_key'");
      if (!st) return st.error();
      auto row = (*st)->step();
      if (!row) return row.error();
      if (!*row) return core::internal_error("defer_triple_index: no index triples_key");
      deferred_index_sql_ = std::string((*st)->column_text(0));
      (*st)->reset();
      if (auto r = db_.exec("DROP INDEX triples_key"); !r) return r.error();
      return true;
    });
  }

  Result<void> add_evidence(TripleId triple, const core::EvidenceInput& evidence) override {
    return guarded("add_evidence", [&]() -> Result<void> {
      auto r = insert_evidence(triple, evidence);
      if (!r) return with_context("add_evidence", std::move(r).error());
      return r;
    });
  }

  Result<void> set_triple_tally(TripleId triple, std::uint32_t evidence_count, float confidence) override {
    return guarded("set_triple_tally", [&]() -> Result<void> {
      if (!(confidence >= 0.0f && confidence <= 1.0f)) return core::invalid_argument("confidence must be between 0 and 1");
      auto st = db_.cached("UPDATE triples SET evidence_count = ?2, confidence = ?3 WHERE id = ?1");
      if (!st) return st.error();
      (*st)->bind(1, core::value(triple));
      (*st)->bind(2, std::int64_t{evidence_count});
      (*st)->bind(3, static_cast<double>(confidence));
      if (auto r = (*st)->run(); !r) return with_context("set_triple_tally", r.error());
      if (db_.changes() != 1) return core::not_found("no triple " + std::to_string(core::value(triple)));
      return {};
    });
  }

  Result<void> widen_cache(std::int64_t kib) override {
    return guarded("widen_cache", [&]() -> Result<void> {
      if (kib <= 0) return core::invalid_argument("cache size must be positive");
      if (!own_cache_) {
        auto st = db_.cached("PRAGMA cache_size");
        if (!st) return st.error();
        auto row = (*st)->step();
        if (!row) return row.error();
        own_cache_ = (*st)->column_int64(0);
      }
      return db_.exec("PRAGMA cache_size = -" + std::to_string(kib));
    });
  }

  Result<void> rebuild_triple_index() override {
    if (deferred_index_sql_.empty()) return {};
    // CREATE INDEX sorts in memory up to the page cache size, in one run. With the import's large
    // cache that single sort of 10M keys took 35 s; runs of 8 MiB sorted on every core and merged
    // took 12 s (both for the former six-column key; measured with the sqlite3 shell on a 10M-triple
    // database). The one-column hashed key sorts in about 4 s that way.
    const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
    std::int64_t cache = 0;
    {
      auto st = db_.cached("PRAGMA cache_size");
      if (!st) return st.error();
      auto row = (*st)->step();
      if (!row) return row.error();
      cache = (*st)->column_int64(0);
      (*st)->reset();
    }
    if (auto r = db_.exec("PRAGMA cache_size = -8192; PRAGMA threads = " + std::to_string(threads)); !r) return r;
    auto r = db_.exec(deferred_index_sql_);
    (void)db_.exec("PRAGMA threads = 0; PRAGMA cache_size = " + std::to_string(cache));
    if (!r) return with_context("rebuild_triple_index", r.error());
    deferred_index_sql_.clear();
    return {};
  }

 private:
  Result<ActorIdx> do_insert_actor(const core::Actor& actor) {
    if (actor.id.empty()) return core::invalid_argument("an actor needs a non-empty id");
    {
      auto st = db_.cached(
          "INSERT INTO actors (key, name, type, country, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
          "ON CONFLICT (key) DO NOTHING");
      if (!st) return st.error();
      (*st)->bind(1, std::string_view(actor.id));
      (*st)->bind(2, std::string_view(actor.name));
      (*st)->bind(3, core::to_string(actor.type));
      (*st)->bind(4, null_if_empty(actor.country));
      (*st)->bind(5, std::string_view(clock_.now()));
      if (auto r = (*st)->run(); !r) return r.error();
    }
    if (db_.changes() == 0) return core::conflict("actor '" + actor.id + "' already exists");
    const std::int64_t rowid = db_.last_insert_rowid();
    if (rowid < 1 || rowid > max_actor_idx) return core::internal_error("actor rowid out of range");
    const ActorIdx idx{static_cast<std::uint32_t>(rowid)};
    if (auto r = insert_aliases(idx, actor.aliases); !r) return r.error();
    return idx;
  }

  Result<void> do_update_actor(ActorIdx idx, const core::Actor& actor) {
    {
      auto st = db_.cached("UPDATE actors SET name = ?2, type = ?3, country = ?4 WHERE id = ?1");
      if (!st) return st.error();
      (*st)->bind(1, core::value(idx));
      (*st)->bind(2, std::string_view(actor.name));
      (*st)->bind(3, core::to_string(actor.type));
      (*st)->bind(4, null_if_empty(actor.country));
      if (auto r = (*st)->run(); !r) return r.error();
    }
    if (db_.changes() == 0) return core::not_found("no actor #" + std::to_string(core::value(idx)));
    {
      auto st = db_.cached("DELETE FROM actor_aliases WHERE actor = ?1");
      if (!st) return st.error();
      (*st)->bind(1, core::value(idx));
      if (auto r = (*st)->run(); !r) return r.error();
    }
    return insert_aliases(idx, actor.aliases);
  }

  Result<void> insert_aliases(ActorIdx idx, const std::vector<std::string>& aliases) {
    if (aliases.empty()) return {};
    auto st = db_.cached(
        "INSERT INTO actor_aliases (actor, norm, alias, position) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (actor, norm) DO NOTHING");
    if (!st) return st.error();
    std::int64_t position = 0;
    for (const std::string& alias : aliases) {
      const std::string norm = core::normalize_alias(alias);
      if (norm.empty()) continue;  // would never match a lookup
      (*st)->bind(1, core::value(idx));
      (*st)->bind(2, std::string_view(norm));
      (*st)->bind(3, std::string_view(alias));
      (*st)->bind(4, position);
      auto r = (*st)->run();
      (*st)->reset();
      if (!r) return r.error();
      position += db_.changes();
    }
    return {};
  }

  Result<TripleWriteResult> do_put_triple(const core::TripleInput& t) {
    if (!(t.confidence >= 0.0f && t.confidence <= 1.0f)) {
      return core::invalid_argument("confidence must be between 0 and 1");
    }
    auto out = find_or_insert(t, /*plain=*/false);
    if (!out) return out.error();
    if (auto r = insert_evidence(out->record.id, t.evidence); !r) return r.error();
    return out;
  }

  // The triple of t's key, if one exists: its id, confidence, evidence count and retraction.
  struct KeyMatch {
    std::int64_t id = 0;
    double confidence = 0;
    std::int64_t evidence_count = 0;
    bool retracted = false;
  };
  Result<std::optional<KeyMatch>> find_key(const core::TripleInput& t) {
    auto st = db_.cached(
        "SELECT id, confidence, evidence_count, retracted_at IS NOT NULL FROM triples WHERE key_hash = ?1 "
        "AND date = ?2 AND subject = ?3 AND relation = ?4 AND ifnull(object, 0) = ?5 AND polarity = ?6 "
        "AND instance = ?7");
    if (!st) return st.error();
    const std::int64_t object = t.object ? std::int64_t{core::value(*t.object)} : 0;
    (*st)->bind(1, key_hash(t));
    (*st)->bind(2, t.date.days());
    (*st)->bind(3, core::value(t.subject));
    (*st)->bind(4, relation_id(t.relation));
    (*st)->bind(5, object);
    (*st)->bind(6, static_cast<std::uint8_t>(t.polarity));
    (*st)->bind(7, t.instance);
    auto row = (*st)->step();
    if (!row) return row.error();
    if (!*row) return std::optional<KeyMatch>();
    return std::optional<KeyMatch>(KeyMatch{(*st)->column_int64(0), (*st)->column_double(1), (*st)->column_int64(2),
                                            (*st)->column_int64(3) != 0});
  }

  static std::int64_t key_hash(const core::TripleInput& t) noexcept {
    return triple_key_hash(t.date.days(), core::value(t.subject), relation_id(t.relation),
                           t.object ? std::int64_t{core::value(*t.object)} : 0, static_cast<std::uint8_t>(t.polarity),
                           t.instance);
  }

  // Inserts t as a new triple, or folds it into the triple with its key: one more in the
  // evidence count, confidence = max(old, new), un-retracted. `plain` marks bulk rows, whose
  // statement stays prepared outside the cache. Adds no evidence row.
  Result<TripleWriteResult> find_or_insert(const core::TripleInput& t, bool plain) {
    TripleWriteResult out;
    core::TripleRecord& rec = out.record;
    rec.subject = t.subject;
    rec.relation = t.relation;
    rec.object = t.object;
    rec.date = t.date;
    rec.polarity = t.polarity;
    if (deferred_index_sql_.empty()) {
      auto found = find_key(t);
      if (!found) return found.error();
      if (*found) {
        const KeyMatch& m = **found;
        rec.id = TripleId{m.id};
        rec.confidence = std::max(static_cast<float>(m.confidence), t.confidence);
        rec.evidence_count = static_cast<std::uint32_t>(m.evidence_count + 1);
        rec.retracted = false;
        auto st = db_.cached(
            "UPDATE triples SET confidence = ?2, evidence_count = evidence_count + 1, retracted_at = NULL, "
            "retract_reason = NULL WHERE id = ?1");
        if (!st) return st.error();
        (*st)->bind(1, m.id);
        (*st)->bind(2, static_cast<double>(rec.confidence));
        if (auto r = (*st)->run(); !r) return r.error();
        out.outcome = WriteOutcome::merged;
        out.unretracted = m.retracted;
        return out;
      }
    }
    constexpr std::string_view insert_sql =
        "INSERT INTO triples (subject, relation, object, date, polarity, confidence, evidence_count, instance, "
        "key_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8)";
    std::optional<StatementRef> cached;
    if (plain) {
      if (!bulk_insert_) {
        auto st = db_.prepare(insert_sql);
        if (!st) return st.error();
        bulk_insert_.emplace(std::move(*st));
      }
    } else {
      auto st = db_.cached(insert_sql);
      if (!st) return st.error();
      cached.emplace(std::move(*st));
    }
    Statement& st = plain ? *bulk_insert_ : **cached;
    st.bind(1, core::value(t.subject));
    st.bind(2, relation_id(t.relation));
    if (t.object) {
      st.bind(3, core::value(*t.object));
    } else {
      st.bind(3, nullptr);
    }
    st.bind(4, t.date.days());
    st.bind(5, static_cast<std::uint8_t>(t.polarity));
    st.bind(6, static_cast<double>(t.confidence));
    st.bind(7, t.instance);
    st.bind(8, key_hash(t));
    auto r = st.run();
    const bool foreign_key = !r && st.failed_on_foreign_key();
    st.reset();
    if (!r) {
      if (foreign_key) return explain_missing(t);
      return r.error();
    }
    out.outcome = WriteOutcome::inserted;
    rec.id = TripleId{db_.last_insert_rowid()};
    rec.confidence = t.confidence;
    rec.evidence_count = 1;
    rec.retracted = false;
    return out;
  }

  // A foreign key failed: say which of subject, object and relation does not exist.
  Error explain_missing(const core::TripleInput& t) {
    const auto actor_exists = [&](ActorIdx a) {
      auto st = db_.cached("SELECT 1 FROM actors WHERE id = ?1");
      if (!st) return false;
      (*st)->bind(1, core::value(a));
      auto row = (*st)->step();
      return row && *row;
    };
    if (!actor_exists(t.subject)) return core::not_found("no actor #" + std::to_string(core::value(t.subject)));
    if (t.object && !actor_exists(*t.object)) {
      return core::not_found("no actor #" + std::to_string(core::value(*t.object)));
    }
    return core::not_found("no relation type #" + std::to_string(core::value(t.relation)));
  }

  Result<void> insert_evidence(TripleId triple, const core::EvidenceInput& e) {
    auto source = source_id(e.source);
    if (!source) return source.error();
    std::optional<std::int64_t> dataset;
    if (!e.dataset.empty()) {
      auto d = dataset_id(e.dataset);
      if (!d) return d.error();
      dataset = *d;
    }
    auto st = db_.cached(
        "INSERT INTO evidence (triple, source, document, text, \"start\", \"end\", sentence_index, created_at, "
        "dataset, event_id, attributes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!st) return st.error();
    (*st)->bind(1, core::value(triple));
    (*st)->bind(2, *source);
    (*st)->bind(3, e.document);
    (*st)->bind(4, std::string_view(e.text));
    (*st)->bind(5, e.start);
    (*st)->bind(6, e.end);
    (*st)->bind(7, e.sentence_index);
    (*st)->bind(8, std::string_view(clock_.now()));
    (*st)->bind(9, dataset);
    (*st)->bind(10, null_if_empty(e.event_id));
    (*st)->bind(11, null_if_empty(e.attributes));
    auto r = (*st)->run();
    if (!r && (*st)->failed_on_unique())
      return core::conflict("event " + e.event_id + " of " + e.dataset + " is already stored");
    return r;
  }

  // The datasets row of a dataset name, created on first use.
  Result<std::int64_t> dataset_id(const std::string& name) {
    if (auto it = datasets_.find(name); it != datasets_.end()) return it->second;
    {
      auto st = db_.cached("INSERT INTO datasets (name) VALUES (?1) ON CONFLICT (name) DO NOTHING");
      if (!st) return st.error();
      (*st)->bind(1, std::string_view(name));
      if (auto r = (*st)->run(); !r) return r.error();
    }
    auto st = db_.cached("SELECT id FROM datasets WHERE name = ?1");
    if (!st) return st.error();
    (*st)->bind(1, std::string_view(name));
    auto row = (*st)->step();
    if (!row) return row.error();
    if (!*row) return core::internal_error("dataset " + name + " vanished");
    const auto id = (*st)->column_int64(0);
    datasets_.emplace(name, id);
    return id;
  }

  // The sources row for `s`: shared by url (a later writer fills in fields the first left
  // empty), a new row when there is no url, none when `s` is empty.
  Result<std::optional<std::int64_t>> source_id(const core::Source& s) {
    if (s.empty()) return std::optional<std::int64_t>();
    if (s.url.empty()) {
      auto st = db_.cached("INSERT INTO sources (url, title, publisher, published_at) VALUES (NULL, ?1, ?2, ?3)");
      if (!st) return st.error();
      (*st)->bind(1, std::string_view(s.title));
      (*st)->bind(2, std::string_view(s.publisher));
      (*st)->bind(3, std::string_view(s.published_at));
      if (auto r = (*st)->run(); !r) return r.error();
      return std::optional<std::int64_t>(db_.last_insert_rowid());
    }
    // Bulk loads give many triples of one article in a row; the same input resolves the same way.
    if (last_source_id_ != 0 && same_source(s, last_source_)) return std::optional<std::int64_t>(last_source_id_);
    auto id = shared_source_id(s);
    if (!id) return id.error();
    last_source_ = s;
    last_source_id_ = *id;
    return std::optional<std::int64_t>(*id);
  }

  static bool same_source(const core::Source& a, const core::Source& b) noexcept {
    return a.url == b.url && a.title == b.title && a.publisher == b.publisher && a.published_at == b.published_at;
  }

  Result<std::int64_t> shared_source_id(const core::Source& s) {
    std::int64_t id = 0;
    bool fill = false;
    {
      auto st = db_.cached("SELECT id, title = '', publisher = '', published_at = '' FROM sources WHERE url = ?1");
      if (!st) return st.error();
      (*st)->bind(1, std::string_view(s.url));
      auto row = (*st)->step();
      if (!row) return row.error();
      if (*row) {
        id = (*st)->column_int64(0);
        fill = ((*st)->column_int64(1) != 0 && !s.title.empty()) ||
               ((*st)->column_int64(2) != 0 && !s.publisher.empty()) ||
               ((*st)->column_int64(3) != 0 && !s.published_at.empty());
      }
    }
    if (id != 0 && !fill) return id;
    auto st = id == 0 ? db_.cached("INSERT INTO sources (url, title, publisher, published_at) VALUES (?1, ?2, ?3, ?4)")
                      : db_.cached(
                            "UPDATE sources SET title = iif(title = '', ?2, title), "
                            "publisher = iif(publisher = '', ?3, publisher), "
                            "published_at = iif(published_at = '', ?4, published_at) WHERE url = ?1");
    if (!st) return st.error();
    (*st)->bind(1, std::string_view(s.url));
    (*st)->bind(2, std::string_view(s.title));
    (*st)->bind(3, std::string_view(s.publisher));
    (*st)->bind(4, std::string_view(s.published_at));
    if (auto r = (*st)->run(); !r) return r.error();
    return id != 0 ? id : db_.last_insert_rowid();
  }

  Result<core::TripleRecord> do_retract_triple(TripleId id, std::string_view reason) {
    {
      auto st = db_.cached(
          "UPDATE triples SET retracted_at = ?2, retract_reason = ?3 WHERE id = ?1 AND retracted_at IS NULL");
      if (!st) return st.error();
      (*st)->bind(1, core::value(id));
      (*st)->bind(2, std::string_view(clock_.now()));
      (*st)->bind(3, reason);
      if (auto r = (*st)->run(); !r) return r.error();
    }
    return load_triple(db_, id);
  }

  Result<void> do_insert_relation_types(const std::vector<core::RelationType>& types) {
    auto st = db_.cached(
        "INSERT INTO relation_types (code, slug, name, root, quad_class, goldstein, plover) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!st) return st.error();
    for (const core::RelationType& t : types) {
      if (t.code.empty() || t.slug.empty()) return core::invalid_argument("a relation type needs a code and a slug");
      (*st)->bind(1, std::string_view(t.code));
      (*st)->bind(2, std::string_view(t.slug));
      (*st)->bind(3, std::string_view(t.name));
      (*st)->bind(4, std::string_view(t.root));
      (*st)->bind(5, t.quad_class);
      (*st)->bind(6, t.goldstein);
      (*st)->bind(7, null_if_empty(t.plover));
      auto r = (*st)->run();
      const bool duplicate = (*st)->failed_on_unique();
      (*st)->reset();
      if (!r) {
        if (duplicate) return core::conflict("relation type " + t.code + " (" + t.slug + ") already exists");
        return r.error();
      }
      if (db_.last_insert_rowid() > max_relation_id) return core::invalid_argument("too many relation types");
    }
    return {};
  }

  Result<TripleWriteResult> do_bulk_put_triple(const core::TripleInput& t) {
    if (!(t.confidence >= 0.0f && t.confidence <= 1.0f)) {
      return core::invalid_argument("confidence must be between 0 and 1");
    }
    if (static_cast<unsigned>(t.polarity) > 2) return core::invalid_argument("polarity must be 0, 1 or 2");
    auto out = find_or_insert(t, /*plain=*/true);
    if (!out) return out.error();
    if (!t.evidence.empty())
      if (auto e = insert_evidence(out->record.id, t.evidence); !e) return e.error();
    return out;
  }

  static constexpr std::size_t multi_rows = 256;  // rows per multi-row INSERT (8 parameters each)

  // Rows without evidence. While the key index is deferred every row is new: one multi-row
  // INSERT, whose new rowids are the table's largest + 1, in order. Otherwise each row looks for
  // its key first (a bulk load into a table that has rows).
  Result<void> put_run(std::span<const core::TripleInput> ts, std::vector<TripleWriteResult>& out) {
    for (const auto& t : ts) {
      if (!(t.confidence >= 0.0f && t.confidence <= 1.0f)) return core::invalid_argument("confidence must be between 0 and 1");
      if (static_cast<unsigned>(t.polarity) > 2) return core::invalid_argument("polarity must be 0, 1 or 2");
    }
    if (deferred_index_sql_.empty()) {
      for (const auto& t : ts) {
        auto r = find_or_insert(t, /*plain=*/true);
        if (!r) return r.error();
        out.push_back(std::move(*r));
      }
      return {};
    }
    std::int64_t before = 0;
    {
      auto st = db_.cached("SELECT ifnull(max(id), 0) FROM triples");
      if (!st) return st.error();
      auto row = (*st)->step();
      if (!row) return row.error();
      before = (*st)->column_int64(0);
    }
    auto& slot = multi_[ts.size()];
    if (!slot) {
      // OR IGNORE: a statement that can never abort half-way needs no statement journal (which
      // spills every page it touches to a temporary file). The values were checked above and no
      // unique index is left on the table, so no row is skipped (checked below).
      std::string sql =
          "INSERT OR IGNORE INTO triples (subject, relation, object, date, polarity, confidence, evidence_count, "
          "instance, key_hash) VALUES ";
      for (std::size_t k = 0; k < ts.size(); ++k) sql += k ? ",(?,?,?,?,?,?,1,?,?)" : "(?,?,?,?,?,?,1,?,?)";
      auto st = db_.prepare(sql);
      if (!st) return st.error();
      slot = std::make_unique<Statement>(std::move(*st));
    }
    Statement& st = *slot;
    int p = 1;
    for (const auto& t : ts) {
      st.bind(p++, core::value(t.subject));
      st.bind(p++, relation_id(t.relation));
      if (t.object) {
        st.bind(p++, core::value(*t.object));
      } else {
        st.bind(p++, nullptr);
      }
      st.bind(p++, t.date.days());
      st.bind(p++, static_cast<std::uint8_t>(t.polarity));
      st.bind(p++, static_cast<double>(t.confidence));
      st.bind(p++, t.instance);
      st.bind(p++, key_hash(t));
    }
    auto r = st.run();
    st.reset();
    if (!r) return r.error();
    if (const auto n = static_cast<std::size_t>(db_.changes()); n != ts.size())
      return core::internal_error("a multi-row insert wrote " + std::to_string(n) + " of " + std::to_string(ts.size()) +
                                  " rows");
    for (std::size_t k = 0; k < ts.size(); ++k) {
      const auto& t = ts[k];
      TripleWriteResult w;
      w.record = {TripleId{before + 1 + static_cast<std::int64_t>(k)}, t.subject, t.relation, t.object, t.date,
                  t.polarity, t.confidence, 1, false};
      out.push_back(std::move(w));
    }
    return {};
  }

  Database& db_;
  UtcClock clock_;
  std::unordered_map<std::size_t, std::unique_ptr<Statement>> multi_;
  core::Source last_source_;
  std::int64_t last_source_id_ = 0;
  std::unordered_map<std::string, std::int64_t> datasets_;
  std::string deferred_index_sql_;
  std::optional<Statement> bulk_insert_;
  std::optional<std::int64_t> own_cache_;  // the connection's cache_size, while widen_cache() is in effect
};

// ---- Store ----

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<Database> writer, std::vector<std::unique_ptr<Database>> readers,
              const MigrationReport& report)
      : writer_(std::move(writer)),
        readers_(std::move(readers)),
        created_(report.from == 0 && report.applied > 0),
        version_(report.to) {
    idle_.reserve(readers_.size());
    for (auto& r : readers_) idle_.push_back(r.get());
  }

  ~SqliteStore() override {
    // Readers first: the writer, closing last, checkpoints and removes the WAL file.
    idle_.clear();
    readers_.clear();
  }

  bool created() const noexcept override { return created_; }
  int schema_version() const noexcept override { return version_; }
  const std::string& path() const noexcept override { return writer_->path(); }

  Result<std::vector<core::RelationType>> relation_types() override {
    return read("relation_types", [&](Database& db) -> Result<std::vector<core::RelationType>> {
      auto st = db.cached(
          "SELECT code, slug, name, root, quad_class, goldstein, plover FROM relation_types ORDER BY id");
      if (!st) return st.error();
      std::vector<core::RelationType> out;
      for (;;) {
        auto row = (*st)->step();
        if (!row) return row.error();
        if (!*row) break;
        core::RelationType& t = out.emplace_back();
        t.code = (*st)->column_text(0);
        t.slug = (*st)->column_text(1);
        t.name = (*st)->column_text(2);
        t.root = (*st)->column_text(3);
        t.quad_class = static_cast<core::QuadClass>((*st)->column_int64(4));
        t.goldstein = (*st)->column_double(5);
        t.plover = (*st)->column_text(6);
      }
      return out;
    });
  }

  Result<void> for_each_actor(const std::function<void(ActorIdx, core::Actor&&)>& fn) override {
    return read("for_each_actor", [&](Database& db) -> Result<void> {
      auto actors = db.cached("SELECT id, key, name, type, country FROM actors ORDER BY id");
      if (!actors) return actors.error();
      auto aliases = db.cached("SELECT actor, alias FROM actor_aliases ORDER BY actor, position");
      if (!aliases) return aliases.error();
      Statement& a = **actors;
      Statement& al = **aliases;
      auto alias_row = al.step();
      if (!alias_row) return alias_row.error();
      for (;;) {
        auto row = a.step();
        if (!row) return row.error();
        if (!*row) return {};
        const std::int64_t id = a.column_int64(0);
        core::Actor actor;
        actor.id = a.column_text(1);
        actor.name = a.column_text(2);
        auto type = decode_actor_type(actor.id, a.column_text(3));
        if (!type) return type.error();
        actor.type = *type;
        actor.country = a.column_text(4);
        // Both statements are ordered by actor: merge the alias rows in.
        while (*alias_row && al.column_int64(0) <= id) {
          if (al.column_int64(0) == id) actor.aliases.emplace_back(al.column_text(1));
          alias_row = al.step();
          if (!alias_row) return alias_row.error();
        }
        fn(ActorIdx{static_cast<std::uint32_t>(id)}, std::move(actor));
      }
    });
  }

  Result<void> for_each_triple(const std::function<void(const core::TripleRecord&)>& fn) override {
    return read("for_each_triple", [&](Database& db) -> Result<void> {
      static const std::string sql = "SELECT " + std::string(triple_columns) + " FROM triples ORDER BY id";
      auto st = db.cached(sql);
      if (!st) return st.error();
      core::TripleRecord rec;
      for (;;) {
        auto row = (*st)->step();
        if (!row) return row.error();
        if (!*row) return {};
        decode_triple(**st, rec);
        fn(rec);
      }
    });
  }

  Result<void> for_each_triple_between(TripleId first, TripleId last,
                                       const std::function<void(const core::TripleRecord&)>& fn) override {
    return read("for_each_triple_between", [&](Database& db) -> Result<void> {
      static const std::string sql =
          "SELECT " + std::string(triple_columns) + " FROM triples WHERE id BETWEEN ?1 AND ?2 ORDER BY id";
      auto st = db.cached(sql);
      if (!st) return st.error();
      (*st)->bind(1, core::value(first));
      (*st)->bind(2, core::value(last));
      core::TripleRecord rec;
      for (;;) {
        auto row = (*st)->step();
        if (!row) return row.error();
        if (!*row) return {};
        decode_triple(**st, rec);
        fn(rec);
      }
    });
  }

  void release_memory() noexcept override {
    {
      const std::lock_guard lock(pool_mutex_);
      for (Database* db : idle_) db->release_memory();
    }
    if (write_owner_.load() == std::this_thread::get_id()) return;
    const std::lock_guard lock(write_mutex_);
    writer_->release_memory();
  }

  Result<std::int64_t> max_triple_id() override {
    return read("max_triple_id", [&](Database& db) -> Result<std::int64_t> {
      auto st = db.cached("SELECT ifnull(max(id), 0) FROM triples");
      if (!st) return st.error();
      auto row = (*st)->step();
      if (!row) return row.error();
      return (*st)->column_int64(0);
    });
  }

  static constexpr const char* evidence_select =
      "SELECT e.id, e.triple, e.text, e.\"start\", e.\"end\", e.document, e.sentence_index, e.created_at, "
      "s.url, s.title, s.publisher, s.published_at, d.name, e.event_id, e.attributes "
      "FROM evidence AS e LEFT JOIN sources AS s ON s.id = e.source LEFT JOIN datasets AS d ON d.id = e.dataset ";

  static void decode_evidence(const Statement& s, core::EvidenceRecord& e) {
    e.id = s.column_int64(0);
    e.triple = static_cast<TripleId>(s.column_int64(1));
    e.text = s.column_text(2);
    e.start = s.column_optional_int64(3);
    e.end = s.column_optional_int64(4);
    e.document = s.column_optional_int64(5);
    e.sentence_index = static_cast<std::int32_t>(s.column_int64(6));
    e.created_at = s.column_text(7);
    e.source.url = s.column_text(8);
    e.source.title = s.column_text(9);
    e.source.publisher = s.column_text(10);
    e.source.published_at = s.column_text(11);
    e.dataset = s.column_text(12);
    e.event_id = s.column_text(13);
    e.attributes = s.column_text(14);
  }

  Result<std::vector<core::EvidenceRecord>> evidence_of(TripleId id, std::size_t limit) override {
    return read("evidence_of", [&](Database& db) -> Result<std::vector<core::EvidenceRecord>> {
      std::vector<core::EvidenceRecord> out;
      if (limit == 0) return out;
      auto st = db.cached(std::string(evidence_select) + "WHERE e.triple = ?1 ORDER BY e.id LIMIT ?2");
      if (!st) return st.error();
      (*st)->bind(1, core::value(id));
      (*st)->bind(2, static_cast<std::int64_t>(
                         std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max())));
      for (;;) {
        auto row = (*st)->step();
        if (!row) return row.error();
        if (!*row) return out;
        decode_evidence(**st, out.emplace_back());
      }
    });
  }

  Result<void> for_each_evidence(const std::function<void(const core::EvidenceRecord&)>& fn) override {
    return read("for_each_evidence", [&](Database& db) -> Result<void> {
      auto st = db.cached(std::string(evidence_select) + "ORDER BY e.triple, e.id");
      if (!st) return st.error();
      core::EvidenceRecord e;
      for (;;) {
        auto row = (*st)->step();
        if (!row) return row.error();
        if (!*row) return {};
        decode_evidence(**st, e);
        fn(e);
      }
    });
  }

  Result<std::optional<std::pair<std::string, std::string>>> retraction_of(TripleId id) override {
    using Out = std::optional<std::pair<std::string, std::string>>;
    return read("retraction_of", [&](Database& db) -> Result<Out> {
      auto st = db.cached("SELECT retracted_at, retract_reason FROM triples WHERE id = ?1");
      if (!st) return st.error();
      (*st)->bind(1, core::value(id));
      auto row = (*st)->step();
      if (!row) return row.error();
      if (!*row) return core::not_found("no triple " + std::to_string(core::value(id)));
      if ((*st)->column_is_null(0)) return Out();
      return Out(std::in_place, std::string((*st)->column_text(1)), std::string((*st)->column_text(0)));
    });
  }

  Result<Counts> counts() override {
    return read("counts", [&](Database& db) -> Result<Counts> {
      auto st = db.cached(
          "SELECT (SELECT count(*) FROM actors), (SELECT count(*) FROM triples), (SELECT count(*) FROM evidence), "
          "(SELECT count(*) FROM documents)");
      if (!st) return st.error();
      auto row = (*st)->step();
      if (!row) return row.error();
      if (!*row) return core::internal_error("no row");
      Counts c;
      c.actors = (*st)->column_int64(0);
      c.triples = (*st)->column_int64(1);
      c.evidence = (*st)->column_int64(2);
      c.documents = (*st)->column_int64(3);
      return c;
    });
  }

  Result<std::optional<ActorIdx>> find_actor(std::string_view id) override {
    return read("find_actor", [&](Database& db) { return lookup_actor(db, id); });
  }

  Result<std::optional<std::int64_t>> find_document(std::string_view url, std::string_view text) override {
    return read("find_document", [&](Database& db) { return lookup_document(db, url, text); });
  }

  static void decode_document(const Statement& s, core::DocumentRecord& d, bool with_text) {
    d.id = s.column_int64(0);
    d.url = s.column_text(1);
    d.title = s.column_text(2);
    d.publisher = s.column_text(3);
    d.published_at = s.column_text(4);
    d.date = core::Date::from_days(static_cast<std::int32_t>(s.column_int64(5)));
    d.length = s.column_int64(6);
    d.created_at = s.column_text(7);
    if (with_text) d.text = s.column_text(8);
  }

  Result<core::DocumentRecord> document(std::int64_t id) override {
    return read("document", [&](Database& db) -> Result<core::DocumentRecord> {
      auto st = db.cached(
          "SELECT id, url, title, publisher, published_at, date, length(CAST(text AS BLOB)), created_at, text "
          "FROM documents WHERE id = ?1");
      if (!st) return st.error();
      (*st)->bind(1, id);
      auto row = (*st)->step();
      if (!row) return row.error();
      if (!*row) return core::not_found("no document with id " + std::to_string(id));
      core::DocumentRecord d;
      decode_document(**st, d, true);
      return d;
    });
  }

  Result<std::vector<core::DocumentRecord>> documents(const DocumentQuery& q) override {
    return read("documents", [&](Database& db) -> Result<std::vector<core::DocumentRecord>> {
      auto st = db.cached(
          "SELECT id, url, title, publisher, published_at, date, length(CAST(text AS BLOB)), created_at FROM documents "
          "WHERE date BETWEEN ?1 AND ?2 AND (?3 = '' OR publisher = ?3) AND id < ?4 ORDER BY id DESC LIMIT ?5");
      if (!st) return st.error();
      (*st)->bind(1, static_cast<std::int64_t>(q.since ? q.since->days() : INT32_MIN));
      (*st)->bind(2, static_cast<std::int64_t>(q.until ? q.until->days() : INT32_MAX));
      (*st)->bind(3, std::string_view(q.publisher));
      (*st)->bind(4, q.before_id.value_or(std::numeric_limits<std::int64_t>::max()));
      (*st)->bind(5, static_cast<std::int64_t>(std::min<std::size_t>(q.limit, 100000)));
      std::vector<core::DocumentRecord> out;
      for (;;) {
        auto row = (*st)->step();
        if (!row) return row.error();
        if (!*row) return out;
        decode_document(**st, out.emplace_back(), false);
      }
    });
  }

  Result<std::vector<core::EvidenceRecord>> evidence_of_document(std::int64_t id) override {
    return read("evidence_of_document", [&](Database& db) -> Result<std::vector<core::EvidenceRecord>> {
      auto st = db.cached(std::string(evidence_select) + "WHERE e.document = ?1 ORDER BY e.id");
      if (!st) return st.error();
      (*st)->bind(1, id);
      std::vector<core::EvidenceRecord> out;
      for (;;) {
        auto row = (*st)->step();
        if (!row) return row.error();
        if (!*row) return out;
        decode_evidence(**st, out.emplace_back());
      }
    });
  }

  Result<core::Actor> actor(ActorIdx idx) override {
    return read("actor", [&](Database& db) { return load_actor(db, idx); });
  }

  Result<std::vector<ActorIdx>> actors_by_alias(std::string_view alias) override {
    return read("actors_by_alias", [&](Database& db) -> Result<std::vector<ActorIdx>> {
      std::vector<ActorIdx> out;
      const std::string norm = core::normalize_alias(alias);
      if (norm.empty()) return out;
      auto st = db.cached("SELECT actor FROM actor_aliases WHERE norm = ?1 ORDER BY actor");
      if (!st) return st.error();
      (*st)->bind(1, std::string_view(norm));
      for (;;) {
        auto row = (*st)->step();
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back(ActorIdx{static_cast<std::uint32_t>((*st)->column_int64(0))});
      }
    });
  }

  Result<core::TripleRecord> triple(TripleId id) override {
    return read("triple", [&](Database& db) { return load_triple(db, id); });
  }

 protected:
  Result<void> write_unchecked(const std::function<Result<void>(Writer&)>& body) override {
    return write_impl(body, false);
  }

  Result<void> write_impl(const std::function<Result<void>(Writer&)>& body) override { return write_impl(body, true); }

  Result<void> write_impl(const std::function<Result<void>(Writer&)>& body, bool foreign_keys) {
    if (write_owner_.load() == std::this_thread::get_id()) {
      return core::internal_error("write: Store::write called inside a write body");
    }
    std::unique_lock lock(write_mutex_, std::defer_lock);
    // The pragma is a no-op inside a transaction: it is switched just around it (restored after
    // the transaction has ended, whatever the outcome).
    struct ForeignKeys {
      Database& db;
      bool off = false;
      ~ForeignKeys() {
        if (off) (void)db.exec("PRAGMA foreign_keys = ON");
      }
    } fk{*writer_};
    auto begun = guarded("write", [&]() -> Result<Transaction> {
      lock.lock();
      if (!foreign_keys) {
        if (auto r = writer_->exec("PRAGMA foreign_keys = OFF"); !r) return r.error();
        fk.off = true;
      }
      return Transaction::begin(*writer_, Transaction::Kind::immediate);
    });
    if (!begun) return with_context("write", std::move(begun).error());
    Transaction tx = std::move(*begun);
    const OwnerMark mark(write_owner_);
    SqliteWriter writer(*writer_);
    // An exception from the body propagates; ~Transaction rolls back.
    auto r = body(writer);
    if (!r) return r;
    return guarded("write", [&]() -> Result<void> {
      if (auto c = tx.commit(); !c) return with_context("write", std::move(c).error());
      return {};
    });
  }

 private:
  struct OwnerMark {
    explicit OwnerMark(std::atomic<std::thread::id>& o) noexcept : owner(o) { owner.store(std::this_thread::get_id()); }
    ~OwnerMark() { owner.store(std::thread::id()); }
    OwnerMark(const OwnerMark&) = delete;
    OwnerMark& operator=(const OwnerMark&) = delete;
    std::atomic<std::thread::id>& owner;
  };

  // Runs `f` on a reader connection: one from the pool, or the writer connection (under the
  // write lock) when there is no pool.
  template <class F>
  auto read(std::string_view operation, F&& f) noexcept -> decltype(f(std::declval<Database&>())) {
    using R = decltype(f(std::declval<Database&>()));
    return guarded(operation, [&]() -> R {
      R r = readers_.empty() ? read_on_writer(operation, f) : read_on_pool(f);
      if (!r) return with_context(operation, std::move(r).error());
      return r;
    });
  }

  template <class F>
  auto read_on_writer(std::string_view operation, F& f) -> decltype(f(std::declval<Database&>())) {
    if (write_owner_.load() == std::this_thread::get_id()) {
      return core::internal_error(std::string(operation) + " called inside a write body of an in-memory store");
    }
    const std::lock_guard lock(write_mutex_);
    return f(*writer_);
  }

  template <class F>
  auto read_on_pool(F& f) -> decltype(f(std::declval<Database&>())) {
    Database* db = nullptr;
    {
      std::unique_lock lock(pool_mutex_);
      pool_cv_.wait(lock, [&] { return !idle_.empty(); });
      db = idle_.back();
      idle_.pop_back();
    }
    struct Return {
      SqliteStore& store;
      Database* db;
      ~Return() {
        {
          const std::lock_guard lock(store.pool_mutex_);
          store.idle_.push_back(db);  // capacity reserved: no allocation
        }
        store.pool_cv_.notify_one();
      }
    } give_back{*this, db};
    return f(*db);
  }

  std::unique_ptr<Database> writer_;
  std::mutex write_mutex_;
  std::atomic<std::thread::id> write_owner_{};
  std::vector<std::unique_ptr<Database>> readers_;
  std::vector<Database*> idle_;
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  bool created_;
  int version_;
};

Result<std::unique_ptr<Store>> open_store(const OpenOptions& options) {
  if (options.path.empty()) return core::invalid_argument("a database path (or :memory:) is required");
  if (options.readers < 0) return core::invalid_argument("readers must not be negative");
  if (options.busy_timeout_ms < 0) return core::invalid_argument("busy_timeout_ms must not be negative");
  if (options.cache_kib <= 0) return core::invalid_argument("cache_kib must be positive");
  if (options.mmap_mib < 0 || options.mmap_mib > (std::int64_t{1} << 30)) {
    return core::invalid_argument("mmap_mib must be between 0 and 2^30");
  }
  const bool in_memory = options.path == memory_path;
  const ConnectionSettings settings{options.busy_timeout_ms, options.cache_kib, options.mmap_mib};

  auto writer = Database::open(options.path, Database::Mode::read_write_create);
  if (!writer) return writer.error();
  (*writer)->set_busy_timeout(settings.busy_timeout_ms);
  // Migrations first: they refuse a newer database before anything (even WAL) touches it.
  auto report = migrate(**writer);
  if (!report) return report.error();
  if (auto r = configure_writer(**writer, settings, in_memory); !r) return r.error();

  std::vector<std::unique_ptr<Database>> readers;
  if (!in_memory) {
    readers.reserve(static_cast<std::size_t>(options.readers));
    for (int i = 0; i < options.readers; ++i) {
      auto reader = Database::open(options.path, Database::Mode::read_only);
      if (!reader) return reader.error();
      if (auto r = configure_reader(**reader, settings); !r) return r.error();
      readers.push_back(std::move(*reader));
    }
  }
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(*writer), std::move(readers), *report));
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(const OpenOptions& options) {
  return guarded("open " + options.path, [&]() -> Result<std::unique_ptr<Store>> {
    auto r = open_store(options);
    if (!r) return with_context("open " + options.path, std::move(r).error());
    return r;
  });
}

}  // namespace geokg::storage
