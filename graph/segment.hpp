#pragma once

// Internal to graph/: the columnar triple store and its per-actor indexes.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace geokg::graph::detail {

inline constexpr std::uint8_t row_retracted = 1;
inline constexpr std::uint8_t row_hole = 2;  // an id with no triple behind it (never shown)

// One triple; 24 bytes. Its global index is id - 1.
struct Row {
  std::uint32_t subject = 0;
  std::uint32_t object = 0;  // 0 = none
  std::int32_t date = 0;
  float confidence = 0.0f;
  std::uint32_t evidence_count = 0;
  std::uint16_t relation = 0;
  std::uint8_t polarity = 0;
  std::uint8_t flags = 0;
};

// One end of a triple, filed under the actor at that end; 16 bytes. Carries what filters need,
// so that scans rarely touch the rows.
struct Incident {
  std::int32_t date = 0;
  std::uint32_t triple = 0;  // global index
  std::uint32_t other = 0;   // the actor at the other end; 0 = none
  std::uint16_t relation = 0;
  std::uint8_t dir = 0;      // 1: this actor is the subject, 2: the object, 3: both (self-loop)
  std::uint8_t bits = 0;     // polarity in bits 0-1, Row::flags shifted left by 2 (at build time)
  std::uint8_t polarity() const noexcept { return bits & 3u; }
  std::uint8_t flags() const noexcept { return static_cast<std::uint8_t>(bits >> 2); }
};
static_assert(sizeof(Incident) == 16);
static_assert(sizeof(Row) == 24);

// Triples [first, first + rows.size()) with an index per actor. Immutable once built.
struct Segment {
  std::uint32_t first = 0;
  std::vector<Row> rows;
  std::vector<std::uint32_t> offsets;   // actor a's incidents: [offsets[a], offsets[a+1])
  std::vector<Incident> incidents;      // per actor, sorted by (date, triple)
  std::vector<std::uint32_t> by_other;  // per actor range, incident positions sorted by (other, date, triple)
  std::vector<std::uint32_t> by_date;   // row positions sorted by (date, triple)
  std::size_t live = 0;                 // rows neither retracted nor holes

  std::uint32_t end() const noexcept { return first + static_cast<std::uint32_t>(rows.size()); }
  std::size_t degree(std::uint32_t actor) const noexcept {
    return actor + 1 < offsets.size() ? offsets[actor + 1] - offsets[actor] : 0;
  }
  std::span<const Incident> incidents_of(std::uint32_t actor) const noexcept {
    if (actor + 1 >= offsets.size()) return {};
    return {incidents.data() + offsets[actor], offsets[actor + 1] - offsets[actor]};
  }
  std::span<const std::uint32_t> by_other_of(std::uint32_t actor) const noexcept {
    if (actor + 1 >= offsets.size()) return {};
    return {by_other.data() + offsets[actor], offsets[actor + 1] - offsets[actor]};
  }
  std::size_t memory_bytes() const noexcept;
};

std::shared_ptr<const Segment> build_segment(std::uint32_t first, std::vector<Row> rows);

}  // namespace geokg::graph::detail
