#include "graph/segment.hpp"

#include <algorithm>
#include <numeric>
#include <thread>

namespace geokg::graph::detail {

namespace {
constexpr std::size_t parallel_rows = std::size_t{1} << 18;  // smaller segments build on one thread
}  // namespace

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
  // (other, date, triple). Large segments use a second thread: the date order of the rows is
  // built beside the per-actor sorts, which are split in two halves of equal work.
  seg->by_other.resize(seg->incidents.size());
  const auto sort_actors = [&seg, &off](std::size_t from, std::size_t to) {
    for (std::size_t a = from; a < to; ++a) {
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
  };
  const auto sort_dates = [&seg, &r]() {
    seg->by_date.resize(r.size());
    std::int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (const Row& row : r) lo = std::min(lo, row.date), hi = std::max(hi, row.date);
    const auto span = r.empty() ? 0 : static_cast<std::uint64_t>(std::int64_t{hi} - lo) + 1;
    if (span > 0 && span <= 4 * r.size() + 4096) {
      // Counting sort: stable, and linear in rows + days.
      std::vector<std::uint32_t> start(span + 1, 0);
      for (const Row& row : r) ++start[static_cast<std::size_t>(std::int64_t{row.date} - lo) + 1];
      std::partial_sum(start.begin(), start.end(), start.begin());
      for (std::uint32_t i = 0; i < r.size(); ++i)
        seg->by_date[start[static_cast<std::size_t>(std::int64_t{r[i].date} - lo)]++] = i;
    } else {
      std::iota(seg->by_date.begin(), seg->by_date.end(), 0u);
      std::stable_sort(seg->by_date.begin(), seg->by_date.end(),
                       [&r](std::uint32_t x, std::uint32_t y) { return r[x].date < r[y].date; });
    }
  };
  const std::size_t actors = off.size() - 1;
  if (r.size() < parallel_rows) {
    sort_actors(0, actors);
    sort_dates();
  } else {
    // Split the actors where half of the incidents are behind.
    const auto half = off.back() / 2;
    const auto mid = static_cast<std::size_t>(std::upper_bound(off.begin(), off.end(), half) - off.begin());
    const std::size_t split = std::min(actors, mid == 0 ? 0 : mid - 1);
    std::thread helper([&] {
      sort_actors(split, actors);
      sort_dates();
    });
    sort_actors(0, split);
    helper.join();
  }
  return seg;
}

}  // namespace geokg::graph::detail
