#pragma once

#include "core/error.hpp"
#include "core/model.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace geokg::storage {

struct OpenOptions {
  std::string path;            // a file path, or ":memory:" (then one connection, no reader pool)
  int busy_timeout_ms = 5000;  // how long a connection waits for a lock before SQLITE_BUSY
  std::int64_t cache_kib = 65536;
  int readers = 4;             // read-only connections in the pool (WAL lets them run beside the writer)
};

enum class WriteOutcome : std::uint8_t { inserted, merged };

// What writing one triple did, and the triple's state after the write.
struct TripleWriteResult {
  WriteOutcome outcome = WriteOutcome::inserted;
  bool unretracted = false;  // the triple was retracted and this assertion brought it back
  core::TripleRecord record;
};

struct Counts {
  std::int64_t actors = 0;
  std::int64_t triples = 0;
  std::int64_t evidence = 0;
  std::int64_t documents = 0;
};

// Valid only inside Store::write; every call runs in that one transaction.
class Writer {
 public:
  virtual ~Writer() = default;
  // conflict when an actor with this id exists. Aliases are stored with their normalized form.
  virtual core::Result<core::ActorIdx> insert_actor(const core::Actor& actor) = 0;
  // Replaces name, type, country and the alias set of an existing actor; not_found if none.
  virtual core::Result<void> update_actor(core::ActorIdx idx, const core::Actor& actor) = 0;
  // Inserts the triple, or when its TripleKey exists merges into it: one more evidence row,
  // confidence = max(old, new), a retracted triple is un-retracted. Always adds one evidence row
  // (the assertion), with its source (sources are shared by url when a url is given).
  virtual core::Result<TripleWriteResult> put_triple(const core::TripleInput& triple) = 0;
  // Marks a triple retracted with the reason and the current time; not_found if no such id.
  // Retracting a retracted triple keeps the first retraction.
  virtual core::Result<core::TripleRecord> retract_triple(core::TripleId id, std::string_view reason) = 0;
  virtual core::Result<void> insert_relation_types(const std::vector<core::RelationType>& types) = 0;
};

// SQLite, the source of truth. One writer connection (writes are serialized), a pool of
// reader connections. Thread-safe: any method may be called from any thread.
// Errors: internal for SQLite failures (the detail says what failed), not_found/conflict as documented.
class Store {
 public:
  static core::Result<std::unique_ptr<Store>> open(const OpenOptions& options);
  virtual ~Store() = default;

  // True when open() created the schema in a new (empty) database.
  virtual bool created() const noexcept = 0;
  virtual int schema_version() const noexcept = 0;
  virtual const std::string& path() const noexcept = 0;

  // Runs `body` in one IMMEDIATE transaction: committed when it returns a value, rolled back
  // when it returns an error or throws (the exception propagates).
  template <class T>
  core::Result<T> write(const std::function<core::Result<T>(Writer&)>& body);

  // Relation types ordered by id; RelationIdx = position in this list.
  virtual core::Result<std::vector<core::RelationType>> relation_types() = 0;
  // Every actor, ordered by idx.
  virtual core::Result<void> for_each_actor(const std::function<void(core::ActorIdx, core::Actor&&)>& fn) = 0;
  // Every triple (retracted ones too), ordered by id; used to build the graph at start-up.
  virtual core::Result<void> for_each_triple(const std::function<void(const core::TripleRecord&)>& fn) = 0;
  // Evidence rows of a triple, oldest first; at most `limit`.
  virtual core::Result<std::vector<core::EvidenceRecord>> evidence_of(core::TripleId id, std::size_t limit) = 0;
  // Retraction reason and time (RFC 3339) of a retracted triple; nullopt if not retracted.
  virtual core::Result<std::optional<std::pair<std::string, std::string>>> retraction_of(core::TripleId id) = 0;
  virtual core::Result<Counts> counts() = 0;

 protected:
  virtual core::Result<void> write_impl(const std::function<core::Result<void>(Writer&)>& body) = 0;
};

template <class T>
core::Result<T> Store::write(const std::function<core::Result<T>(Writer&)>& body) {
  std::optional<T> out;
  auto r = write_impl([&](Writer& w) -> core::Result<void> {
    auto v = body(w);
    if (!v) return v.error();
    out.emplace(std::move(*v));
    return {};
  });
  if (!r) return r.error();
  return std::move(*out);
}

template <>
inline core::Result<void> Store::write<void>(const std::function<core::Result<void>(Writer&)>& body) {
  return write_impl(body);
}

}  // namespace geokg::storage
