#include "graph/segment.hpp"

#include <algorithm>
#include <numeric>

namespace geokg::graph::detail {

std::size_t Segment::memory_bytes() const noexcept {
  return rows.capacity() * sizeof(Row) + offsets.capacity() * sizeof(std::uint32_t) +
         incidents.capacity() * sizeof(Incident) + by_other.capacity() * sizeof(std::uint32_t) +
         by_date.capacity() * sizeof(std::uint32_t);
}

std::shared_ptr<const Segment> build_segment(std::uint32_t first, std::vector<Row> rows) {
  auto seg = std::make_shared<Segment>();
  seg->first = first;
  seg->rows = std::move(rows);
  const auto& r = seg->rows;

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

  seg->incidents.resize(off.back());
  std::vector<std::uint32_t> cursor(off.begin(), off.end() - 1);
  for (std::uint32_t i = 0; i < r.size(); ++i) {
    const Row& row = r[i];
    if (row.flags & row_hole) continue;
    const auto bits = static_cast<std::uint8_t>((row.polarity & 3u) | (row.flags << 2));
    const std::uint32_t t = first + i;
    const bool self = row.object == row.subject;
    seg->incidents[cursor[row.subject]++] =
        Incident{row.date, t, self ? row.subject : row.object, row.relation,
                 static_cast<std::uint8_t>(self ? 3 : 1), bits};
    if (row.object != 0 && !self)
      seg->incidents[cursor[row.object]++] = Incident{row.date, t, row.subject, row.relation, 2, bits};
    if ((row.flags & row_retracted) == 0) ++seg->live;
  }

  // Rows arrive in index order, so each actor's incidents are already ordered by triple:
  // a stable sort by date yields (date, triple); a stable sort of that by other yields
  // (other, date, triple).
  seg->by_other.resize(seg->incidents.size());
  for (std::size_t a = 0; a + 1 < off.size(); ++a) {
    auto* b = seg->incidents.data() + off[a];
    auto* e = seg->incidents.data() + off[a + 1];
    if (e - b > 1 && !std::is_sorted(b, e, [](const Incident& x, const Incident& y) { return x.date < y.date; }))
      std::stable_sort(b, e, [](const Incident& x, const Incident& y) { return x.date < y.date; });
    auto* ob = seg->by_other.data() + off[a];
    auto* oe = seg->by_other.data() + off[a + 1];
    std::iota(ob, oe, off[a]);
    const auto& inc = seg->incidents;
    std::stable_sort(ob, oe, [&inc](std::uint32_t x, std::uint32_t y) { return inc[x].other < inc[y].other; });
  }

  seg->by_date.resize(r.size());
  std::iota(seg->by_date.begin(), seg->by_date.end(), 0u);
  std::stable_sort(seg->by_date.begin(), seg->by_date.end(),
                   [&r](std::uint32_t x, std::uint32_t y) { return r[x].date < r[y].date; });
  return seg;
}

}  // namespace geokg::graph::detail
