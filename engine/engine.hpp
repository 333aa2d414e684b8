#pragma once

#include "core/error.hpp"
#include "core/model.hpp"
#include "core/relation_catalog.hpp"
#include "graph/relation_graph.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace geokg::ingest {
class Source;
}

namespace geokg::engine {

class ActorDirectory;
struct ImportOptions;
struct ImportHooks;
struct ImportSummary;

struct Options {
  std::string db_path;     // a file, or ":memory:"
  bool demo = false;       // load the demo triples when the database holds no triples
  int readers = 4;         // SQLite reader connections
};

// One row of a triple batch as the client wrote it (JSON shape already checked by the caller).
struct TripleSpec {
  std::string subject;
  std::string relation;
  std::optional<std::string> object;  // nullopt or empty: no target
  std::string date;
  std::string polarity = "asserted";
  double confidence = 1.0;
  core::Source source;
  std::string evidence_text;
  std::optional<std::int64_t> evidence_start;
  std::optional<std::int64_t> evidence_end;
};

struct InsertResult {
  std::size_t inserted = 0;
  std::size_t merged = 0;
  std::vector<core::TripleId> ids;  // one per input row, in order
  std::vector<std::string> created_actors;
};

struct ActorView {
  core::ActorIdx idx{};
  core::Actor actor;
  std::string resolved_from;  // the text that was looked up, when it was not the canonical id
};

struct ActorSpec {
  std::string id, name, type, country;
  std::vector<std::string> aliases;
};

struct ActorPatch {
  std::optional<std::string> name, type, country;
  std::vector<std::string> add_aliases, remove_aliases;
};

struct ActorListQuery {
  std::string q;
  std::optional<core::ActorType> type;
  std::string country;
  std::size_t limit = 100;
  std::string after_id;  // keyset: ids strictly greater
};

struct ActorPage {
  std::vector<core::Actor> items;
  bool more = false;
};

struct ResolveItem {
  core::Actor actor;
  std::string matched_alias;
  bool exact = false;
};

// Filters shared by triple listings and relation aggregates, unresolved.
struct FilterSpec {
  std::vector<std::string> relations;  // codes or slugs
  std::vector<std::string> roots;      // "07"
  std::vector<int> quad_classes;       // 1..4
  std::vector<std::string> polarities; // default: asserted
  std::optional<core::Date> since, until;
  double min_confidence = 0.0;
  bool include_retracted = false;
};

struct TripleListQuery {
  std::string actor, subject, object;  // ids or aliases; empty = any
  FilterSpec filter;
  std::size_t limit = 100;
  std::optional<graph::TriplePosition> after;
};

struct TriplePage {
  std::vector<core::TripleRecord> items;
  bool more = false;
};

struct RetractionInfo {
  std::string reason;
  std::string at;
};

struct TripleDetail {
  core::TripleRecord triple;
  std::vector<core::EvidenceRecord> evidence;
  std::optional<RetractionInfo> retraction;
};

struct RelationsQuery {
  std::string actor;
  graph::Direction direction = graph::Direction::both;
  FilterSpec filter;
  std::size_t limit = 100;
  std::size_t offset = 0;
};

struct RelationsPage {
  core::Actor actor;
  std::vector<graph::RelationAggregate> items;
  bool more = false;
};

struct Status {
  std::size_t actors = 0, triples = 0;
  std::int64_t documents = 0, evidence = 0;
  double uptime_s = 0.0;
  std::uint64_t graph_version = 0;
};

// A consistent read view: the graph and the actors at one version.
struct View {
  graph::Snapshot graph;
  std::shared_ptr<const ActorDirectory> actors;
};

// The use cases of geokg over SQLite (source of truth) and the in-memory graph.
// Thread-safe: reads run concurrently on snapshots; writes are serialized, committed to SQLite,
// then published to the graph (readers see a write whole or not at all).
// Errors: invalid_argument (malformed values), unprocessable (well-formed but unknown actor,
// relation...; per-row `items` for batches), not_found, conflict, internal.
class Engine {
 public:
  static core::Result<std::unique_ptr<Engine>> open(const Options& options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  View view() const;
  const core::RelationCatalog& relations() const noexcept;
  Status status() const;

  core::Result<ActorView> actor(std::string_view id_or_alias) const;
  core::Result<ActorPage> list_actors(const ActorListQuery& q) const;
  std::vector<ResolveItem> resolve(std::string_view name, std::size_t limit) const;
  core::Result<TriplePage> list_triples(const TripleListQuery& q) const;
  core::Result<TripleDetail> triple(core::TripleId id, std::size_t evidence_limit) const;
  core::Result<RelationsPage> actor_relations(const RelationsQuery& q) const;
  // Resolves a FilterSpec against the catalog (unknown relation/root -> invalid_argument naming it).
  core::Result<graph::TripleFilter> make_filter(const FilterSpec& f) const;

  core::Result<InsertResult> add_triples(const std::vector<TripleSpec>& rows, bool create_actors);
  // An import: the actors (created when new, updated to the given state when they exist), then
  // the triples, which may name those actors; one transaction, all or nothing. Actor problems
  // are items with index -1 and field "actors[k]".
  core::Result<InsertResult> import_batch(const std::vector<ActorSpec>& actors, const std::vector<TripleSpec>& rows);
  // A bulk import streamed from `input` (engine/import.hpp): one transaction, then one graph
  // version. Bad rows go to hooks.reject; with options.strict any bad row makes it unprocessable
  // and nothing is written. Dataset events already imported are skipped. Actor problems are
  // unprocessable whatever the mode (items with index -1, field "actors[k]").
  core::Result<ImportSummary> import(ingest::Source& input, const ImportOptions& options, const ImportHooks& hooks);
  // Streams the triples matching the filter (retracted ones never), one call per evidence
  // record, ordered by triple id then evidence id: the order an import reproduces.
  core::Result<void> export_triples(
      const TripleListQuery& query,
      const std::function<void(const core::TripleRecord&, const core::EvidenceRecord&)>& fn) const;
  core::Result<ActorView> create_actor(const ActorSpec& spec);
  core::Result<ActorView> patch_actor(std::string_view id_or_alias, const ActorPatch& patch);
  core::Result<void> retract_triple(core::TripleId id, const std::string& reason);

 private:
  struct Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  core::Result<InsertResult> write_batch(const std::vector<TripleSpec>& rows, bool create_actors,
                                         const std::vector<ActorSpec>& actor_specs);
  std::unique_ptr<Impl> impl_;
};

}  // namespace geokg::engine
