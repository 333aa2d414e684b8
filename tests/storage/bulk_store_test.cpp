#include "storage/store.hpp"

#include "tests/temp_path.hpp"
#include "tests/test_support.hpp"

using namespace geokg;
using core::ActorIdx;
using core::RelationIdx;
using core::TripleId;

namespace {

core::TripleInput bare(std::uint32_t s, std::uint32_t o, int day, float confidence = 1.0f) {
  core::TripleInput t;
  t.subject = ActorIdx{s};
  t.object = ActorIdx{o};
  t.relation = RelationIdx{0};
  t.date = core::Date::from_days(day);
  t.confidence = confidence;
  return t;
}

}  // namespace

TEST_CASE("bulk writes: many rows per statement, ids in order, existing and repeated keys merge", "[storage]") {
  test::TempPath path;
  storage::OpenOptions o;
  o.path = path.str();
  auto store = storage::Store::open(o);
  REQUIRE(store);
  auto& st = **store;
  REQUIRE(st.write<void>([](storage::Writer& w) -> core::Result<void> {
    if (auto r = w.insert_relation_types({{"072", "provide-military-aid", "Provide military aid", "07", 2, 8.3, "AID"}}); !r)
      return r.error();
    for (const char* id : {"A", "B", "C"}) {
      core::Actor a;
      a.id = id;
      a.name = id;
      if (auto r = w.insert_actor(a); !r) return r.error();
    }
    return {};
  }));

  std::vector<storage::TripleWriteResult> out;
  REQUIRE(st.write_unchecked([&](storage::Writer& w) -> core::Result<void> {
    std::vector<core::TripleInput> first;
    for (int d = 0; d < 600; ++d) first.push_back(bare(1, 2, d));  // more than one statement's rows
    return w.bulk_put_triples(first, out);
  }));
  REQUIRE(out.size() == 600);
  CHECK(out.front().record.id == TripleId{1});
  CHECK(out.back().record.id == TripleId{600});
  CHECK(out[299].outcome == storage::WriteOutcome::inserted);

  // An existing key, a new one, the new one again, one with evidence (written on its own).
  REQUIRE(st.write_unchecked([&](storage::Writer& w) -> core::Result<void> {
    auto with_text = bare(1, 3, 7);
    with_text.evidence.text = "said so";
    std::vector<core::TripleInput> second{bare(1, 2, 5, 0.5f), bare(2, 3, 5), bare(2, 3, 5, 0.25f), with_text};
    return w.bulk_put_triples(second, out);
  }));
  REQUIRE(out.size() == 4);
  CHECK(out[0].outcome == storage::WriteOutcome::merged);
  CHECK(out[0].record.id == TripleId{6});
  CHECK(out[0].record.evidence_count == 2);
  CHECK(out[1].outcome == storage::WriteOutcome::inserted);
  CHECK(out[1].record.id == TripleId{601});
  CHECK(out[2].outcome == storage::WriteOutcome::merged);
  CHECK(out[2].record.id == TripleId{601});
  CHECK(out[3].record.id == TripleId{602});
  CHECK(st.triple(TripleId{601})->evidence_count == 2);
  CHECK(st.evidence_of(TripleId{601}, 10)->empty());  // bare assertions store no evidence row
  CHECK(st.evidence_of(TripleId{602}, 10)->size() == 1);
  CHECK(st.counts()->triples == 602);
  CHECK(*st.max_triple_id() == 602);
  std::size_t n = 0;
  REQUIRE(st.for_each_triple_between(TripleId{599}, TripleId{700}, [&](const core::TripleRecord&) { ++n; }));
  CHECK(n == 4);
}
