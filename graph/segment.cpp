#include "graph/segment.hpp"

#include "core/memory.hpp"

#include <algorithm>
#include <numeric>

namespace geokg::graph::detail {

std::size_t Segment::memory_bytes() const noexcept {
  return rows.capacity() * sizeof(Row) + offsets.capacity() * sizeof(std::uint32_t) +
         incidents.capacity() * sizeof(Incident) + by_other.capacity() * sizeof(std::uint32_t) +
         by_date.capacity() * sizeof(std::uint32_t);
}

// Linear-time build: the rows' date order comes from a counting sort over days, and filling
// each actor's incidents in that order leaves them sorted by (date, triple) with no per-actor
// sort; by_other is a stable counting sort of all incidents by the other actor, distributed back
// to each actor's range. Dates spread wider than the rows fall back to comparison sorts.
std::shared_ptr<const Segment> build_segment(std::uint32_t first, std::vector<Row> rows) {
  auto seg = std::make_shared<Segment>();
  seg->first = first;
  seg->rows = std::move(rows);
  const auto& r = seg->rows;
  const auto n = static_cast<std::uint32_t>(r.size());

  // Rows by (date, triple).
  core::resize_huge(seg->by_date, n);
  std::int32_t lo = INT32_MAX, hi = INT32_MIN;
  for (const Row& row : r) lo = std::min(lo, row.date), hi = std::max(hi, row.date);
  const auto span = n == 0 ? 0 : static_cast<std::uint64_t>(std::int64_t{hi} - lo) + 1;
  if (span > 0 && span <= 4 * std::uint64_t{n} + 4096) {
    std::vector<std::uint32_t> start(span + 1, 0);
    for (const Row& row : r) ++start[static_cast<std::size_t>(std::int64_t{row.date} - lo) + 1];
    std::partial_sum(start.begin(), start.end(), start.begin());
    for (std::uint32_t i = 0; i < n; ++i) seg->by_date[start[static_cast<std::size_t>(std::int64_t{r[i].date} - lo)]++] = i;
  } else {
    std::iota(seg->by_date.begin(), seg->by_date.end(), 0u);
    std::stable_sort(seg->by_date.begin(), seg->by_date.end(),
                     [&r](std::uint32_t x, std::uint32_t y) { return r[x].date < r[y].date; });
  }

  std::uint32_t max_actor = 0;
  for (const Row& row : r) max_actor = std::max({max_actor, row.subject, row.object});
  seg->offsets.assign(static_cast<std::size_t>(max_actor) + 2, 0);
  auto& off = seg->offsets;
  for (const Row& row : r) {
    if (row.flags & row_hole) continue;
    ++off[row.subject + 1];
    if (row.object != 0 && row.object != row.subject) ++off[row.object + 1];
  }
  std::partial_sum(off.begin(), off.end(), off.begin());

  // Incidents, visiting the rows in date order: each actor's come out sorted by (date, triple).
  core::resize_huge(seg->incidents, off.back());
  std::vector<std::uint32_t> owner;
  core::resize_huge(owner, off.back());
  std::vector<std::uint32_t> cursor(off.begin(), off.end() - 1);
  for (const std::uint32_t i : seg->by_date) {
    const Row& row = r[i];
    if (row.flags & row_hole) continue;
    const auto bits = static_cast<std::uint8_t>((row.polarity & 3u) | (row.flags << 2));
    const std::uint32_t t = first + i;
    const bool self = row.object == row.subject;
    owner[cursor[row.subject]] = row.subject;
    seg->incidents[cursor[row.subject]++] =
        Incident{row.date, t, self ? row.subject : row.object, row.relation,
                 static_cast<std::uint8_t>(self ? 3 : 1), bits};
    if (row.object != 0 && !self) {
      owner[cursor[row.object]] = row.object;
      seg->incidents[cursor[row.object]++] = Incident{row.date, t, row.subject, row.relation, 2, bits};
    }
    if ((row.flags & row_retracted) == 0) ++seg->live;
  }

  // by_other: incident positions by (other, date, triple) within each actor.
  const auto& inc = seg->incidents;
  std::vector<std::uint32_t> by_other_all;
  core::resize_huge(by_other_all, inc.size());
  {
    std::vector<std::uint32_t> start(static_cast<std::size_t>(max_actor) + 2, 0);
    for (const Incident& x : inc) ++start[x.other + 1];
    std::partial_sum(start.begin(), start.end(), start.begin());
    for (std::uint32_t p = 0; p < inc.size(); ++p) by_other_all[start[inc[p].other]++] = p;
  }
  core::resize_huge(seg->by_other, inc.size());
  std::copy(off.begin(), off.end() - 1, cursor.begin());
  for (const std::uint32_t p : by_other_all) seg->by_other[cursor[owner[p]]++] = p;
  return seg;
}

}  // namespace geokg::graph::detail
