#include "engine/triple_loader.hpp"

#include "core/memory.hpp"

#include <thread>

namespace geokg::engine {

namespace {
constexpr std::int64_t parallel_from = 1 << 20;  // fewer triples are read on one connection
}  // namespace

core::Result<std::vector<core::TripleRecord>> load_all_triples(storage::Store& store, std::int64_t& assertions) {
  assertions = 0;
  std::vector<core::TripleRecord> out;
  auto max_id = store.max_triple_id();
  if (!max_id) return max_id.error();
  const std::int64_t n = *max_id;
  const std::int64_t mid = n >= parallel_from ? n / 2 : n;
  out.reserve(static_cast<std::size_t>(n));  // the second half is appended: no reallocation
  core::advise_huge_pages(out);
  std::vector<core::TripleRecord> second;
  std::int64_t second_assertions = 0;
  core::Result<void> second_result;
  std::thread helper;
  if (mid < n) {
    second.reserve(static_cast<std::size_t>(n - mid));
    helper = std::thread([&] {
      second_result = store.for_each_triple_between(
          core::TripleId{mid + 1}, core::TripleId{n}, [&](const core::TripleRecord& t) {
            second.push_back(t);
            second_assertions += t.evidence_count;
          });
    });
  }
  auto first = store.for_each_triple_between(core::TripleId{1}, core::TripleId{mid}, [&](const core::TripleRecord& t) {
    out.push_back(t);
    assertions += t.evidence_count;
  });
  if (helper.joinable()) helper.join();
  if (!first) return first.error();
  if (!second_result) return second_result.error();
  out.insert(out.end(), second.begin(), second.end());
  assertions += second_assertions;
  store.release_memory();  // the scan filled the readers' page caches with pages queries rarely need
  return out;
}

}  // namespace geokg::engine
