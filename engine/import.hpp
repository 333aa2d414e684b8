#pragma once

// Bulk imports (Engine::import): the project's own triple files and the event datasets, streamed
// from an ingest::Source into one SQLite transaction, then published to the graph as one version.

#include "engine/engine.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace geokg::engine {

enum class ImportFormat : std::uint8_t { jsonl, csv, gdelt1, gdelt2, icews, plover };
std::optional<ImportFormat> parse_import_format(std::string_view name);
std::string_view to_string(ImportFormat f) noexcept;
// jsonl and csv are all or nothing unless told otherwise; the dataset formats keep the good rows.
bool strict_by_default(ImportFormat f) noexcept;

struct ImportOptions {
  ImportFormat format = ImportFormat::jsonl;
  bool strict = true;        // one bad row: nothing is written
  bool one_a_day = false;    // datasets: fold events with the same (subject, relation, object, date)
  std::vector<ActorSpec> actors;  // jsonl/csv: actors defined (or brought to this state) first
};

// A row that was not imported: where it is and why.
struct ImportRejection {
  std::int64_t line = 0;
  std::string column;  // field or column name; empty when about the whole row
  std::string reason;
};

struct ImportProgress {
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;        // of the input consumed (compressed bytes for gzip)
  std::uint64_t total_bytes = 0;  // 0 when unknown (a pipe)
  double seconds = 0;
};

// Called from one thread at a time, not necessarily the caller's (CSV is parsed on a helper thread).
struct ImportHooks {
  std::function<void(const ImportRejection&)> reject;      // every rejected row, in file order
  std::function<void(const ImportProgress&)> progress;     // now and then, and once at the end
};

struct ImportSummary {
  std::uint64_t rows = 0;        // records read (headers and blank lines not counted)
  std::uint64_t inserted = 0;    // new triples
  std::uint64_t merged = 0;      // assertions folded into an existing triple (one more evidence)
  std::uint64_t duplicates = 0;  // dataset events imported before, skipped
  std::uint64_t rejected = 0;
  std::uint64_t actors_created = 0;
  std::uint64_t actors_updated = 0;
  double seconds = 0;
};

// Engine::import of a file held in memory (gzip is detected); for the HTTP API.
core::Result<ImportSummary> import_bytes(Engine& engine, std::string bytes, const ImportOptions& options,
                                         const ImportHooks& hooks);

}  // namespace geokg::engine
