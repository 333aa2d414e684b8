#include "core/sha256.hpp"
#include "engine/key_ring.hpp"
#include "storage/key_store.hpp"
#include "tests/temp_path.hpp"
#include "tests/test_support.hpp"

#include <set>
#include <thread>

using namespace geokg;

TEST_CASE("new keys are random, prefixed and shown once, only their digest is stored", "[engine]") {
  test::TempPath db;
  auto ring = engine::KeyRing::open(db.str());
  REQUIRE(ring);
  CHECK_FALSE((*ring)->any_active());
  auto k = (*ring)->create(core::Role::write, "ingest bot");
  REQUIRE(k);
  CHECK(k->secret.size() == 46);
  CHECK(k->secret.rfind("gk_", 0) == 0);
  CHECK(k->key.hint == k->secret.substr(0, 9));
  CHECK((*ring)->any_active());

  auto store = storage::KeyStore::open(db.str());
  REQUIRE(store);
  auto rows = (*store)->list(true);
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].hash == core::sha256_hex(k->secret));
  CHECK((*rows)[0].hash.find(k->secret) == std::string::npos);

  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    auto s = engine::generate_key_secret();
    REQUIRE(s);
    seen.insert(*s);
  }
  CHECK(seen.size() == 20);
}

TEST_CASE("authenticate finds the active key of a secret and nothing else", "[engine]") {
  test::TempPath db;
  auto ring = engine::KeyRing::open(db.str());
  REQUIRE(ring);
  auto reader = (*ring)->create(core::Role::read, "dash");
  auto writer = (*ring)->create(core::Role::write, "bot");
  REQUIRE(reader);
  REQUIRE(writer);
  auto p = (*ring)->authenticate(writer->secret);
  REQUIRE(p);
  CHECK(p->role == core::Role::write);
  CHECK(p->key_id == writer->key.id);
  CHECK((*ring)->authenticate(reader->secret)->role == core::Role::read);
  CHECK_FALSE((*ring)->authenticate(""));
  CHECK_FALSE((*ring)->authenticate(writer->secret.substr(0, 45)));
  CHECK_FALSE((*ring)->authenticate(writer->secret + "x"));
  CHECK_FALSE((*ring)->authenticate(core::sha256_hex(writer->secret)));

  REQUIRE((*ring)->revoke(writer->key.id));
  CHECK_FALSE((*ring)->authenticate(writer->secret));
  CHECK((*ring)->authenticate(reader->secret));
}

TEST_CASE("keys created or revoked by another process are seen after the refresh interval", "[engine]") {
  test::TempPath db;
  auto server_side = engine::KeyRing::open(db.str(), std::chrono::milliseconds(0));
  REQUIRE(server_side);
  auto cli_side = engine::KeyRing::open(db.str());
  REQUIRE(cli_side);
  auto k = (*cli_side)->create(core::Role::admin, "");
  REQUIRE(k);
  CHECK((*server_side)->any_active());
  CHECK((*server_side)->authenticate(k->secret));
  REQUIRE((*cli_side)->revoke(k->key.id));
  CHECK_FALSE((*server_side)->authenticate(k->secret));
  CHECK_FALSE((*server_side)->any_active());
  auto listed = (*server_side)->list(true);
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].revoked_at);
}
