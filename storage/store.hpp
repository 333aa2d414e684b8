#pragma once

#include "core/error.hpp"
#include "core/model.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace geokg::storage {

struct OpenOptions {
  std::string path;            // a file path, or ":memory:" (then one connection, no reader pool)
  int busy_timeout_ms = 5000;  // how long a connection waits for a lock before SQLITE_BUSY
  std::int64_t cache_kib = 65536;  // page cache of each connection
  int readers = 4;             // read-only connections in the pool (WAL lets them run beside the writer)
  std::int64_t mmap_mib = 0;   // readers memory-map up to this much of the file (0 = off); scans run ~20% faster
};

enum class WriteOutcome : std::uint8_t { inserted, merged };

// What writing one triple did, and the triple's state after the write.
struct TripleWriteResult {
  WriteOutcome outcome = WriteOutcome::inserted;
  bool unretracted = false;  // the triple was retracted and this assertion brought it back
  core::TripleRecord record;
};

struct DocumentQuery {
  std::optional<core::Date> since, until;  // publication day, inclusive
  std::string publisher;                   // exact; empty = any
  std::optional<std::int64_t> before_id;   // keyset: ids strictly lower
  std::size_t limit = 100;
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
  // conflict when an actor with this id exists; invalid_argument for an empty id. Aliases are
  // stored in the given order with their normalized form; one whose normalized form repeats an
  // earlier one, or is empty, is not stored.
  virtual core::Result<core::ActorIdx> insert_actor(const core::Actor& actor) = 0;
  // Replaces name, type, country and the alias set of an existing actor (its id stays);
  // not_found if none.
  virtual core::Result<void> update_actor(core::ActorIdx idx, const core::Actor& actor) = 0;
  // Inserts the triple, or when its TripleKey exists merges into it: one more evidence row,
  // confidence = max(old, new), a retracted triple is un-retracted. Always adds one evidence row
  // (the assertion), with its source (sources are shared by url when a url is given; a later
  // assertion fills in source fields the first one left empty). not_found for an unknown
  // subject, object or relation; invalid_argument for a confidence outside [0, 1].
  virtual core::Result<TripleWriteResult> put_triple(const core::TripleInput& triple) = 0;
  // Marks a triple retracted with the reason and the current time; not_found if no such id.
  // Retracting a retracted triple keeps the first retraction.
  virtual core::Result<core::TripleRecord> retract_triple(core::TripleId id, std::string_view reason) = 0;
  // Appends types with the next ids; conflict when a code or slug exists.
  virtual core::Result<void> insert_relation_types(const std::vector<core::RelationType>& types) = 0;
  // Stores a document (its id is ignored) and returns the new id; conflict when a document with
  // the same url or the same text exists.
  virtual core::Result<std::int64_t> insert_document(const core::DocumentRecord& document) = 0;
  // The idx of the actor with this public id, seeing this transaction's own writes.
  virtual core::Result<std::optional<core::ActorIdx>> find_actor(std::string_view id) = 0;

  // Bulk imports. As put_triple, with two differences: an assertion whose evidence is empty
  // (no text, source, document or dataset event) stores no evidence row (it is still counted
  // in evidence_count), and the statements stay prepared from one call to the next.
  virtual core::Result<TripleWriteResult> bulk_put_triple(const core::TripleInput& triple) = 0;
  // bulk_put_triple for many triples at once, in order, with one statement per few hundred rows;
  // `out` gets one result per input. Inputs with evidence are written one by one.
  virtual core::Result<void> bulk_put_triples(std::span<const core::TripleInput> triples,
                                              std::vector<TripleWriteResult>& out) = 0;
  // Whether an evidence row of this dataset event exists (this transaction's writes included).
  virtual core::Result<bool> has_event(std::string_view dataset, std::string_view event_id) = 0;
  // Loading into an empty triples table: drops the index on the triple key (true) so that rows
  // go in at the speed of appends; until rebuild_triple_index() duplicate keys are not detected
  // (every row written, by put_triple too, is a new triple): the caller folds them itself, with
  // add_evidence() and set_triple_tally(). False, and nothing changes, when the table has rows. Both are undone if
  // the transaction rolls back.
  virtual core::Result<bool> defer_triple_index() = 0;
  // Adds an evidence row to a triple (as bulk_put_triple does for a merged assertion, without
  // touching the triple); conflict when the dataset event is stored already.
  virtual core::Result<void> add_evidence(core::TripleId triple, const core::EvidenceInput& evidence) = 0;
  // Sets a triple's evidence count and confidence.
  virtual core::Result<void> set_triple_tally(core::TripleId triple, std::uint32_t evidence_count,
                                              float confidence) = 0;
  // Builds the index dropped by defer_triple_index() (a sort instead of millions of inserts).
  virtual core::Result<void> rebuild_triple_index() = 0;
  // Lets the writer connection's page cache grow to `kib` for the rest of this transaction; its own
  // size comes back when the transaction ends. For a bulk load into a table that has rows, which
  // looks up and inserts keys all over the key index.
  virtual core::Result<void> widen_cache(std::int64_t kib) = 0;
};

