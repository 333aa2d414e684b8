#include "storage/store.hpp"

#include "storage/database.hpp"
#include "storage/schema.hpp"
#include "tests/storage/temp_db.hpp"
#include "tests/test_support.hpp"

#include <atomic>
#include <limits>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace geokg;
using namespace geokg::storage;
using core::ActorIdx;
using core::ActorType;
using core::Polarity;
using core::RelationIdx;
using core::Result;
using core::TripleId;

namespace {

std::vector<core::RelationType> sample_relations() {
  return {
      {"072", "provide-military-aid", "Provide military aid", "07", 2, 8.3, "AID"},
      {"0231", "appeal-for-economic-aid", "Appeal for economic aid", "02", 1, 3.4, ""},
      {"190", "use-conventional-military-force-not-specified", "Use conventional military force", "19", 4, -10.0,
       "ASSAULT"},
  };
}

core::Actor make_actor(std::string id, std::string name, ActorType type, std::string country,
                       std::vector<std::string> aliases) {
  core::Actor a;
  a.id = std::move(id);
  a.name = std::move(name);
  a.type = type;
  a.country = std::move(country);
  a.aliases = std::move(aliases);
  return a;
}

core::Date day(int y, unsigned m, unsigned d) { return core::Date::from_ymd(y, m, d).value(); }

core::TripleInput triple(ActorIdx s, std::uint16_t rel, std::optional<ActorIdx> o, core::Date date,
                         float confidence = 1.0f, Polarity p = Polarity::asserted) {
  core::TripleInput t;
  t.subject = s;
  t.relation = RelationIdx{rel};
  t.object = o;
  t.date = date;
  t.polarity = p;
  t.confidence = confidence;
  t.evidence.text = "sentence";
  return t;
}

std::string describe(const core::TripleRecord& r) {
  std::ostringstream out;
  out << core::value(r.id) << ' ' << core::value(r.subject) << ' ' << core::value(r.relation) << ' '
      << (r.object ? std::to_string(core::value(*r.object)) : "-") << ' ' << r.date.to_string() << ' '
      << core::to_string(r.polarity) << ' ' << r.confidence << ' ' << r.evidence_count << ' '
      << (r.retracted ? "retracted" : "live");
  return out.str();
}

std::string describe(const core::EvidenceRecord& e) {
  std::ostringstream out;
  out << e.id << ' ' << core::value(e.triple) << " '" << e.text << "' " << (e.start ? std::to_string(*e.start) : "-")
      << ' ' << (e.end ? std::to_string(*e.end) : "-") << ' ' << (e.document ? std::to_string(*e.document) : "-")
      << ' ' << e.sentence_index << " [" << e.source.url << '|' << e.source.title << '|' << e.source.publisher << '|'
      << e.source.published_at << "] " << e.created_at;
  return out.str();
}

std::string describe(ActorIdx idx, const core::Actor& a) {
  std::string out = std::to_string(core::value(idx)) + ' ' + a.id + " '" + a.name + "' " +
                    std::string(core::to_string(a.type)) + ' ' + a.country + " [";
  for (const auto& alias : a.aliases) out += alias + '|';
  return out + ']';
}

std::vector<std::string> all_triples(Store& store) {
  std::vector<std::string> out;
  REQUIRE(store.for_each_triple([&](const core::TripleRecord& r) { out.push_back(describe(r)); }));
  return out;
}

std::vector<std::string> all_actors(Store& store) {
  std::vector<std::string> out;
  REQUIRE(store.for_each_actor([&](ActorIdx idx, core::Actor&& a) { out.push_back(describe(idx, a)); }));
  return out;
}

// Everything a store holds, as text, for comparing two opens of one file.
std::vector<std::string> snapshot(Store& store) {
  std::vector<std::string> out = all_actors(store);
  auto types = store.relation_types();
  REQUIRE(types);
  for (const auto& t : *types) {
    out.push_back(t.code + ' ' + t.slug + ' ' + t.name + ' ' + t.root + ' ' + std::to_string(t.quad_class) + ' ' +
                  std::to_string(t.goldstein) + ' ' + t.plover);
  }
  std::vector<TripleId> ids;
  REQUIRE(store.for_each_triple([&](const core::TripleRecord& r) {
    out.push_back(describe(r));
    ids.push_back(r.id);
  }));
  for (TripleId id : ids) {
    auto ev = store.evidence_of(id, 1000);
    REQUIRE(ev);
    for (const auto& e : *ev) out.push_back(describe(e));
    auto retraction = store.retraction_of(id);
    REQUIRE(retraction);
    if (*retraction) out.push_back((*retraction)->first + " @ " + (*retraction)->second);
  }
  return out;
}

std::unique_ptr<Store> open_store(const std::string& path, int readers = 2, std::int64_t mmap_mib = 0) {
  OpenOptions options;
  options.path = path;
  options.readers = readers;
  options.mmap_mib = mmap_mib;
  options.cache_kib = 4096;
  auto store = Store::open(options);
  REQUIRE(store);
  return std::move(*store);
}

struct Seeded {
  ActorIdx prk, rus, ukr;
};

// Relation types 0..2 and three actors.
Seeded seed(Store& store) {
  auto r = store.write<Seeded>([](Writer& w) -> Result<Seeded> {
    if (auto t = w.insert_relation_types(sample_relations()); !t) return t.error();
    auto prk = w.insert_actor(make_actor("PRK", "North Korea", ActorType::country, "PRK", {"DPRK", "North Korea"}));
    if (!prk) return prk.error();
    auto rus = w.insert_actor(make_actor("RUS", "Russia", ActorType::country, "RUS", {"Russian Federation"}));
    if (!rus) return rus.error();
    auto ukr = w.insert_actor(make_actor("UKR", "Ukraine", ActorType::country, "UKR", {}));
    if (!ukr) return ukr.error();
    return Seeded{*prk, *rus, *ukr};
  });
  REQUIRE(r);
  return *r;
}

Result<TripleWriteResult> put(Store& store, const core::TripleInput& t) {
  return store.write<TripleWriteResult>([&](Writer& w) { return w.put_triple(t); });
}

Counts counts_of(Store& store) {
  auto c = store.counts();
  REQUIRE(c);
  return *c;
}

std::int64_t sources_rows(const std::string& path) {
  auto db = Database::open(path, Database::Mode::read_only);
  REQUIRE(db);
  auto st = (*db)->prepare("SELECT count(*) FROM sources");
  REQUIRE(st);
  auto row = st->step();
  REQUIRE(row);
  REQUIRE(*row);
  return st->column_int64(0);
}

bool is_rfc3339_utc(const std::string& s) {
  static const std::regex re(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
  return std::regex_match(s, re);
}

}  // namespace

TEST_CASE("open creates the schema in a new file, reopening keeps the data and creates nothing", "[storage]") {
  testing::TempDb file;
  {
    auto store = open_store(file.path());
    CHECK(store->created());
    CHECK(store->schema_version() == latest_schema_version());
    CHECK(store->path() == file.path());
    seed(*store);
  }
  auto store = open_store(file.path());
  CHECK_FALSE(store->created());
  CHECK(store->schema_version() == latest_schema_version());
  CHECK(counts_of(*store).actors == 3);
}

TEST_CASE("open upgrades an older database to the latest schema", "[storage]") {
  testing::TempDb file;
  const auto version_on_disk = [&] {
    auto db = Database::open(file.path(), Database::Mode::read_only);
    REQUIRE(db);
    auto v = user_version(**db);
    REQUIRE(v);
    return *v;
  };
  {
    auto db = Database::open(file.path(), Database::Mode::read_write_create);
    REQUIRE(db);
    REQUIRE(migrate(**db, migrations().first(4)));
  }
  REQUIRE(version_on_disk() == 4);
  auto store = open_store(file.path());
  CHECK_FALSE(store->created());
  CHECK(store->schema_version() == latest_schema_version());
  CHECK(version_on_disk() == latest_schema_version());
}

TEST_CASE("open refuses a database newer than the binary without touching it", "[storage]") {
  testing::TempDb file;
  { open_store(file.path()); }
  {
    auto db = Database::open(file.path(), Database::Mode::read_write_create);
    REQUIRE(db);
    REQUIRE((*db)->exec("PRAGMA user_version = 99"));
  }
  OpenOptions options;
  options.path = file.path();
  auto store = Store::open(options);
  REQUIRE_FALSE(store);
  CHECK(store.error().code == core::ErrorCode::internal);
  CHECK(store.error().detail.find("schema version 99") != std::string::npos);
  auto db = Database::open(file.path(), Database::Mode::read_only);
  REQUIRE(db);
  auto version = user_version(**db);
  REQUIRE(version);
  CHECK(*version == 99);
}

TEST_CASE("open rejects bad options", "[storage]") {
  OpenOptions options;
  CHECK(Store::open(options).error().code == core::ErrorCode::invalid_argument);
  options.path = ":memory:";
  options.readers = -1;
  CHECK(Store::open(options).error().code == core::ErrorCode::invalid_argument);
  options.readers = 1;
  options.cache_kib = 0;
  CHECK(Store::open(options).error().code == core::ErrorCode::invalid_argument);
  options.cache_kib = 1024;
  options.mmap_mib = -1;
  CHECK(Store::open(options).error().code == core::ErrorCode::invalid_argument);
}

TEST_CASE("actors insert, conflict on an existing id, update and keep their aliases", "[storage]") {
  auto store = open_store(":memory:");
  auto idx = store->write<ActorIdx>([](Writer& w) {
    return w.insert_actor(make_actor("PRK", "North Korea", ActorType::country, "PRK",
                                     {"DPRK", "North Korea", "D.P.R.K.", "the People\xE2\x80\x99s Republic", "..."}));
  });
  REQUIRE(idx);
  CHECK(core::value(*idx) == 1);

  auto again = store->write<ActorIdx>(
      [](Writer& w) { return w.insert_actor(make_actor("PRK", "Other", ActorType::other, "", {})); });
  REQUIRE_FALSE(again);
  CHECK(again.error().code == core::ErrorCode::conflict);
  CHECK(again.error().detail.find("'PRK' already exists") != std::string::npos);

  auto empty = store->write<ActorIdx>(
      [](Writer& w) { return w.insert_actor(make_actor("", "Nobody", ActorType::other, "", {})); });
  REQUIRE_FALSE(empty);
  CHECK(empty.error().code == core::ErrorCode::invalid_argument);

  // "D.P.R.K." normalizes like "DPRK" and is stored once; "..." normalizes to nothing.
  auto a = store->actor(*idx);
  REQUIRE(a);
  CHECK(a->id == "PRK");
  CHECK(a->name == "North Korea");
  CHECK(a->type == ActorType::country);
  CHECK(a->country == "PRK");
  CHECK(a->aliases == std::vector<std::string>{"DPRK", "North Korea", "the People\xE2\x80\x99s Republic"});

  auto found = store->find_actor("PRK");
  REQUIRE(found);
  CHECK(*found == std::optional<ActorIdx>(*idx));
  auto missing = store->find_actor("XXX");
  REQUIRE(missing);
  CHECK_FALSE(missing->has_value());

  for (const char* spelling : {"dprk", "D.P.R.K.", "north-korea", "Peoples Republic", "The DPRK"}) {
    auto hits = store->actors_by_alias(spelling);
    REQUIRE(hits);
    CHECK(*hits == std::vector<ActorIdx>{*idx});
  }

  REQUIRE(store->write<void>([&](Writer& w) {
    return w.update_actor(*idx, make_actor("PRK", "Democratic People's Republic of Korea", ActorType::country, "",
                                           {"Pyongyang", "DPRK"}));
  }));
  a = store->actor(*idx);
  REQUIRE(a);
  CHECK(a->name == "Democratic People's Republic of Korea");
  CHECK(a->country.empty());
  CHECK(a->aliases == std::vector<std::string>{"Pyongyang", "DPRK"});
  auto gone = store->actors_by_alias("North Korea");
  REQUIRE(gone);
  CHECK(gone->empty());

  auto unknown = store->write<void>(
      [](Writer& w) { return w.update_actor(ActorIdx{42}, make_actor("X", "X", ActorType::other, "", {})); });
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == core::ErrorCode::not_found);
  CHECK(store->actor(ActorIdx{42}).error().code == core::ErrorCode::not_found);
}

