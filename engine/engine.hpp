#pragma once

#include "core/error.hpp"
#include "core/model.hpp"
#include "core/relation_catalog.hpp"
#include "graph/analytics.hpp"
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
  std::vector<std::string> actor_dictionaries;  // extra extraction dictionaries (TSV or PETRARCH/TABARI files)
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

// ---- documents (text in, evidence-backed triples out) ----

struct DocumentInput {
  std::string text;
  std::string title, url, publisher;
  std::string published_at;  // YYYY-MM-DD or RFC 3339; anchors relative dates in the text
};

// A triple extracted from a document, with where the document says it.
struct DocumentTriple {
  core::TripleRecord triple;
  core::EvidenceRecord evidence;  // sentence, sentence_index, start/end (code points)
};

struct DocumentResult {
  core::DocumentRecord document;
  bool created = false;  // false: the same url or text was stored before; nothing was added
  std::vector<DocumentTriple> triples;
  std::vector<std::string> created_actors;
};

struct DocumentListQuery {
  std::optional<core::Date> since, until;
  std::string publisher;
  std::optional<std::int64_t> before_id;
  std::size_t limit = 100;
};

struct DocumentPage {
  std::vector<core::DocumentRecord> items;
  bool more = false;
};

// The extraction dictionaries in use.
struct DictionaryStatus {
  std::vector<std::string> files;  // user dictionaries (Options::actor_dictionaries), in load order
  std::size_t actors = 0, phrases = 0, patterns = 0, relation_codes = 0;
  double load_ms = 0.0;
  std::string loaded_at;  // RFC 3339, UTC
};

struct Status {
  std::size_t actors = 0, triples = 0;
  std::int64_t documents = 0, evidence = 0;
  std::int64_t extraction_us = 0;  // total time spent coding documents
  double uptime_s = 0.0;
  std::uint64_t graph_version = 0;
};

// A consistent read view: the graph and the actors at one version.
struct View {
  graph::Snapshot graph;
  std::shared_ptr<const ActorDirectory> actors;
};

// ---- graph queries and analytics (engine/analytics.cpp) ----
// Results carry the View they were computed on, so that names match the actor indexes.

// The filters every analytics query takes, unresolved: the triple filters, min_count (a dyad
// counts when at least this many triples support it) and rollup to countries.
struct GraphFilterSpec {
  FilterSpec filter;
  std::uint32_t min_count = 1;
  bool rollup = false;
};

struct PathsQuery {
  std::string source, target;  // ids or aliases
  std::size_t max_hops = 3;    // 1..6
  std::size_t k = 3;           // 1..20
  bool directed = false;
  std::vector<std::string> exclude;
  GraphFilterSpec filter;
};

struct PathsResult {
  View view;
  core::ActorIdx source{}, target{};  // nodes (countries with rollup)
  std::vector<graph::Path> paths;
};

struct SubgraphQuery {
  std::vector<std::string> seeds;  // 1..50 ids or aliases
  unsigned hops = 1;               // 1..3
  std::size_t max_nodes = 500;     // 1..5000, at least the number of seeds
  std::size_t max_edges = 5000;    // 0..50000
  GraphFilterSpec filter;
};

struct SubgraphResult {
  View view;
  std::vector<core::ActorIdx> seeds;  // nodes
  graph::Ego ego;
};

struct DyadTimelineQuery {
  std::string a, b;  // ids or aliases
  graph::Bucket bucket = graph::Bucket::month;
  graph::Direction direction = graph::Direction::both;  // out: a -> b, in: b -> a
  GraphFilterSpec filter;
};

struct DyadTimelineResult {
  View view;
  core::ActorIdx a{}, b{};  // nodes
  graph::Timeline timeline;
};

struct PartnersQuery {
  std::string actor;
  GraphFilterSpec filter;
  std::size_t limit = 100;
  std::size_t offset = 0;
};

struct PartnersResult {
  View view;
  core::ActorIdx actor{};  // node
  std::vector<graph::Partner> items;
  std::size_t total = 0;
  bool more = false;
};

struct CentralityRequest {
  graph::Centrality metric = graph::Centrality::degree;
  std::optional<core::ActorType> type;  // rank only nodes of this type
  std::size_t limit = 100;
  std::size_t samples = 0;  // betweenness; 0 = exact when small, else sampled
  double damping = 0.85;
  GraphFilterSpec filter;
};

struct CentralityItem {
  core::ActorIdx actor{};
  double score = 0.0;
  std::size_t rank = 0;  // 1-based; equal scores share a rank
};

struct CentralityAnswer {
  View view;
  std::vector<CentralityItem> items;
  std::size_t ranked = 0;  // nodes of the requested type
  graph::CentralityResult info;  // nodes, edges, exact, samples, iterations (scores moved out)
};

struct CommunitiesRequest {
  graph::CommunityAlgorithm algorithm = graph::CommunityAlgorithm::louvain;
  double resolution = 1.0;  // (0, 100]
  GraphFilterSpec filter;
};

struct CommunitiesAnswer {
  View view;
  graph::CommunityResult result;
};

// What an export streams from: the view and the resolved filter.
struct ExportPlan {
  View view;
  graph::GraphFilter filter;
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

  // ---- graph queries and analytics (engine/analytics.cpp) ----
  // Errors: invalid_argument naming the parameter (bad filter, source = target, too many
  // buckets...), not_found for unknown actors (naming the parameter when it is one).
  core::Result<graph::GraphFilter> make_graph_filter(const GraphFilterSpec& f) const;
  core::Result<PathsResult> paths(const PathsQuery& q) const;
  core::Result<SubgraphResult> subgraph(const SubgraphQuery& q) const;
  core::Result<DyadTimelineResult> dyad_timeline(const DyadTimelineQuery& q) const;
  core::Result<PartnersResult> partners(const PartnersQuery& q) const;
  core::Result<CentralityAnswer> centrality(const CentralityRequest& q) const;
  core::Result<CommunitiesAnswer> communities(const CommunitiesRequest& q) const;
  core::Result<ExportPlan> export_plan(const GraphFilterSpec& f) const;

  // Stores a document and the triples the extractor codes from it, in one transaction; the same
  // url or the same text again returns the stored document (created = false). Extraction runs
  // before the write lock is taken. invalid_argument for an empty text or a bad published_at.
  core::Result<DocumentResult> add_document(const DocumentInput& input);
  core::Result<DocumentResult> document(std::int64_t id) const;
  core::Result<DocumentPage> list_documents(const DocumentListQuery& q) const;

  // Loads the extraction dictionaries again (the embedded ones, and the user files of
  // Options::actor_dictionaries read from disk anew) and swaps them in for the documents that follow;
  // documents being coded finish with the old ones. On any error (a missing file, a bad line: the
  // error names the file and the line) the dictionaries in use stay.
  core::Result<DictionaryStatus> reload_dictionaries();
  // The dictionaries in use, loading them if no document has needed them yet.
  core::Result<DictionaryStatus> dictionaries();

 private:
  struct Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  core::Result<InsertResult> write_batch(const std::vector<TripleSpec>& rows, bool create_actors,
                                         const std::vector<ActorSpec>& actor_specs);
  std::unique_ptr<Impl> impl_;
};

}  // namespace geokg::engine
