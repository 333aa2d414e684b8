#pragma once

#include "core/error.hpp"
#include "engine/engine.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string_view>
#include <vector>

namespace geokg::engine {

// The project's triple exchange format, shared by POST /v1/triples rows, JSONL and CSV imports,
// and the demo data: {"subject","relation","object","date","polarity"?,"confidence"?,
// "source"?: {"url","title","publisher","published_at"}, "evidence"?: {"text","start"?,"end"?}}.

// Checks the JSON shape of one row (types, required and unknown members). Problems are appended
// to `errors` with `index`; returns false when any was found.
bool decode_triple_spec(const nlohmann::ordered_json& row, std::int64_t index, TripleSpec& out,
                        std::vector<core::ErrorItem>& errors);

// The header of a CSV triple file: which column holds which field. Unknown columns are errors;
// subject, relation, object and date are required.
struct CsvLayout {
  int subject = -1, relation = -1, object = -1, date = -1, polarity = -1, confidence = -1;
  int source_url = -1, source_title = -1, source_publisher = -1, published_at = -1, evidence = -1;
  std::size_t columns = 0;
};
core::Result<CsvLayout> parse_csv_header(const std::vector<std::string>& header);
bool decode_csv_triple(const CsvLayout& layout, const std::vector<std::string>& fields, std::int64_t index,
                       TripleSpec& out, std::vector<core::ErrorItem>& errors);

// RFC 4180 fields of one CSV record starting at `pos` (quoted fields may span lines);
// advances `pos` past the record. Returns false on an unterminated quote.
bool read_csv_record(std::string_view text, std::size_t& pos, std::vector<std::string>& fields);

}  // namespace geokg::engine