TEST_CASE("an alias shared by several actors finds them all, in idx order", "[storage]") {
  auto store = open_store(":memory:");
  REQUIRE(store->write<void>([](Writer& w) -> Result<void> {
    for (const char* id : {"COD", "COG"}) {
      if (auto r = w.insert_actor(make_actor(id, id, ActorType::country, id, {"Congo"})); !r) return r.error();
    }
    return {};
  }));
  auto hits = store->actors_by_alias("CONGO");
  REQUIRE(hits);
  CHECK(*hits == std::vector<ActorIdx>{ActorIdx{1}, ActorIdx{2}});
  CHECK(all_actors(*store) == std::vector<std::string>{"1 COD 'COD' country COD [Congo|]",
                                                       "2 COG 'COG' country COG [Congo|]"});
}

TEST_CASE("Writer::find_actor sees the transaction's own inserts", "[storage]") {
  auto store = open_store(":memory:");
  auto r = store->write<bool>([](Writer& w) -> Result<bool> {
    auto before = w.find_actor("UKR");
    if (!before) return before.error();
    auto idx = w.insert_actor(make_actor("UKR", "Ukraine", ActorType::country, "UKR", {}));
    if (!idx) return idx.error();
    auto after = w.find_actor("UKR");
    if (!after) return after.error();
    return !before->has_value() && *after == std::optional<ActorIdx>(*idx);
  });
  REQUIRE(r);
  CHECK(*r);
}

