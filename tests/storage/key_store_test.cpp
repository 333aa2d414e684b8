#include "storage/key_store.hpp"
#include "storage/schema.hpp"
#include "storage/store.hpp"
#include "tests/temp_path.hpp"
#include "tests/test_support.hpp"

using namespace geokg;

TEST_CASE("api keys are stored by hash, listed, and revoked once", "[storage]") {
  test::TempPath db;
  auto keys = storage::KeyStore::open(db.str());
  REQUIRE(keys);
  auto a = (*keys)->insert("ci", core::Role::write, std::string(64, 'a'), "gk_aaaaaa");
  REQUIRE(a);
  CHECK(a->id == 1);
  CHECK(a->role == core::Role::write);
  CHECK(a->name == "ci");
  CHECK(a->created_at.size() == 20);
  CHECK_FALSE(a->revoked_at);
  auto dup = (*keys)->insert("again", core::Role::read, std::string(64, 'a'), "gk_aaaaaa");
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == core::ErrorCode::conflict);
  REQUIRE((*keys)->insert("dash", core::Role::read, std::string(64, 'b'), "gk_bbbbbb"));

  auto revoked = (*keys)->revoke(1);
  REQUIRE(revoked);
  REQUIRE(revoked->revoked_at);
  const auto first = *revoked->revoked_at;
  auto again = (*keys)->revoke(1);
  REQUIRE(again);
  CHECK(again->revoked_at == first);
  auto missing = (*keys)->revoke(99);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == core::ErrorCode::not_found);

  auto active = (*keys)->list(false);
  REQUIRE(active);
  REQUIRE(active->size() == 1);
  CHECK((*active)[0].name == "dash");
  auto all = (*keys)->list(true);
  REQUIRE(all);
  CHECK(all->size() == 2);
}

TEST_CASE("the key table is a migration of the one schema: a store opens the same file", "[storage]") {
  test::TempPath db;
  {
    auto keys = storage::KeyStore::open(db.str());
    REQUIRE(keys);
    REQUIRE((*keys)->insert("", core::Role::admin, std::string(64, 'c'), "gk_cccccc"));
  }
  auto store = storage::Store::open({.path = db.str()});
  REQUIRE(store);
  CHECK((*store)->schema_version() == storage::latest_schema_version());
  auto keys = storage::KeyStore::open(db.str());
  REQUIRE(keys);
  auto listed = (*keys)->list(true);
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].role == core::Role::admin);
}
