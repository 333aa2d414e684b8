#pragma once

// The fuzz targets: each takes arbitrary bytes and must neither crash, leak, hang nor trip a
// sanitizer. libFuzzer drives them (fuzz/main.cpp, GEOKG_FUZZ=ON); the test suite replays their
// seed corpora and every crash found so far (fuzz/corpus, fuzz/regressions) with any compiler.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace geokg::fuzz {

using Target = int (*)(const std::uint8_t* data, std::size_t size);

// Raw bytes parsed as an HTTP/1.1 request (Beast, with the server's limits), then admitted and
// dispatched through the real API over an in-memory database.
int http_request(const std::uint8_t* data, std::size_t size);
// A request target through QueryParams and every typed accessor, the filter parser and cursors.
int query_params(const std::uint8_t* data, std::size_t size);
// A JSON body through api::json_body and the triple decoder (engine/triple_spec).
int triple_json(const std::uint8_t* data, std::size_t size);
// A CSV triple file through the record reader, the header parser and the row decoder.
int triple_csv(const std::uint8_t* data, std::size_t size);
// Article text through the event coder (extract/coder.hpp).
int extract(const std::uint8_t* data, std::size_t size);
// Dataset files through ingest::Source (plain or gzip) and the event parsers: GDELT 1.0 and 2.0
// (every line through both), ICEWS (header, then records), PLOVER (records split from JSON).
int gdelt(const std::uint8_t* data, std::size_t size);
int icews(const std::uint8_t* data, std::size_t size);
int plover(const std::uint8_t* data, std::size_t size);

struct NamedTarget {
  std::string_view name;
  Target fn;
};
inline constexpr NamedTarget all_targets[] = {
    {"http_request", http_request}, {"query_params", query_params}, {"triple_json", triple_json},
    {"triple_csv", triple_csv},     {"extract", extract},         {"gdelt", gdelt},
    {"icews", icews},               {"plover", plover},
};

}  // namespace geokg::fuzz