TEST_CASE("relation types round trip in insertion order", "[storage]") {
  auto store = open_store(":memory:");
  REQUIRE(store->write<void>([](Writer& w) { return w.insert_relation_types(sample_relations()); }));
  auto types = store->relation_types();
  REQUIRE(types);
  const auto expected = sample_relations();
  REQUIRE(types->size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK((*types)[i].code == expected[i].code);
    CHECK((*types)[i].slug == expected[i].slug);
    CHECK((*types)[i].name == expected[i].name);
    CHECK((*types)[i].root == expected[i].root);
    CHECK((*types)[i].quad_class == expected[i].quad_class);
    CHECK((*types)[i].goldstein == expected[i].goldstein);
    CHECK((*types)[i].plover == expected[i].plover);
  }
  auto dup = store->write<void>([](Writer& w) { return w.insert_relation_types({sample_relations()[1]}); });
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == core::ErrorCode::conflict);
  CHECK(dup.error().detail.find("0231") != std::string::npos);
}

TEST_CASE("put_triple inserts, then merges the same key into one triple", "[storage]") {
  auto store = open_store(":memory:");
  const Seeded a = seed(*store);
  auto first = put(*store, triple(a.prk, 0, a.rus, day(2023, 11, 9), 0.6f));
  REQUIRE(first);
  CHECK(first->outcome == WriteOutcome::inserted);
  CHECK_FALSE(first->unretracted);
  CHECK(describe(first->record) == "1 1 0 2 2023-11-09 asserted 0.6 1 live");

  auto second = put(*store, triple(a.prk, 0, a.rus, day(2023, 11, 9), 0.9f));
  REQUIRE(second);
  CHECK(second->outcome == WriteOutcome::merged);
  CHECK(describe(second->record) == "1 1 0 2 2023-11-09 asserted 0.9 2 live");

  // A lower confidence keeps the maximum.
  auto third = put(*store, triple(a.prk, 0, a.rus, day(2023, 11, 9), 0.3f));
  REQUIRE(third);
  CHECK(describe(third->record) == "1 1 0 2 2023-11-09 asserted 0.9 3 live");

  CHECK(all_triples(*store) == std::vector<std::string>{"1 1 0 2 2023-11-09 asserted 0.9 3 live"});
  auto stored = store->triple(TripleId{1});
  REQUIRE(stored);
  CHECK(describe(*stored) == describe(third->record));
  const Counts c = counts_of(*store);
  CHECK(c.triples == 1);
  CHECK(c.evidence == 3);
}