// SQLite, the source of truth. One writer connection (writes are serialized), a pool of
// reader connections. Thread-safe: any method may be called from any thread; reads run beside a
// write and see the last committed state (a ":memory:" store has one connection: reads wait for
// writes, and a read inside a write body is an internal error instead of a deadlock).
// Errors: internal for SQLite failures (the detail says what failed), not_found/conflict as documented.
// Exceptions never escape, except from a write body; one thrown by a for_each callback ends the
// scan and is returned as internal.
class Store {
 public:
  static core::Result<std::unique_ptr<Store>> open(const OpenOptions& options);
  virtual ~Store() = default;

  // True when open() created the schema in a new (empty) database.
  virtual bool created() const noexcept = 0;
  virtual int schema_version() const noexcept = 0;
  virtual const std::string& path() const noexcept = 0;

  // Runs `body` in one IMMEDIATE transaction: committed when it returns a value, rolled back
  // when it returns an error or throws (the exception propagates). Calling write() from inside
  // a body is an internal error.
  template <class T>
  core::Result<T> write(const std::function<core::Result<T>(Writer&)>& body);
  // As write<void>, with SQLite's foreign-key checks off for this transaction: for bulk imports,
  // whose every reference the caller has resolved itself (the checks cost more than the inserts).
  virtual core::Result<void> write_unchecked(const std::function<core::Result<void>(Writer&)>& body) = 0;

  // Relation types ordered by id; RelationIdx = position in this list.
  virtual core::Result<std::vector<core::RelationType>> relation_types() = 0;
  // Every actor, ordered by idx.
  virtual core::Result<void> for_each_actor(const std::function<void(core::ActorIdx, core::Actor&&)>& fn) = 0;
  // Every triple (retracted ones too), ordered by id; used to build the graph at start-up.
  virtual core::Result<void> for_each_triple(const std::function<void(const core::TripleRecord&)>& fn) = 0;
  // The triples with first <= id <= last, ordered by id; several ranges may be read at once
  // from different threads (each on its own reader connection).
  virtual core::Result<void> for_each_triple_between(core::TripleId first, core::TripleId last,
                                                     const std::function<void(const core::TripleRecord&)>& fn) = 0;
  // Gives back the page caches of idle connections (after a scan of everything, at start-up).
  virtual void release_memory() noexcept = 0;
  // The highest triple id; 0 when there is none.
  virtual core::Result<std::int64_t> max_triple_id() = 0;
  // Evidence rows of a triple, oldest first; at most `limit`; empty for an unknown triple.
  virtual core::Result<std::vector<core::EvidenceRecord>> evidence_of(core::TripleId id, std::size_t limit) = 0;
  // Every evidence row, ordered by (triple, id): exports stream them in this order.
  virtual core::Result<void> for_each_evidence(const std::function<void(const core::EvidenceRecord&)>& fn) = 0;
  // Retraction reason and time (RFC 3339) of a retracted triple; nullopt if not retracted;
  // not_found if no such triple.
  virtual core::Result<std::optional<std::pair<std::string, std::string>>> retraction_of(core::TripleId id) = 0;
  virtual core::Result<Counts> counts() = 0;
  // The id of a stored document with this url (when not empty) or exactly this text.
  virtual core::Result<std::optional<std::int64_t>> find_document(std::string_view url, std::string_view text) = 0;
  // One document with its text; not_found if none.
  virtual core::Result<core::DocumentRecord> document(std::int64_t id) = 0;
  // Documents newest id first, without their text.
  virtual core::Result<std::vector<core::DocumentRecord>> documents(const DocumentQuery& query) = 0;
  // Evidence rows extracted from a document, in id order.
  virtual core::Result<std::vector<core::EvidenceRecord>> evidence_of_document(std::int64_t id) = 0;
  // The idx of the actor with this public id; nullopt if none.
  virtual core::Result<std::optional<core::ActorIdx>> find_actor(std::string_view id) = 0;
  // One actor with its aliases; not_found if none.
  virtual core::Result<core::Actor> actor(core::ActorIdx idx) = 0;
  // Actors having an alias equal to `alias` after core::normalize_alias, ordered by idx.
  virtual core::Result<std::vector<core::ActorIdx>> actors_by_alias(std::string_view alias) = 0;
  // One triple; not_found if none.
  virtual core::Result<core::TripleRecord> triple(core::TripleId id) = 0;

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