TEST_CASE("two triples under one key hash: a write merges into the one whose key it has", "[storage]") {
  testing::TempDb file;
  auto store = open_store(file.path());
  const Seeded a = seed(*store);
  auto first = put(*store, triple(a.prk, 0, a.rus, day(2023, 11, 9)));
  auto second = put(*store, triple(a.rus, 0, a.prk, day(2023, 11, 9)));
  REQUIRE(first);
  REQUIRE(second);
  {
    // A collision of the 64-bit hash, made by hand: the first triple files under the second's
    // hash, so a lookup of the second's key meets the first (lower id) first.
    auto db = Database::open(file.path(), Database::Mode::read_write_create);
    REQUIRE(db);
    REQUIRE((*db)->exec("UPDATE triples SET key_hash = (SELECT key_hash FROM triples WHERE id = 2) WHERE id = 1"));
  }
  auto again = put(*store, triple(a.rus, 0, a.prk, day(2023, 11, 9)));
  REQUIRE(again);
  CHECK(again->outcome == WriteOutcome::merged);
  CHECK(again->record.id == second->record.id);
  CHECK(all_triples(*store) == std::vector<std::string>{"1 1 0 2 2023-11-09 asserted 1 1 live",
                                                        "2 2 0 1 2023-11-09 asserted 1 2 live"});
}

TEST_CASE("a missing object deduplicates against a missing object only", "[storage]") {
  auto store = open_store(":memory:");
  const Seeded a = seed(*store);
  auto t1 = put(*store, triple(a.prk, 0, std::nullopt, day(2024, 1, 1)));
  auto t2 = put(*store, triple(a.prk, 0, std::nullopt, day(2024, 1, 1)));
  auto t3 = put(*store, triple(a.prk, 0, a.rus, day(2024, 1, 1)));
  REQUIRE(t1);
  REQUIRE(t2);
  REQUIRE(t3);
  CHECK(t1->outcome == WriteOutcome::inserted);
  CHECK(t2->outcome == WriteOutcome::merged);
  CHECK(t2->record.id == t1->record.id);
  CHECK_FALSE(t2->record.object.has_value());
  CHECK(t3->outcome == WriteOutcome::inserted);
  CHECK(t3->record.id != t1->record.id);
}

TEST_CASE("polarity, date, relation and object are each part of a triple's identity", "[storage]") {
  auto store = open_store(":memory:");
  const Seeded a = seed(*store);
  const auto base = triple(a.prk, 0, a.rus, day(2023, 11, 9));
  REQUIRE(put(*store, base));
  std::vector<core::TripleInput> variants(4, base);
  variants[0].polarity = Polarity::denied;
  variants[1].date = day(2023, 11, 10);
  variants[2].relation = RelationIdx{2};
  variants[3].object = a.ukr;
  for (const auto& v : variants) {
    auto r = put(*store, v);
    REQUIRE(r);
    CHECK(r->outcome == WriteOutcome::inserted);
  }
  auto negated = base;
  negated.polarity = Polarity::negated;
  auto n = put(*store, negated);
  REQUIRE(n);
  CHECK(n->outcome == WriteOutcome::inserted);
  CHECK(n->record.polarity == Polarity::negated);
  CHECK(counts_of(*store).triples == 6);
}

TEST_CASE("a retracted triple is un-retracted by a new assertion", "[storage]") {
  auto store = open_store(":memory:");
  const Seeded a = seed(*store);
  auto t = put(*store, triple(a.prk, 0, a.rus, day(2023, 11, 9), 0.5f));
  REQUIRE(t);
  const TripleId id = t->record.id;

  auto r1 = store->write<core::TripleRecord>([&](Writer& w) { return w.retract_triple(id, "misread source"); });
  REQUIRE(r1);
  CHECK(r1->retracted);
  CHECK(r1->evidence_count == 1);
  auto why = store->retraction_of(id);
  REQUIRE(why);
  REQUIRE(why->has_value());
  CHECK((*why)->first == "misread source");
  CHECK(is_rfc3339_utc((*why)->second));

  // Retracting again keeps the first retraction.
  auto r2 = store->write<core::TripleRecord>([&](Writer& w) { return w.retract_triple(id, "second thoughts"); });
  REQUIRE(r2);
  CHECK(r2->retracted);
  why = store->retraction_of(id);
  REQUIRE(why);
  CHECK((*why)->first == "misread source");
  CHECK(all_triples(*store) == std::vector<std::string>{"1 1 0 2 2023-11-09 asserted 0.5 1 retracted"});

  auto again = put(*store, triple(a.prk, 0, a.rus, day(2023, 11, 9), 0.4f));
  REQUIRE(again);
  CHECK(again->outcome == WriteOutcome::merged);
  CHECK(again->unretracted);
  CHECK(describe(again->record) == "1 1 0 2 2023-11-09 asserted 0.5 2 live");
  why = store->retraction_of(id);
  REQUIRE(why);
  CHECK_FALSE(why->has_value());

  auto unknown = store->write<core::TripleRecord>([](Writer& w) { return w.retract_triple(TripleId{77}, "x"); });
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == core::ErrorCode::not_found);
  CHECK(store->retraction_of(TripleId{77}).error().code == core::ErrorCode::not_found);
  CHECK(store->triple(TripleId{77}).error().code == core::ErrorCode::not_found);
}

TEST_CASE("put_triple refuses unknown actors or relations and bad confidence", "[storage]") {
  auto store = open_store(":memory:");
  const Seeded a = seed(*store);
  auto no_subject = put(*store, triple(ActorIdx{40}, 0, a.rus, day(2023, 1, 1)));
  REQUIRE_FALSE(no_subject);
  CHECK(no_subject.error().code == core::ErrorCode::not_found);
  CHECK(no_subject.error().detail.find("no actor #40") != std::string::npos);

  auto no_object = put(*store, triple(a.prk, 0, ActorIdx{41}, day(2023, 1, 1)));
  REQUIRE_FALSE(no_object);
  CHECK(no_object.error().detail.find("no actor #41") != std::string::npos);

  auto no_relation = put(*store, triple(a.prk, 9, a.rus, day(2023, 1, 1)));
  REQUIRE_FALSE(no_relation);
  CHECK(no_relation.error().code == core::ErrorCode::not_found);
  CHECK(no_relation.error().detail.find("no relation type #9") != std::string::npos);

  for (float bad : {-0.1f, 1.5f, std::numeric_limits<float>::quiet_NaN()}) {
    auto r = put(*store, triple(a.prk, 0, a.rus, day(2023, 1, 1), bad));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == core::ErrorCode::invalid_argument);
  }
  const Counts c = counts_of(*store);
  CHECK(c.triples == 0);
  CHECK(c.evidence == 0);
}

TEST_CASE("write rolls back the whole batch when the body returns an error", "[storage]") {
  auto store = open_store(":memory:");
  REQUIRE(store->write<void>([](Writer& w) { return w.insert_relation_types(sample_relations()); }));
  auto r = store->write<int>([](Writer& w) -> Result<int> {
    auto s = w.insert_actor(make_actor("PRK", "North Korea", ActorType::country, "PRK", {"DPRK"}));
    if (!s) return s.error();
    auto o = w.insert_actor(make_actor("RUS", "Russia", ActorType::country, "RUS", {}));
    if (!o) return o.error();
    auto t = triple(*s, 0, *o, day(2023, 11, 9));
    t.evidence.source.url = "https://example.org/a";
    if (auto p = w.put_triple(t); !p) return p.error();
    return core::unprocessable("row 2 is invalid");
  });
  REQUIRE_FALSE(r);
  CHECK(r.error().code == core::ErrorCode::unprocessable);
  CHECK(r.error().detail == "row 2 is invalid");
  const Counts c = counts_of(*store);
  CHECK(c.actors == 0);
  CHECK(c.triples == 0);
  CHECK(c.evidence == 0);
  auto hits = store->actors_by_alias("DPRK");
  REQUIRE(hits);
  CHECK(hits->empty());
}

TEST_CASE("write rolls back the whole batch when the body throws, and the store stays usable", "[storage]") {
  testing::TempDb file;
  auto store = open_store(file.path());
  const Seeded a = seed(*store);
  CHECK_THROWS_AS(store->write<void>([&](Writer& w) -> Result<void> {
    if (auto r = w.insert_actor(make_actor("USA", "United States", ActorType::country, "USA", {})); !r) {
      return r.error();
    }
    auto t = triple(a.prk, 0, a.rus, day(2023, 11, 9));
    t.evidence.source.url = "https://example.org/thrown";
    if (auto r = w.put_triple(t); !r) return r.error();
    throw std::runtime_error("bug in the body");
  }),
                  std::runtime_error);
  Counts c = counts_of(*store);
  CHECK(c.actors == 3);
  CHECK(c.triples == 0);
  CHECK(c.evidence == 0);
  CHECK(sources_rows(file.path()) == 0);
  auto usa = store->find_actor("USA");
  REQUIRE(usa);
  CHECK_FALSE(usa->has_value());

  // The lock was released, and ids stay dense: the rolled-back triple's id is reused.
  auto t = put(*store, triple(a.prk, 0, a.ukr, day(2023, 11, 9)));
  REQUIRE(t);
  CHECK(core::value(t->record.id) == 1);
}

TEST_CASE("write inside a write body is an error, not a deadlock", "[storage]") {
  auto store = open_store(":memory:");
  auto r = store->write<void>([&](Writer&) -> Result<void> {
    auto inner = store->write<void>([](Writer&) -> Result<void> { return {}; });
    if (inner) return core::internal_error("nested write succeeded");
    auto read = store->counts();
    if (read) return core::internal_error("read inside a write on :memory: succeeded");
    return {};
  });
  CHECK(r);
}

TEST_CASE("for_each_triple returns every triple in id order with its fields", "[storage]") {
  auto store = open_store(":memory:");
  const Seeded a = seed(*store);
  std::vector<core::TripleInput> inputs = {
      triple(a.prk, 0, a.rus, day(2023, 11, 9), 0.75f),
      triple(a.rus, 2, a.ukr, day(2022, 2, 24), 1.0f),
      triple(a.ukr, 1, std::nullopt, day(1999, 12, 31), 0.5f, Polarity::negated),
      triple(a.rus, 2, a.ukr, day(2022, 2, 24), 0.25f, Polarity::denied),
  };
  REQUIRE(store->write<void>([&](Writer& w) -> Result<void> {
    for (const auto& t : inputs)
      if (auto r = w.put_triple(t); !r) return r.error();
    return {};
  }));
  REQUIRE(store->write<core::TripleRecord>([](Writer& w) { return w.retract_triple(TripleId{2}, "wrong date"); }));
  CHECK(all_triples(*store) == std::vector<std::string>{
                                   "1 1 0 2 2023-11-09 asserted 0.75 1 live",
                                   "2 2 2 3 2022-02-24 asserted 1 1 retracted",
                                   "3 3 1 - 1999-12-31 negated 0.5 1 live",
                                   "4 2 2 3 2022-02-24 denied 0.25 1 live",
                               });
}

TEST_CASE("an exception from a scan callback is returned as an internal error", "[storage]") {
  auto store = open_store(":memory:");
  const Seeded a = seed(*store);
  REQUIRE(put(*store, triple(a.prk, 0, a.rus, day(2023, 11, 9))));
  auto r = store->for_each_triple([](const core::TripleRecord&) { throw std::runtime_error("graph full"); });
  REQUIRE_FALSE(r);
  CHECK(r.error().code == core::ErrorCode::internal);
  CHECK(r.error().detail.find("graph full") != std::string::npos);
  CHECK(all_triples(*store).size() == 1);
}

TEST_CASE("sources are shared by url, one per evidence row without url, none when empty", "[storage]") {
  testing::TempDb file;
  auto store = open_store(file.path());
  const Seeded a = seed(*store);
  auto with_url = triple(a.prk, 0, a.rus, day(2023, 11, 9));
  with_url.evidence.source.url = "https://example.org/story";
  with_url.evidence.source.title = "";
  with_url.evidence.source.publisher = "Example News";
  auto same_url = triple(a.rus, 0, a.prk, day(2023, 11, 9));
  same_url.evidence.source.url = "https://example.org/story";
  same_url.evidence.source.title = "Arms shipments";
  same_url.evidence.source.publisher = "Someone else";
  auto no_url_1 = triple(a.ukr, 0, a.rus, day(2023, 11, 9));
  no_url_1.evidence.source.title = "Leaflet";
  auto no_url_2 = triple(a.ukr, 0, a.rus, day(2023, 11, 9));
  no_url_2.evidence.source.title = "Leaflet";
  auto no_source = triple(a.ukr, 0, a.prk, day(2023, 11, 9));
  REQUIRE(store->write<void>([&](Writer& w) -> Result<void> {
    for (const auto* t : {&with_url, &same_url, &no_url_1, &no_url_2, &no_source})
      if (auto r = w.put_triple(*t); !r) return r.error();
    return {};
  }));
  CHECK(sources_rows(file.path()) == 3);

  // The first writer's fields stay; an empty one is filled in by a later writer.
  for (TripleId id : {TripleId{1}, TripleId{2}}) {
    auto ev = store->evidence_of(id, 10);
    REQUIRE(ev);
    REQUIRE(ev->size() == 1);
    CHECK((*ev)[0].source.url == "https://example.org/story");
    CHECK((*ev)[0].source.title == "Arms shipments");
    CHECK((*ev)[0].source.publisher == "Example News");
  }
  auto leaflet = store->evidence_of(TripleId{3}, 10);
  REQUIRE(leaflet);
  REQUIRE(leaflet->size() == 2);
  CHECK((*leaflet)[0].source.title == "Leaflet");
  CHECK((*leaflet)[0].source.url.empty());
  auto none = store->evidence_of(TripleId{4}, 10);
  REQUIRE(none);
  REQUIRE(none->size() == 1);
  CHECK(none->front().source.empty());
}

TEST_CASE("evidence_of returns the oldest rows first, at most limit", "[storage]") {
  auto store = open_store(":memory:");
  const Seeded a = seed(*store);
  for (int i = 0; i < 5; ++i) {
    auto t = triple(a.prk, 0, a.rus, day(2023, 11, 9));
    t.evidence.text = "sentence " + std::to_string(i);
    t.evidence.start = i * 100;
    t.evidence.end = i * 100 + 40;
    t.evidence.document = i == 2 ? std::optional<std::int64_t>(7) : std::nullopt;
    t.evidence.sentence_index = i;
    REQUIRE(put(*store, t));
  }
  auto all = store->evidence_of(TripleId{1}, 100);
  REQUIRE(all);
  REQUIRE(all->size() == 5);
  for (std::size_t i = 0; i < all->size(); ++i) {
    const auto& e = (*all)[i];
    CHECK(e.triple == TripleId{1});
    CHECK(e.text == "sentence " + std::to_string(i));
    CHECK(e.start == std::optional<std::int64_t>(static_cast<std::int64_t>(i) * 100));
    CHECK(e.end == std::optional<std::int64_t>(static_cast<std::int64_t>(i) * 100 + 40));
    CHECK(e.document.has_value() == (i == 2));
    CHECK(e.sentence_index == static_cast<std::int32_t>(i));
    CHECK(is_rfc3339_utc(e.created_at));
    if (i > 0) CHECK(e.id > (*all)[i - 1].id);
  }
  auto two = store->evidence_of(TripleId{1}, 2);
  REQUIRE(two);
  REQUIRE(two->size() == 2);
  CHECK((*two)[1].text == "sentence 1");
  auto zero = store->evidence_of(TripleId{1}, 0);
  REQUIRE(zero);
  CHECK(zero->empty());
  auto unknown = store->evidence_of(TripleId{99}, 10);
  REQUIRE(unknown);
  CHECK(unknown->empty());
}

TEST_CASE("for_each_evidence streams every evidence row ordered by triple, then id", "[storage]") {
  auto store = open_store(":memory:");
  const Seeded a = seed(*store);
  // Interleave assertions of two triples so that evidence ids alternate between them.
  for (int i = 0; i < 3; ++i) {
    auto t1 = triple(a.prk, 0, a.rus, day(2023, 11, 9));
    t1.evidence.text = "first " + std::to_string(i);
    auto t2 = triple(a.rus, 1, a.ukr, day(2022, 2, 24));
    t2.evidence.text = "second " + std::to_string(i);
    t2.evidence.source.url = "https://example.org/" + std::to_string(i);
    REQUIRE(put(*store, t1));
    REQUIRE(put(*store, t2));
  }
  std::vector<std::string> seen;
  REQUIRE(store->for_each_evidence([&](const core::EvidenceRecord& e) {
    seen.push_back(std::to_string(core::value(e.triple)) + ":" + e.text + ":" + e.source.url);
  }));
  CHECK(seen == std::vector<std::string>{"1:first 0:", "1:first 1:", "1:first 2:", "2:second 0:https://example.org/0",
                                         "2:second 1:https://example.org/1", "2:second 2:https://example.org/2"});
}

TEST_CASE("counts reflect actors, triples and evidence", "[storage]") {
  auto store = open_store(":memory:");
  Counts c = counts_of(*store);
  CHECK(c.actors == 0);
  CHECK(c.triples == 0);
  CHECK(c.evidence == 0);
  CHECK(c.documents == 0);
  const Seeded a = seed(*store);
  REQUIRE(put(*store, triple(a.prk, 0, a.rus, day(2023, 11, 9))));
  REQUIRE(put(*store, triple(a.prk, 0, a.rus, day(2023, 11, 9))));
  REQUIRE(put(*store, triple(a.rus, 1, a.ukr, day(2023, 11, 9))));
  c = counts_of(*store);
  CHECK(c.actors == 3);
  CHECK(c.triples == 2);
  CHECK(c.evidence == 3);
}

TEST_CASE("readers see committed batches while another thread writes", "[storage]") {
  testing::TempDb file;
  auto store = open_store(file.path(), 2, 16);
  const Seeded a = seed(*store);
  constexpr int batches = 60;
  constexpr int per_batch = 25;
  std::atomic<bool> done{false};
  std::string writer_error;
  std::thread writer([&] {
    for (int b = 0; b < batches && writer_error.empty(); ++b) {
      auto r = store->write<void>([&](Writer& w) -> Result<void> {
        for (int i = 0; i < per_batch; ++i) {
          const auto date = core::Date::from_days(b * per_batch + i);
          if (auto p = w.put_triple(triple(a.prk, 0, a.rus, date)); !p) return p.error();
        }
        return {};
      });
      if (!r) writer_error = r.error().detail;
    }
    done = true;
  });
  std::vector<std::string> reader_errors;
  std::int64_t last = 0;
  int reads = 0;
  bool torn = false;
  bool went_back = false;
  while (!done || reads < 2) {
    auto c = store->counts();
    if (!c) {
      reader_errors.push_back(c.error().detail);
      break;
    }
    if (c->triples % per_batch != 0) torn = true;
    if (c->triples < last) went_back = true;
    last = c->triples;
    std::int64_t scanned = 0;
    std::int64_t expected_id = 1;
    bool in_order = true;
    auto scan = store->for_each_triple([&](const core::TripleRecord& r) {
      in_order = in_order && core::value(r.id) == expected_id++;
      ++scanned;
    });
    if (!scan) {
      reader_errors.push_back(scan.error().detail);
      break;
    }
    if (scanned % per_batch != 0 || !in_order) torn = true;
    ++reads;
  }
  writer.join();
  CHECK(writer_error.empty());
  CHECK(reader_errors.empty());
  CHECK_FALSE(torn);
  CHECK_FALSE(went_back);
  CHECK(counts_of(*store).triples == batches * per_batch);
}

TEST_CASE("reopening a file returns identical data", "[storage]") {
  testing::TempDb file;
  std::vector<std::string> before;
  {
    auto store = open_store(file.path());
    const Seeded a = seed(*store);
    REQUIRE(store->write<void>([&](Writer& w) -> Result<void> {
      auto t1 = triple(a.prk, 0, a.rus, day(2023, 11, 9), 0.8f);
      t1.evidence.text = "North Korea shipped artillery shells to Russia.";
      t1.evidence.start = 10;
      t1.evidence.end = 57;
      t1.evidence.sentence_index = 3;
      t1.evidence.source = {"https://example.org/1", "Shells", "Example", "2023-11-09"};
      auto t2 = triple(a.ukr, 1, std::nullopt, day(2024, 2, 29), 0.5f, Polarity::denied);
      t2.evidence.document = 12;
      for (const auto* t : {&t1, &t2, &t1})
        if (auto r = w.put_triple(*t); !r) return r.error();
      if (auto r = w.retract_triple(TripleId{2}, "duplicate report"); !r) return r.error();
      return w.update_actor(a.ukr, make_actor("UKR", "Ukraine", ActorType::country, "UKR", {"Kyiv", "Kiev"}));
    }));
    before = snapshot(*store);
  }
  REQUIRE(before.size() > 10);
  auto store = open_store(file.path());
  CHECK(snapshot(*store) == before);
}

TEST_CASE("documents are found again by url or by their exact text, and list newest first", "[storage]") {
  auto store = open_store(":memory:");
  const Seeded a = seed(*store);
  core::DocumentRecord d;
  d.url = "https://example.org/a";
  d.title = "Blinken in Seoul";
  d.publisher = "Wire";
  d.published_at = "2023-11-09T08:00:00Z";
  d.date = day(2023, 11, 9);
  d.text = "U.S. Secretary of State Antony Blinken urged China to restrain North Korea.";
  auto id1 = store->write<std::int64_t>([&](Writer& w) { return w.insert_document(d); });
  REQUIRE(id1);
  core::DocumentRecord other = d;
  other.url.clear();
  other.text = "Another text.";
  other.publisher = "Other";
  other.date = day(2023, 12, 1);
  auto id2 = store->write<std::int64_t>([&](Writer& w) { return w.insert_document(other); });
  REQUIRE(id2);
  // The same url, or the same text without a url, is a conflict for insert and found by lookup.
  CHECK(store->write<std::int64_t>([&](Writer& w) { return w.insert_document(d); }).error().code ==
        core::ErrorCode::conflict);
  CHECK(*store->find_document("https://example.org/a", "anything") == std::optional<std::int64_t>(*id1));
  CHECK(*store->find_document("", d.text) == std::optional<std::int64_t>(*id1));
  CHECK(*store->find_document("", "Another text.") == std::optional<std::int64_t>(*id2));
  CHECK_FALSE(store->find_document("https://example.org/b", "Another text!")->has_value());

  auto got = store->document(*id1);
  REQUIRE(got);
  CHECK(got->text == d.text);
  CHECK(got->length == static_cast<std::int64_t>(d.text.size()));
  CHECK(got->date == d.date);
  CHECK(store->document(999).error().code == core::ErrorCode::not_found);

  DocumentQuery q;
  auto all = store->documents(q);
  REQUIRE(all);
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].id == *id2);
  CHECK((*all)[0].text.empty());
  q.publisher = "Wire";
  CHECK(store->documents(q)->size() == 1);
  q.publisher.clear();
  q.since = day(2023, 11, 10);
  CHECK(store->documents(q)->front().id == *id2);
  q.since.reset();
  q.before_id = *id2;
  CHECK(store->documents(q)->front().id == *id1);

  auto t = triple(a.prk, 0, a.rus, day(2023, 11, 9));
  t.evidence.document = *id1;
  t.evidence.text = "from the document";
  REQUIRE(put(*store, t));
  auto ev = store->evidence_of_document(*id1);
  REQUIRE(ev);
  REQUIRE(ev->size() == 1);
  CHECK((*ev)[0].text == "from the document");
  CHECK(counts_of(*store).documents == 2);
}
